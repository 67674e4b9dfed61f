#!/usr/bin/env node
// The `ilot` command line (npx ilot ...): runs the compiled CLI; `npm run build` makes it.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const entry = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
if (!existsSync(entry)) {
  console.error('ilot: the project is not built yet: run `npm run build` in ' + join(__dirname, '..'));
  process.exit(1);
}
require(entry)
  .runCli(process.argv.slice(2))
  .then((code) => (process.exitCode = code));
