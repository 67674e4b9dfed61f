import { pricePointAt, type PricePoint, type TariffSpec } from '@ilot/site';
import { localDateTime, minuteInWindow, parseWindow } from '@ilot/domain';

export type TariffPeriod = 'HP' | 'HC';
export type TempoColour = 'blue' | 'white' | 'red';

export interface SlotPrice {
  importEurPerKWh: number;
  exportEurPerKWh: number;
  /** HP/HC and Tempo only. */
  period?: TariffPeriod;
  tempoColour?: TempoColour;
}

/** Tempo colour of a local date (YYYY-MM-DD), from the signals received; unknown days price as blue. */
export type TempoCalendar = (localDate: string) => TempoColour | undefined;

export class UnsupportedTariffError extends Error {
  readonly code = 'TARIFF_UNSUPPORTED';
}

/**
 * Price of energy at an instant. HP/HC windows are in the site's local time, so the price of a
 * UTC instant depends on the zone and on DST; local days of 23 and 25 hours price correctly.
 */
export function priceAt(
  at: Date,
  tariff: TariffSpec,
  timeZone: string,
  tempoCalendar: TempoCalendar = () => undefined,
  series?: readonly PricePoint[],
): SlotPrice {
  switch (tariff.kind) {
    case 'hphc': {
      const period = periodAt(at, tariff.hcWindows, timeZone);
      return {
        period,
        importEurPerKWh: period === 'HC' ? tariff.hcEurPerKWh : tariff.hpEurPerKWh,
        exportEurPerKWh: tariff.feedInEurPerKWh,
      };
    }
    case 'tempo': {
      const period = periodAt(at, tariff.hcWindows, timeZone);
      // A Tempo day runs 06:00 to 06:00 local: the night belongs to the day that started at 06:00.
      const local = localDateTime(new Date(at.getTime() - 6 * 3_600_000), timeZone);
      const colour = tempoCalendar(local.date) ?? 'blue';
      const prices = tariff[colour];
      return {
        period,
        tempoColour: colour,
        importEurPerKWh: period === 'HC' ? prices.hcEurPerKWh : prices.hpEurPerKWh,
        exportEurPerKWh: tariff.feedInEurPerKWh,
      };
    }
    case 'dynamic': {
      const point = pricePointAt(series ?? [], at.getTime());
      if (!point)
        throw new UnsupportedTariffError(
          `no dynamic price at ${at.toISOString()}: the series starts later or is empty`,
        );
      return {
        importEurPerKWh: point.importEurPerKWh,
        exportEurPerKWh: point.exportEurPerKWh ?? tariff.feedInEurPerKWh,
      };
    }
    default: {
      const unreachable: never = tariff;
      throw new UnsupportedTariffError(`unknown tariff ${JSON.stringify(unreachable)}`);
    }
  }
}

export function periodAt(at: Date, hcWindows: readonly string[], timeZone: string): TariffPeriod {
  const { minuteOfDay } = localDateTime(at, timeZone);
  return hcWindows.some((w) => minuteInWindow(minuteOfDay, parseWindow(w))) ? 'HC' : 'HP';
}
