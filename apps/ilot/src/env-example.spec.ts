import { runtimeEnvSchema } from '@ilot/runtime';
import { simulatorsEnvSchema } from '@ilot/simulators';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingestionEnvSchema } from '../../ingestion/src/ingestion.config';
import { metricsEnvSchema } from '../../metrics/src/metrics.config';
import { apiEnvSchema } from '../../api/src/api.config';
import { optimiserEnvSchema } from '../../optimiser/src/optimiser.config';
import { launcherEnvSchema } from './launcher.config';

function schemaKeys(schema: { shape: object }): string[] {
  return Object.keys(schema.shape);
}

describe('.env.example', () => {
  const documented = readFileSync(join(__dirname, '..', '..', '..', '.env.example'), 'utf8')
    .split('\n')
    .filter((line) => /^ILOT_[A-Z0-9_]+=/.test(line))
    .map((line) => line.split('=')[0]);

  const expected = [
    ...schemaKeys(runtimeEnvSchema),
    ...schemaKeys(ingestionEnvSchema),
    ...schemaKeys(optimiserEnvSchema),
    ...schemaKeys(metricsEnvSchema),
    ...schemaKeys(apiEnvSchema),
    ...schemaKeys(simulatorsEnvSchema),
    ...schemaKeys(launcherEnvSchema),
  ];

  it('lists every variable the config schemas read, and nothing else', () => {
    expect(expected.length).toBeGreaterThan(20);
    expect([...documented].sort()).toEqual([...new Set(expected)].sort());
  });

  it('gives the schemas’ own defaults', () => {
    const values = Object.fromEntries(
      readFileSync(join(__dirname, '..', '..', '..', '.env.example'), 'utf8')
        .split('\n')
        .filter((line) => /^ILOT_[A-Z0-9_]+=./.test(line))
        .map((line) => line.split('=') as [string, string]),
    );
    const defaults = {
      ...launcherEnvSchema.parse({}),
      ...ingestionEnvSchema.parse({}),
      ...optimiserEnvSchema.parse({}),
      ...metricsEnvSchema.parse({}),
      ...apiEnvSchema.parse({}),
    } as Record<string, unknown>;
    for (const [key, value] of Object.entries(defaults))
      expect(`${key}=${values[key]}`).toBe(`${key}=${String(value)}`);
  });
});
