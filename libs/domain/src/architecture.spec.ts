import { ESLint } from 'eslint';
import { join } from 'node:path';

// The rules the lint step enforces (eslint.config.mjs uses the same objects).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pureLibraryRule, crossLibraryRule } = require('../../../eslint.boundaries.cjs');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('typescript-eslint');

const root = join(__dirname, '..', '..', '..');

async function lint(relativePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser } }, crossLibraryRule, pureLibraryRule],
  });
  const [result] = await eslint.lintText(code, { filePath: join(root, relativePath) });
  return result.messages.map((m) => m.message);
}

describe('architecture rules (lint)', () => {
  it.each([
    ["import { Client } from 'pg';", 'database'],
    ["import { Injectable } from '@nestjs/common';", 'Nest'],
    ["import mqtt from 'mqtt';", 'MQTT'],
    ["import { Registry } from 'prom-client';", 'metrics'],
    ["import { DataSource } from 'typeorm';", 'database'],
    ["import { topics } from '@ilot/mqtt';", 'adapter libraries'],
  ])('refuses `%s` in a pure library', async (code, reason) => {
    const messages = await lint('libs/optimiser/src/probe.ts', code);
    expect(messages.join('\n')).toContain(reason);
  });

  it('lets an app import the same things', async () => {
    expect(
      await lint(
        'apps/ingestion/src/probe.ts',
        "import { Client } from 'pg';\nimport { Injectable } from '@nestjs/common';",
      ),
    ).toEqual([]);
  });

  it('refuses a relative import into another library', async () => {
    expect(
      (await lint('apps/optimiser/src/probe.ts', "import { plan } from '../../../libs/optimiser/src/plan';")).join(
        '\n',
      ),
    ).toContain('@ilot/<lib> alias');
  });
});
