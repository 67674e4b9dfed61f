import { ESLint } from 'eslint';
import { join } from 'node:path';

// The rules the lint step enforces (eslint.config.mjs uses the same objects).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pureLibraryRule, crossLibraryRule, appBoundaryRule } = require('../../../eslint.boundaries.cjs');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('typescript-eslint');

const root = join(__dirname, '..', '..', '..');

async function lint(relativePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      { files: ['**/*.ts'], languageOptions: { parser } },
      crossLibraryRule,
      appBoundaryRule,
      pureLibraryRule,
    ],
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

  // Issue 25: libs/protocol, every inbound decode and check, is pure and held so.
  it.each([
    ["import mqtt from 'mqtt';", 'MQTT'],
    ["import { InboundRejects } from '@ilot/runtime';", 'adapter libraries'],
  ])('refuses `%s` in libs/protocol', async (code, reason) => {
    expect((await lint('libs/protocol/src/probe.ts', code)).join('\n')).toContain(reason);
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

  it.each([
    ['apps/cli/src/probe.ts', "import { MetricsModule } from '../../metrics/src/metrics.module';", 'another app'],
    ['apps/api/src/api/probe.ts', "import { runCli } from '../../../cli/src/main';", 'another app'],
    // Issue 25: the API (internet-facing, scaled out) and the metrics app (gauges, one ledger writer) stay apart.
    [
      'apps/api/src/api/probe.ts',
      "import { GaugesModule } from '../../../metrics/src/gauges/gauges.module';",
      'another app',
    ],
    ['apps/metrics/src/gauges/probe.ts', "import { Access } from '../../../api/src/http/route-access';", 'another app'],
    [
      'apps/optimiser/src/probe.ts',
      "import { startTestIlot } from '../../../test/support/test-ilot';",
      'tests or simulators',
    ],
    [
      'apps/ingestion/src/probe.ts',
      "import { IlotWorld } from '../../../simulators/src/ilot-world';",
      'tests or simulators',
    ],
  ])('refuses an app reaching into another app, the tests or the simulators: %s', async (path, code, reason) => {
    expect((await lint(path, code)).join('\n')).toContain(reason);
  });

  it('lets an app use its own files, and the all-in-one compose the others', async () => {
    expect(await lint('apps/api/src/api/probe.ts', "import { Access } from '../http/route-access';")).toEqual([]);
    expect(
      await lint('apps/ilot/src/probe.ts', "import { MetricsModule } from '../../metrics/src/metrics.module';"),
    ).toEqual([]);
  });
});
