import { loadSiteFile } from '@ilot/site';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './main';

const SITE_FILE = join(__dirname, '../../../sites/demo.yaml');
const START = '2026-06-17T00:00:00Z';

/** A day of forecasts for every meter and pv of the demo site: flat loads with an evening bump, a PV bell at midday. */
function demoForecastCsv(slots = 96): string {
  const site = loadSiteFile(SITE_FILE);
  const rows = ['ts,device,powerW'];
  for (let t = 0; t < slots; t++) {
    const ts = new Date(Date.parse(START) + t * 900_000).toISOString();
    const hour = t / 4;
    for (const device of site.devices.values()) {
      if (device.kind === 'meter')
        rows.push(`${ts},${device.id},${((device.annualKWh * 1000) / 8760) * (hour >= 18 && hour < 22 ? 1.8 : 0.8)}`);
      if (device.kind === 'pv')
        rows.push(
          `${ts},${device.id},${hour > 6 && hour < 21 ? device.peakW * 0.7 * Math.sin((Math.PI * (hour - 6)) / 15) : 0}`,
        );
    }
  }
  return rows.join('\n') + '\n';
}

/** Rows for one device in both slots of `demoForecastCsv(2)`. */
const bothSlots = (device: string) =>
  `${START},${device},5\n${new Date(Date.parse(START) + 900_000).toISOString()},${device},5\n`;

describe('ilot optimise', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ilot-optimise-'));
  const inputs = join(dir, 'inputs.csv');
  writeFileSync(inputs, demoForecastCsv());
  const run = async (...extra: string[]) => {
    const lines: string[] = [];
    const errors: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    try {
      const code = await runCli(['optimise', '--site', SITE_FILE, '--start', START, ...extra], (line) =>
        lines.push(line),
      );
      return { code, lines, errors: errors.join('\n') };
    } finally {
      spy.mockRestore();
    }
  };

  it('writes the schedule document of docs/design.md: every slot balanced, the battery within its limits and SoC range', async () => {
    const out = join(dir, 'plan.json');
    const { code, lines } = await run('--inputs', inputs, '--out', out, '--soc', 'bat-1=20');
    expect(code).toBe(0);
    expect(lines.at(-1)).toBe(`written: ${out}`);
    const schedule = JSON.parse(readFileSync(out, 'utf8'));
    expect(schedule).toMatchObject({ status: 'optimal', solver: 'highs', slotMinutes: 15 });
    expect(schedule.slots).toHaveLength(96);
    expect(schedule.slots[0].start).toBe(new Date(START).toISOString());
    for (const slot of schedule.slots) {
      const battery = slot.devices['bat-1'];
      const curtailedW = Object.entries(slot.devices as Record<string, { setpointW: number }>)
        .filter(([id]) => id.startsWith('pv-'))
        .reduce((sum, [, d]) => sum + d.setpointW, 0);
      // Energy balance at the connection, in the sign convention: grid = consumption - (pv - curtailed) - battery.
      // Each figure is rounded to 0.1 W in the document.
      expect(slot.gridW).toBeCloseTo(slot.consumptionW - (slot.pvW - curtailedW) - battery.setpointW, 0);
      expect(Math.abs(battery.setpointW)).toBeLessThanOrEqual(100_000 + 1e-6);
      expect(battery.socPct).toBeGreaterThanOrEqual(10 - 1e-6);
      expect(battery.socPct).toBeLessThanOrEqual(95 + 1e-6);
    }
    // Sunny June day: the battery stores surplus PV by the afternoon.
    expect(schedule.slots[16 * 4].devices['bat-1'].socPct).toBeGreaterThan(20);
  });

  it('plans the heat pumps given a series and answers the orders given, as the live planner does (regression: it dropped both silently)', async () => {
    // The day's forecasts plus two heat pumps at 5 kW all day, and an order of 30 kW from 18:00 to 20:00 UTC.
    const rows = [demoForecastCsv().trimEnd()];
    for (let t = 0; t < 96; t++) {
      const ts = new Date(Date.parse(START) + t * 900_000).toISOString();
      rows.push(`${ts},hp-a,5000`, `${ts},hp-b,5000`);
    }
    const withLoads = join(dir, 'with-loads.csv');
    writeFileSync(withLoads, rows.join('\n') + '\n');
    const out = join(dir, 'plan-order.json');
    const order = 'order-9,2026-06-17T18:00:00Z,2026-06-17T20:00:00Z,30000';
    const { code, lines } = await run('--inputs', withLoads, '--out', out, '--soc', 'bat-1=10', '--effacement', order);
    expect(code).toBe(0);
    const schedule = JSON.parse(readFileSync(out, 'utf8'));
    expect(schedule.effacements).toHaveLength(1);
    const { importCapW } = schedule.effacements[0];
    expect(lines.some((l) => l.startsWith('order order-9: import capped at'))).toBe(true);
    const inWindow = schedule.slots.filter(
      (s: { start: string }) => s.start >= '2026-06-17T18:00' && s.start < '2026-06-17T20:00',
    );
    expect(inWindow).toHaveLength(8);
    // Held at the cap (the battery stored the day's surplus for it), the heat pumps part of the plan.
    for (const slot of inWindow) expect(slot.gridW).toBeLessThanOrEqual(importCapW + 1);
    expect(schedule.slots[0].devices['hp-a']).toEqual(expect.objectContaining({ setpointW: expect.any(Number) }));
  });

  it('charges a plugged car given with --ev before its departure, in the cheap hours, as the live planner does', async () => {
    const out = join(dir, 'plan-ev.json');
    // 00:00 UTC: HC until 04:00 UTC (06:00 local), then HP; the car leaves at 07:00 UTC wanting 20 kWh at 7.4 kW.
    const { code, lines } = await run('--inputs', inputs, '--out', out, '--ev', 'ev-b-1,20000,2026-06-17T07:00:00Z');
    expect(code).toBe(0);
    const schedule = JSON.parse(readFileSync(out, 'utf8'));
    const chargedWh = (from: string, to: string) =>
      schedule.slots
        .filter((s: { start: string }) => s.start >= from && s.start < to)
        .reduce(
          (sum: number, s: { devices: Record<string, { setpointW: number }> }) =>
            sum + s.devices['ev-b-1'].setpointW / 4,
          0,
        );
    expect(chargedWh('2026-06-17T00:00', '2026-06-17T04:00')).toBeCloseTo(20_000, -1);
    expect(chargedWh('2026-06-17T04:00', '2026-06-18T00:00')).toBeCloseTo(0, -1);
    expect(lines).toContain('car at ev-b-1: 20.0 of 20.0 kWh by 2026-06-17T07:00:00.000Z');
  });

  it.each([
    ['ev-9,20000,2026-06-17T07:00:00Z', '"ev-9" is not an EV charger of the site'],
    ['m-a-101,20000,2026-06-17T07:00:00Z', '"m-a-101" is not an EV charger of the site'],
    ['ev-b-1,-5,2026-06-17T07:00:00Z', 'ENERGY_WH must be a positive energy, Wh'],
    ['ev-b-1,20000,2026-06-16T07:00:00Z', 'DEPARTURE must be an ISO instant after --start'],
    ['ev-b-1,20000', 'expected CHARGER,ENERGY_WH,DEPARTURE[,MAX_W]'],
  ])('refuses --ev %s with its reason', async (ev, message) => {
    const { code, errors } = await run('--inputs', inputs, '--out', join(dir, 'never-ev.json'), '--ev', ev);
    expect(code).toBe(2);
    expect(errors).toContain(message);
  });

  it('gives the same objective with javascript-lp-solver as with HiGHS, within 1e-6 relative', async () => {
    const [a, b] = [join(dir, 'highs.json'), join(dir, 'js.json')];
    expect((await run('--inputs', inputs, '--out', a)).code).toBe(0);
    expect((await run('--inputs', inputs, '--out', b, '--solver', 'javascript-lp-solver')).code).toBe(0);
    const [highs, js] = [a, b].map((f) => JSON.parse(readFileSync(f, 'utf8')));
    expect(js.solver).toBe('javascript-lp-solver');
    expect(Math.abs(highs.objectiveEur - js.objectiveEur)).toBeLessThanOrEqual(1e-6 * Math.abs(js.objectiveEur));
  });

  it.each([
    {
      name: 'a malformed row',
      csv: 'ts,device,powerW\n2026-06-17T00:00:00Z,m-a-101,abc\n',
      message: 'line 2: powerW "abc" is not a finite number',
    },
    { name: 'a wrong header', csv: 'time,device,power\n', message: 'line 1: header must be "ts,device,powerW"' },
    {
      name: 'a device the site lacks',
      csv: demoForecastCsv(2) + bothSlots('ghost'),
      message: 'device "ghost" is not in site',
    },
    {
      name: 'a missing pv forecast',
      csv: demoForecastCsv(2).replace(/^.*,pv-a,.*\n/gm, ''),
      message: 'no forecast for pv "pv-a"',
    },
    {
      name: 'a forecast for the battery',
      csv: demoForecastCsv(2) + bothSlots('bat-1'),
      message: 'the planner decides its power',
    },
  ])('refuses $name with a precise reason and exit code 2, writing nothing', async ({ csv, message }) => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, csv);
    const out = join(dir, 'never.json');
    const { code, errors } = await run('--inputs', file, '--out', out);
    expect(code).toBe(2);
    expect(errors).toContain(message);
    expect(() => readFileSync(out)).toThrow();
  });

  it('refuses a state of charge outside the battery range', async () => {
    const { code, errors } = await run('--inputs', inputs, '--out', join(dir, 'x.json'), '--soc', 'bat-1=99');
    expect(code).toBe(2);
    expect(errors).toContain('--soc bat-1=99: must be within 10-95 %');
  });
});
