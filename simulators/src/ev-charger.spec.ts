import { SimulatedCharger } from './ev-charger';
import { evVisitOfDay } from './ev-sessions';

const dayMs = Date.UTC(2026, 0, 14);
const visit = evVisitOfDay('ev-b-1', dayMs, false)!;
const stepMs = 60_000;
const limit = (maxW: number, fromMs: number, untilMs: number) => ({
  cmdId: '00000000-0000-4000-8000-000000000001',
  type: 'ev.limit' as const,
  issuedAt: new Date(fromMs).toISOString(),
  validFrom: new Date(fromMs).toISOString(),
  validUntil: new Date(untilMs).toISOString(),
  maxW,
  reason: 'tariff',
});

/** Steps a charger minute by minute over [fromMs, toMs): the power drawn at each step. */
function run(charger: SimulatedCharger, fromMs: number, toMs: number): number[] {
  const drawn: number[] = [];
  for (let t = fromMs; t < toMs; t += stepMs)
    drawn.push(charger.draw(new Date(t), stepMs / 3_600_000, stepMs / 3_600_000));
  return drawn;
}

describe('a simulated smart charger', () => {
  it('a resident comes in the evening and leaves the next morning, wanting 8 to 20 kWh', () => {
    expect(new Date(visit.arrivalMs).getUTCHours()).toBeGreaterThanOrEqual(17);
    expect(visit.departureMs - dayMs).toBeGreaterThan(29 * 3_600_000);
    expect(visit.energyWh).toBeGreaterThanOrEqual(8000);
    expect(visit.energyWh).toBeLessThanOrEqual(20_000);
  });

  it('on its own charges at full power from arrival until the car has its energy, and reports what is left', () => {
    const charger = new SimulatedCharger({ id: 'ev-b-1', maxW: 7400 }, false);
    const startMs = Math.ceil(visit.arrivalMs / stepMs) * stepMs;
    expect(charger.session(new Date(startMs - stepMs))).toEqual({ plugged: false });
    const drawn = run(charger, startMs, visit.departureMs);
    expect(drawn[0]).toBe(7400);
    expect(drawn.reduce((sum, w) => sum + w / 60, 0)).toBeCloseTo(visit.energyWh, 0);
    expect(charger.session(new Date(startMs + 10 * stepMs))).toMatchObject({ plugged: true, energyNeededWh: 0 });
    expect(charger.energyKWh(visit.departureMs + 1)).toEqual({ shortfallKWh: 0, owedKWh: 0 });
  });

  it('under ev.limit charges at most the limit, then falls back to the driver ask at validUntil', () => {
    const charger = new SimulatedCharger({ id: 'ev-b-1', maxW: 7400 }, false);
    const startMs = Math.ceil(visit.arrivalMs / stepMs) * stepMs;
    const untilMs = startMs + 60 * stepMs;
    expect(charger.controller.receive(limit(0, startMs, untilMs), new Date(startMs))).toEqual({ status: 'applied' });
    const drawn = run(charger, startMs, startMs + 30 * stepMs);
    expect(charger.session(new Date(startMs + 30 * stepMs))).toEqual({
      plugged: true,
      energyNeededWh: Math.round(visit.energyWh),
      departure: new Date(visit.departureMs),
      maxW: 7400,
    });
    drawn.push(...run(charger, startMs + 30 * stepMs, startMs + 120 * stepMs));
    expect(drawn.slice(0, 60).every((w) => w === 0)).toBe(true);
    expect(drawn[60]).toBe(7400);
  });

  it('refuses a command it does not take, and counts a car that leaves short', () => {
    const charger = new SimulatedCharger({ id: 'ev-b-1', maxW: 7400 }, false);
    const loadLimit = { ...limit(0, visit.arrivalMs, visit.departureMs), type: 'load.limit' as const };
    expect(charger.controller.receive(loadLimit, new Date(visit.arrivalMs))).toEqual({
      status: 'rejected',
      reason: 'ev-b-1 does not take load.limit',
    });
    const startMs = Math.ceil(visit.arrivalMs / stepMs) * stepMs;
    const oneKW = {
      ...limit(1000, startMs, visit.departureMs + stepMs),
      cmdId: '00000000-0000-4000-8000-000000000002',
    };
    expect(charger.controller.receive(oneKW, new Date(startMs))).toEqual({ status: 'applied' });
    const drawn = run(charger, startMs, visit.departureMs + stepMs);
    const gotKWh = drawn.reduce((sum, w) => sum + w / 60, 0) / 1000;
    const { shortfallKWh, owedKWh } = charger.energyKWh(visit.departureMs + stepMs);
    expect(owedKWh).toBe(0);
    expect(shortfallKWh).toBeGreaterThan(0);
    expect(shortfallKWh + gotKWh).toBeCloseTo(visit.energyWh / 1000, 2);
  });
});
