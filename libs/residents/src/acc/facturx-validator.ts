import { type Checked, refused, repoPath } from '@ilot/domain';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';

const XSD_DIR = repoPath('libs', 'invoicing', 'xsd', 'factur-x-1.09-en16931');
const MAIN_XSD = 'Factur-X_EN16931.xsd';

/**
 * Validates a Factur-X XML against the EN 16931 profile's XSD (libs/invoicing/xsd, the Factur-X 1.09 files) with
 * libxml2's xmllint compiled to WebAssembly (in a worker thread: no native build). Every schema error with its line.
 */
export class FacturxValidator {
  private readonly schema = readdirSync(XSD_DIR)
    .filter((f) => f.endsWith('.xsd'))
    .map((fileName) => ({ fileName, contents: readFileSync(join(XSD_DIR, fileName), 'utf8') }));

  async validate(xml: string, fileName = 'factur-x.xml'): Promise<Checked<true, 'invalid'>> {
    const main = this.schema.find((s) => s.fileName === MAIN_XSD)!;
    const result = await validateXML({
      xml: [{ fileName, contents: xml }],
      schema: [main],
      preload: this.schema.filter((s) => s !== main),
    });
    if (result.valid) return { ok: true, value: true };
    return refused(
      'invalid',
      ...result.errors.map((e) => `${fileName}${e.loc ? `:${e.loc.lineNumber}` : ''}: ${e.message.trim()}`),
    );
  }
}
