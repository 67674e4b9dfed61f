import { localIsoWithOffset, localMonthRange } from '@ilot/domain';
import { accMonthOn, DataConnectClient } from '@ilot/residents';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ACC_DEMO, ACC_MONTH, ACC_NOW, accDemoMonth } from './support/acc-demo-month';

const SITE = ACC_DEMO;
const MONTH = ACC_MONTH;
const NOW = ACC_NOW;

/**
 * Issue 29's month, end to end on the real PostgreSQL (test/support/acc-demo-month.ts): the demo operation's November
 * simulated (readings into the îlot's store, the distributor's meters on the same world), the key file written from
 * the ledger, the simulated distributor's file from that key, imported and reconciled. Once on clean data, once with a
 * meter's two days lost, then filled from its Linky curve.
 */
describe("the PMO's month (issue 29, real PostgreSQL)", () => {
  jest.setTimeout(120_000);
  const open: Array<{ close: () => Promise<void> }> = [];
  afterAll(async () => {
    for (const run of open) await run.close();
  });
  const gap = { meterId: 'm-b-2', from: new Date('2026-11-09T23:00:00Z'), to: new Date('2026-11-11T23:00:00Z') };
  let gapped: Awaited<ReturnType<typeof accDemoMonth>>;
  beforeAll(async () => {
    gapped = await accDemoMonth([gap]);
    open.push(gapped);
  });

  it('on clean data: a key file of every step, and no difference between the ledger and the distributor', async () => {
    const run = await accDemoMonth();
    open.push(run);
    // Every point every step, but b-3's once it left (the 21st) and c-2's before it joined (the 10th).
    expect(run.imported).toMatchObject({ ok: true, value: { rows: 2880 * 12 - 10 * 96 - 9 * 96, pointsAbsent: [] } });
    expect(run.keys.files.map((f) => f.fileName)).toEqual(['cles-acc-demo-2026-11.csv']);
    const lines = run.keys.files[0].text.trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 30 * 96);
    expect(lines[0].split(';')).toHaveLength(1 + 10);
    expect(run.lines).toHaveLength(12 * 2);
    for (const line of run.lines) {
      expect({
        prm: line.prm,
        quantity: line.quantity,
        differenceWh: line.differenceWh,
        explanations: line.explanations,
      }).toEqual({ prm: line.prm, quantity: line.quantity, differenceWh: 0, explanations: [] });
      expect(Math.abs(line.roundingWh)).toBeLessThan(2880 * 0.5);
    }
    const produced = run.lines.filter((l) => l.role === 'producer' && l.quantity === 'total');
    expect(produced.reduce((s, l) => s + l.distributorWh, 0)).toBeGreaterThan(1_000_000); // > 1 MWh in November
    const stored = await run.db.query('SELECT count(*)::int AS n FROM acc_reconciliations WHERE flagged');
    expect(stored[0].n).toBe(0);
    // Had the key been the default one until December (allocation.history), November would send no file.
    const before = {
      ...SITE,
      allocation: {
        key: 'dynamic-custom' as const,
        history: [{ key: 'dynamic-default' as const, until: '2026-12-01' }],
      },
    };
    expect(await accMonthOn(before, run.db).keys(MONTH, NOW)).toMatchObject({
      ok: false,
      reason: 'no-file',
      problems: ['the key of 2026-11 is dynamic-default: the distributor shares by consumption, no file is sent'],
    });
  });

  it("finds a meter's two lost days, explains them and flags the participant; the others agree", async () => {
    const run = gapped;
    expect(run.keys.gaps).toEqual([{ participantId: 'b-2', steps: 192 }]);
    const differing = run.lines.filter((l) => l.differenceWh !== 0);
    expect(differing.map((l) => [l.id, l.quantity, l.flagged])).toEqual([['b-2', 'total', true]]);
    expect(differing[0].explanations).toEqual([
      expect.objectContaining({
        cause: 'ilot-meter-gap',
        steps: 192,
        firstStep: gap.from,
        lastStep: new Date(gap.to.getTime() - 900_000),
      }),
    ]);
    expect(differing[0].differencePct).toBeGreaterThan(2);
  });

  it("fills the lost days from the participant's Linky curve through Data Connect: the flag goes", async () => {
    const run = gapped;
    const prm = SITE.participants.find((p) => p.id === 'b-2')!.prm!;
    const server = linkyCurveServer(run.world, prm);
    const base = await new Promise<string>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
    );
    try {
      const client = new DataConnectClient({
        tokenUrl: `${base}/oauth2/v3/token`,
        apiBase: base,
        clientId: 'c',
        clientSecret: 's',
      });
      const filled = await accMonthOn(SITE, run.db).fillFromDataConnect('b-2', MONTH, client, NOW);
      expect(filled).toEqual({ ok: true, value: { points: 30 * 48, stepsFilled: 192 } });
      const again = await accMonthOn(SITE, run.db).reconcile(MONTH, NOW);
      if (!again.ok) throw new Error(again.problems.join('; '));
      const total = again.value.find((l) => l.id === 'b-2' && l.quantity === 'total')!;
      // The curve's half hours, not the distributor's quarter hours: what is left is measurement, well under 2 %.
      expect(total.flagged).toBe(false);
      expect(total.explanations.map((e) => e.cause)).not.toContain('ilot-meter-gap');
      expect(Math.abs(total.differencePct)).toBeLessThan(0.5);
    } finally {
      server.close();
    }
  });
});

/** Data Connect on a local server: the participant's consumption load curve as its Linky measured it (30-min means). */
function linkyCurveServer(world: Awaited<ReturnType<typeof accDemoMonth>>['world'], prm: string): Server {
  const stepWh = new Map(world.measured.map((s) => [s.start.getTime(), s.consumptionWh.get(prm) ?? 0]));
  return createServer((request, response) => {
    const url = new URL(request.url!, 'http://local');
    response.setHeader('content-type', 'application/json');
    if (url.pathname === '/oauth2/v3/token')
      return response.end(JSON.stringify({ access_token: 't', expires_in: 3600 }));
    const from = localMonthRange('2026-11', SITE.timezone).from.getTime();
    const startMs = Math.max(Date.parse(`${url.searchParams.get('start')}T00:00:00+01:00`), from);
    const endMs = Date.parse(`${url.searchParams.get('end')}T00:00:00+01:00`);
    const interval_reading = [];
    for (let ms = startMs; ms < endMs; ms += 1_800_000) {
      const wh = (stepWh.get(ms) ?? 0) + (stepWh.get(ms + 900_000) ?? 0);
      const end = localIsoWithOffset(new Date(ms + 1_800_000), SITE.timezone);
      interval_reading.push({
        value: String(Math.round(wh / 0.5)),
        date: `${end.slice(0, 10)} ${end.slice(11, 19)}`,
        interval_length: 'PT30M',
        measure_type: 'B',
      });
    }
    response.end(
      JSON.stringify({ meter_reading: { usage_point_id: prm, reading_type: { unit: 'W' }, interval_reading } }),
    );
  });
}
