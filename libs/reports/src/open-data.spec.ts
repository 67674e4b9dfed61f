import { Schema, Table } from 'tableschema';
import { OPEN_DATA_SCHEMA, openDataCsv, openDataRows } from './open-data';

const hour = (h: number, metersReporting: number, consumptionW: number | null, pvW = 12_000, gridW = -2_000) => ({
  hour: new Date(Date.UTC(2026, 5, 17, h)),
  pvW,
  gridW,
  consumptionW,
  metersReporting,
});

describe('the îlot’s open data', () => {
  const rows = openDataRows([hour(11, 5, 10_000), hour(10, 4, 8_000), hour(12, 7, 30_000, 6_000, 24_000)], 7);

  it('gives consumption only over 5 participants or more, and the ratios that need it likewise', () => {
    expect(rows.map((r) => [r.hour, r.consumption_kwh, r.self_sufficiency_ratio])).toEqual([
      ['2026-06-17T10:00:00Z', null, null], // 4 meters: one could be singled out
      ['2026-06-17T11:00:00Z', 10, 1], // 12 kWh of solar, 2 exported: 10 used, all of the 10 consumed
      ['2026-06-17T12:00:00Z', 30, 0.2],
    ]);
    expect(rows[0]).toMatchObject({
      pv_production_kwh: 12,
      grid_export_kwh: 2,
      grid_import_kwh: 0,
      self_consumption_ratio: 0.833,
    });
  });

  // Issue 26: on a two-home îlot the hourly grid import and export (consumption = grid + PV) gave anyone the homes' sum.
  it('gives no grid figure, nor what derives from it, on an îlot of fewer than 5 homes', () => {
    const small = openDataRows([{ ...hour(11, 2, 3_000), effacementWh: 500 }], 2);
    expect(small).toEqual([
      {
        hour: '2026-06-17T11:00:00Z',
        pv_production_kwh: 12,
        consumption_kwh: null,
        grid_import_kwh: null,
        grid_export_kwh: null,
        self_consumption_ratio: null,
        self_sufficiency_ratio: null,
        effacement_delivered_kwh: null,
      },
    ]);
    expect(openDataRows([{ ...hour(11, 5, 3_000), effacementWh: 500 }], 5)[0]).toMatchObject({
      grid_export_kwh: 2,
      effacement_delivered_kwh: 0.5,
    });
  });

  it('is CSV that its Table Schema validates (Frictionless tableschema), empty cells as missing values', async () => {
    const schema = await Schema.load(OPEN_DATA_SCHEMA);
    expect(schema.valid).toBe(true);
    const table = await Table.load(
      openDataCsv(rows)
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(',')),
      { schema, headers: 1 },
    );
    const cast = (await table.read({ cast: true })) as unknown as unknown[][];
    expect(cast).toHaveLength(3);
    expect(cast[0][2]).toBeNull();
    expect(cast[2][6]).toBe(0.2);
    // And it refuses what breaks it: a negative energy, a ratio over 1.
    const refusal = (row: string[]) => {
      try {
        schema.castRow(row);
        return 'accepted';
      } catch (error) {
        return ((error as { errors?: Array<{ message: string }> }).errors ?? []).map((e) => e.message).join('; ');
      }
    };
    expect(refusal(['2026-06-17T10:00:00Z', '-1', '', '', '', '', '', ''])).toMatch(/"minimum" constraint/);
    expect(refusal(['2026-06-17T10:00:00Z', '1', '', '', '', '1.5', '', ''])).toMatch(/"maximum" constraint/);
    expect(refusal(['2026-06-17T10:00:00Z', '1', '', '', '', '0.5', '', ''])).toBe('accepted');
    // An effacement may come out negative (the îlot consumed more than its reference): a figure, not an error.
    expect(refusal(['2026-06-17T10:00:00Z', '1', '', '', '', '0.5', '', '-2.5'])).toBe('accepted');
  });
});
