import { loadSiteFile, type Site } from '@ilot/site';
import { join } from 'node:path';
import { pvForecasts } from './pv-plan';

const demo = loadSiteFile(join(__dirname, '..', '..', '..', 'sites', 'demo.yaml'));
const slotMs = 15 * 60_000;
const dayMs = 86_400_000;

/** The demo with every array's inverter at half its peak. */
const site: Site = {
  ...demo,
  devices: new Map([...demo.devices].map(([id, d]) => [id, d.kind === 'pv' ? { ...d, inverterW: d.peakW / 2 } : d])),
};
const arrays = [...site.devices.values()].flatMap((d) => (d.kind === 'pv' ? [d] : []));
const totalPeakW = arrays.reduce((sum, pv) => sum + pv.peakW, 0);
/** A site forecast: a bell over 08:00-16:00 UTC at `share` of the peak. */
const bellW = (atMs: number, share: number) => {
  const hour = (atMs % dayMs) / 3_600_000;
  return hour > 8 && hour < 16 ? share * totalPeakW * Math.sin(((hour - 8) / 8) * Math.PI) : 0;
};

describe('pvForecasts: the calibration knows each array inverter', () => {
  it("regression: a dull noon is not taken for a clipped one (the calibration learnt at the peak, not the inverter's limit)", () => {
    const now = new Date('2026-01-14T00:00:00Z');
    const firstMs = now.getTime() - 28 * dayMs;
    const past = Array.from({ length: (28 * dayMs) / slotMs }, (_, k) => firstMs + k * slotMs);
    // Sunny weeks: the provider says 90 % of the peak at noon, each inverter clips at half of it.
    const measured = new Map(
      arrays.map((pv) => [
        pv.id,
        past.map((ms) => ({
          at: new Date(ms),
          powerW: Math.min((bellW(ms + slotMs / 2, 0.9) * pv.peakW) / totalPeakW, pv.peakW / 2),
        })),
      ]),
    );
    const forecast = past.map((ms) => ({ deviceId: '', at: new Date(ms), pvW: bellW(ms, 0.9) }));
    // Tomorrow is dull: 30 % of the peak at noon, under every inverter's limit.
    const slotStarts = Array.from({ length: 96 }, (_, k) => new Date(now.getTime() + k * slotMs));
    const points = slotStarts.map((at) => ({ deviceId: '', at, pvW: bellW(at.getTime(), 0.3) }));
    const { pvs } = pvForecasts(
      site,
      {
        latest: new Map(),
        consumptionHistory: [],
        pvForecast: { issuedAt: now, source: 'test', points },
        pvCalibrationHistory: { forecast, measured },
      },
      now,
      slotStarts,
      15,
    );
    const noon = slotStarts.findIndex((at) => at.getUTCHours() === 12);
    const plannedW = pvs.reduce((sum, pv) => sum + pv.forecastW[noon], 0);
    // The clipped middays say nothing of a dull noon: it stays near the provider's (the shoulders' ratio, ~1).
    expect(plannedW / bellW(slotStarts[noon].getTime(), 0.3)).toBeGreaterThan(0.9);
  });
});
