import { DEFAULT_ROOFTOP } from '../solar-geometry';
import type { ExternalPvPoint } from '../external-pv';
import type { TemperatureSample } from '../weather-load-model';

/** A PV array as a weather provider is asked about it (the site file's pv device). */
export interface ProviderArray {
  id: string;
  peakW: number;
  /** The inverter's AC limit, W (default: the peak power). */
  inverterW?: number;
  tiltDeg: number;
  /** Compass degrees the array faces: 180 south, 90 east, 270 west. */
  azimuthDeg: number;
}

/** A provider's answer made into forecast points (the `forecast` topic's meaning), or why it could not be. */
export type ProviderParse =
  | {
      ok: true;
      points: ExternalPvPoint[];
      /** The air temperature the provider forecast beside it, where it gives one (the load model's, issue 27 §5). */
      temperatures?: TemperatureSample[];
    }
  | { ok: false; problem: string };

/** The performance ratio a provider's irradiance is turned into AC power with (libs/forecasting DEFAULT_ROOFTOP's). */
export const PROVIDER_PERFORMANCE_RATIO = DEFAULT_ROOFTOP.performanceRatio;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
