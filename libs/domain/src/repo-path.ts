import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A path inside the repository, found from this file whether it runs from source or from dist/. */
export function repoPath(...segments: string[]): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the repository root above ${__dirname}`);
    dir = parent;
  }
  return join(dir, ...segments);
}
