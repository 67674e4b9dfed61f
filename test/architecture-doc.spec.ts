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

/** The cells of a Markdown table row, an escaped `\|` inside a cell not counting. */
const cellsOf = (row: string) =>
  row
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/).length;

describe.each(['docs/design.md', 'docs/site-file.md', 'docs/security.md', 'docs/scaling.md', 'README.md'])(
  '%s tables',
  (doc) => {
    // Regression (issue 25): a `|` inside a code span of design.md's topics table split its payload into five cells.
    it('has as many cells in every row as in its header', () => {
      const lines = readFileSync(join(root, doc), 'utf8').split('\n');
      const broken: string[] = [];
      let header: number | undefined;
      lines.forEach((line, i) => {
        if (!line.startsWith('|')) return void (header = undefined);
        if (header === undefined) header = cellsOf(line);
        else if (cellsOf(line) !== header) broken.push(`line ${i + 1}: ${cellsOf(line)} cells, header ${header}`);
      });
      expect(broken).toEqual([]);
    });
  },
);
