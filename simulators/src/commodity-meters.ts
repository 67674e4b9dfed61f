import { localDateTime } from '@ilot/domain';
import { COMMODITY_METERS, commodityOf, type CommodityMeterSpec, isCommodityMeter, type Site } from '@ilot/site';
import type { ProfileTable } from './profile-table';

/**
 * Share of a home's water drawn in each local hour (0-23): morning and evening peaks, little at night. A typical
 * diurnal shape of domestic water use (the morning 7-9 h and evening 19-22 h peaks that metered French and European
 * homes show, e.g. the EN 16147 tapping cycles), not a measured series: docs/commodities.md.
 */
const WATER_BY_HOUR = [
  1, 0.5, 0.4, 0.4, 0.5, 1.5, 4.5, 8, 7.5, 5.5, 4.5, 4.5, 5, 4.5, 3.5, 3.5, 4, 5, 6.5, 7.5, 7, 5.5, 4, 2,
];
const WATER_TOTAL = WATER_BY_HOUR.reduce((a, b) => a + b, 0);

/** Space heating follows the outdoor temperature below this (°C), as the heat pumps of the simulated world do. */
const HEATING_BASE_C = 16;
/** Of a flat's yearly gas or heat, the share that heats rooms; the rest heats water (ADEME's ~80 / 20 for a flat). */
const SPACE_HEATING_SHARE = 0.8;
const DEFAULTS = { gasAnnualKWh: 9000, heatAnnualKWh: 6000, waterAnnualM3: 55, gasKWhPerM3: 11.2 };

/**
 * The site's gas, water and heat meters, replayed (issue 16): gas and heat from the outdoor temperature of the
 * shipped profiles (degree-hours below 16 °C share the yearly heating) plus hot water on the water shape; water on
 * its daily shape. Each meter reports as real ones do: the gas and heat meters an index (m³, Wh), the water meter
 * the litres since its previous reading. Pure but for the indexes it keeps.
 */
export class CommodityMeters {
  private readonly heatingDegreeHours: number;
  private readonly indexes = new Map<string, number>();
  private readonly seq = new Map<string, number>();
  private lastMs: number | undefined;

  constructor(
    readonly site: Site,
    private readonly profiles: ProfileTable,
  ) {
    this.heatingDegreeHours = profiles.sumOverYear('airTempC', (c) => Math.max(HEATING_BASE_C - c, 0)) * 0.25;
    this.meters().forEach((meter, i) => this.indexes.set(meter.id, meter.kind === 'water_meter' ? 0 : 1000 + 137 * i));
  }

  meters(): CommodityMeterSpec[] {
    return [...this.site.devices.values()].filter((d): d is CommodityMeterSpec & { buildingId: string } =>
      isCommodityMeter(d),
    );
  }

  /** What a meter counts in an hour at `at`, in its unit (m³, L, Wh). */
  ratePerHour(meter: CommodityMeterSpec, at: Date): number {
    const hour = Math.floor(localDateTime(at, this.site.timezone).minuteOfDay / 60);
    const waterShare = WATER_BY_HOUR[hour] / WATER_TOTAL;
    const heating = Math.max(HEATING_BASE_C - this.profiles.value('airTempC', at), 0) / this.heatingDegreeHours;
    const heatKWh = (annualKWh: number) =>
      annualKWh * (SPACE_HEATING_SHARE * heating + ((1 - SPACE_HEATING_SHARE) * waterShare) / 365);
    switch (meter.kind) {
      case 'gas_meter':
        return (
          heatKWh(meter.annualKWh ?? DEFAULTS.gasAnnualKWh) /
          (this.site.commodities?.gas?.kWhPerM3 ?? DEFAULTS.gasKWhPerM3)
        );
      case 'heat_meter':
        return heatKWh(meter.annualKWh ?? DEFAULTS.heatAnnualKWh) * 1000;
      case 'water_meter':
        return ((meter.annualM3 ?? DEFAULTS.waterAnnualM3) * 1000 * waterShare) / 365;
    }
  }

  /** Every meter's reading at `at`, counting what flowed since the previous step (nothing at the first). */
  step(at: Date): Array<{ deviceId: string; payload: Record<string, number | string> }> {
    const elapsedH = this.lastMs === undefined ? 0 : Math.max(at.getTime() - this.lastMs, 0) / 3_600_000;
    this.lastMs = at.getTime();
    return this.meters().map((meter) => {
      const quantity = this.ratePerHour(meter, at) * elapsedH;
      const seq = (this.seq.get(meter.id) ?? 0) + 1;
      this.seq.set(meter.id, seq);
      const unit = COMMODITY_METERS[commodityOf(meter)].unit;
      if (meter.kind === 'water_meter')
        return { deviceId: meter.id, payload: { ts: at.toISOString(), seq, volumeL: round(quantity, 3) } };
      const index = this.indexes.get(meter.id)! + quantity;
      this.indexes.set(meter.id, index);
      const field = unit === 'm3' ? 'indexM3' : 'indexWh';
      return { deviceId: meter.id, payload: { ts: at.toISOString(), seq, [field]: round(index, 3) } };
    });
  }
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
