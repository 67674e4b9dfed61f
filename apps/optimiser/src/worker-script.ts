import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A worker thread's compiled script beside this file; from the TypeScript sources (tests), its build in dist/ (`npm test` builds first). */
export function workerScript(name: string): string {
  const compiled = join(__dirname, name);
  if (existsSync(compiled)) return compiled;
  let root = __dirname;
  while (!existsSync(join(root, 'package.json'))) root = join(root, '..');
  return join(root, 'dist', relative(root, __dirname), name);
}
