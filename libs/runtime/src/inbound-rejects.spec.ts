import type { RejectedMessageRepository } from '@ilot/timeseries';
import { Registry } from 'prom-client';
import { InboundRejects } from './inbound-rejects';

/** A store of refusals that fails while `down` (a fake: the logic only; the handler's integration spec uses PostgreSQL). */
function store(down: boolean) {
  const rows: unknown[] = [];
  const repository = {
    insertBatch: async (batch: unknown[]) => {
      if (down) throw new Error('connection refused');
      rows.push(...batch);
    },
  } as unknown as RejectedMessageRepository;
  return { rows, repository };
}

const counted = async (registry: Registry) =>
  (await registry.getSingleMetric('ilot_ingest_rejected_total')!.get()).values.reduce((s, v) => s + v.value, 0);
const REFUSAL = { reason: 'schema' as const, problems: ['powerW: expected number'] };

describe('InboundRejects with a spill (issue 30 §3): a refusal the database cannot take waits in the spool', () => {
  it('keeps the message in the spill when the database is down, counting it only when it is stored', async () => {
    const registry = new Registry();
    const { rows, repository } = store(true);
    const rejects = new InboundRejects('demo', registry, repository);
    const spilled: string[] = [];
    await rejects.keep('ilot/v1/demo/m-1/telemetry', 'telemetry', '{"bad"}', new Date(), REFUSAL, 'demo', async () => {
      spilled.push('m-1');
      return true;
    });
    expect(spilled).toEqual(['m-1']);
    expect(rows).toEqual([]);
    expect(await counted(registry)).toBe(0);
  });

  it('stores and counts at once when the database takes it, leaving the spill alone', async () => {
    const registry = new Registry();
    const { rows, repository } = store(false);
    const rejects = new InboundRejects('demo', registry, repository);
    let spills = 0;
    await rejects.keep('ilot/v1/demo/m-1/telemetry', 'telemetry', '{"bad"}', new Date(), REFUSAL, 'demo', async () => {
      spills++;
      return true;
    });
    expect(spills).toBe(0);
    expect(rows).toHaveLength(1);
    expect(await counted(registry)).toBe(1);
  });
});
