import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

/** Every `path/with/slashes.ext` in backquotes that a doc names. */
function namedPaths(doc: string): string[] {
  const text = readFileSync(join(root, doc), 'utf8');
  return [...text.matchAll(/`([\w./-]+\/[\w.-]+\.(?:ts|md|yml|yaml|cjs|mjs|json))`/g)].map((m) => m[1]);
}

describe('docs/architecture.md, the one-reading walk', () => {
  const paths = namedPaths('docs/architecture.md');

  it('names the files of the main line', () => expect(paths.length).toBeGreaterThan(40));

  it.each(paths)('%s exists', (path) => expect(existsSync(join(root, path))).toBe(true));
});

describe.each(['docs/design.md', 'docs/controller-guide.md', 'docs/site-file.md', 'README.md'])('%s', (doc) => {
  it.each(namedPaths(doc))('names %s, which exists', (path) => expect(existsSync(join(root, path))).toBe(true));
});
