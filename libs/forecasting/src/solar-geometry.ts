import { DAY_MS } from '@ilot/domain';
/**
 * Sun position and plane-of-array irradiance (NOAA / Spencer approximations, accurate to a
 * fraction of a degree: enough for PV power at 15-minute resolution).
 */
const DEG = Math.PI / 180;

export interface SolarPosition {
  /** Cosine of the solar zenith angle; <= 0 when the sun is below the horizon. */
  cosZenith: number;
  declinationRad: number;
  hourAngleRad: number;
}

export function solarPosition(at: Date, latitudeDeg: number, longitudeDeg: number): SolarPosition {
  const startOfYear = Date.UTC(at.getUTCFullYear(), 0, 1);
  const dayOfYear = Math.floor((at.getTime() - startOfYear) / DAY_MS) + 1;
  const hourUtc = at.getUTCHours() + at.getUTCMinutes() / 60 + at.getUTCSeconds() / 3600;
  const gamma = ((2 * Math.PI) / 365) * (dayOfYear - 1 + (hourUtc - 12) / 24);
  const equationOfTimeMin =
    229.18 *
    (0.000075 +
      0.001868 * Math.cos(gamma) -
      0.032077 * Math.sin(gamma) -
      0.014615 * Math.cos(2 * gamma) -
      0.040849 * Math.sin(2 * gamma));
  const declinationRad =
    0.006918 -
    0.399912 * Math.cos(gamma) +
    0.070257 * Math.sin(gamma) -
    0.006758 * Math.cos(2 * gamma) +
    0.000907 * Math.sin(2 * gamma) -
    0.002697 * Math.cos(3 * gamma) +
    0.00148 * Math.sin(3 * gamma);
  const trueSolarTimeMin = hourUtc * 60 + equationOfTimeMin + 4 * longitudeDeg;
  const hourAngleRad = (trueSolarTimeMin / 4 - 180) * DEG;
  const lat = latitudeDeg * DEG;
  const cosZenith =
    Math.sin(lat) * Math.sin(declinationRad) + Math.cos(lat) * Math.cos(declinationRad) * Math.cos(hourAngleRad);
  return { cosZenith, declinationRad, hourAngleRad };
}

/** Cosine of the angle of incidence on a south-facing plane tilted by `tiltDeg` (northern hemisphere). */
export function cosIncidenceSouth(position: SolarPosition, latitudeDeg: number, tiltDeg: number): number {
  const effectiveLat = (latitudeDeg - tiltDeg) * DEG;
  return (
    Math.sin(position.declinationRad) * Math.sin(effectiveLat) +
    Math.cos(position.declinationRad) * Math.cos(effectiveLat) * Math.cos(position.hourAngleRad)
  );
}

/** Haurwitz clear-sky global horizontal irradiance, W/m². */
export function clearSkyGhiWPerM2(position: SolarPosition): number {
  if (position.cosZenith <= 0.01) return 0;
  return 1098 * position.cosZenith * Math.exp(-0.057 / position.cosZenith);
}

export interface Irradiance {
  ghiWPerM2: number;
  dniWPerM2: number;
  dhiWPerM2: number;
  airTempC: number;
}

export interface PvArray {
  latitudeDeg: number;
  longitudeDeg: number;
  tiltDeg: number;
  /** Inverter, wiring, soiling and mismatch losses (performance ratio at 25 °C). */
  performanceRatio: number;
}

export const DEFAULT_ROOFTOP: Omit<PvArray, 'latitudeDeg' | 'longitudeDeg'> = { tiltDeg: 30, performanceRatio: 0.86 };

/**
 * AC power of 1 kWp of PV, W: isotropic-sky plane-of-array irradiance, NOCT cell temperature,
 * -0.4 %/K power temperature coefficient.
 */
export function pvPowerWPerKWp(at: Date, irradiance: Irradiance, array: PvArray): number {
  const position = solarPosition(at, array.latitudeDeg, array.longitudeDeg);
  if (position.cosZenith <= 0) return 0;
  const tilt = array.tiltDeg * DEG;
  const beam = irradiance.dniWPerM2 * Math.max(cosIncidenceSouth(position, array.latitudeDeg, array.tiltDeg), 0);
  const diffuse = (irradiance.dhiWPerM2 * (1 + Math.cos(tilt))) / 2;
  const reflected = (irradiance.ghiWPerM2 * 0.2 * (1 - Math.cos(tilt))) / 2;
  return acWPerKWpFromPlaneOfArray(beam + diffuse + reflected, irradiance.airTempC, array.performanceRatio);
}

/**
 * AC power of 1 kWp from the irradiance on its plane, W: the performance ratio's losses, the cell at NOCT 45 °C
 * (20 °C air, 800 W/m²), -0.4 %/K above 25 °C. Also turns a provider's tilted irradiance into power (issue 27 §3).
 */
export function acWPerKWpFromPlaneOfArray(
  planeOfArrayWPerM2: number,
  airTempC: number,
  performanceRatio: number,
): number {
  const cellTempC = airTempC + (planeOfArrayWPerM2 * (45 - 20)) / 800;
  return Math.max(planeOfArrayWPerM2 * performanceRatio * (1 - 0.004 * (cellTempC - 25)), 0);
}

/**
 * Clear-sky power already computed, by instant and array: every plan asks again for the same week of history and day
 * ahead, a few instants newer each time (measured: the sun's position was a third of a replay's time). Bounded; the
 * values are those of the function, so nothing observable changes.
 */
const clearSkyMemo = new Map<string, number>();
const CLEAR_SKY_MEMO_SIZE = 200_000;

/** PV power of 1 kWp under a clear sky, W: the shape a PV forecast scales. */
export function clearSkyPvWPerKWp(at: Date, array: PvArray): number {
  const key = `${at.getTime()}|${array.latitudeDeg}|${array.longitudeDeg}|${array.tiltDeg}|${array.performanceRatio}`;
  const known = clearSkyMemo.get(key);
  if (known !== undefined) return known;
  const value = computeClearSkyPvWPerKWp(at, array);
  if (clearSkyMemo.size >= CLEAR_SKY_MEMO_SIZE) clearSkyMemo.clear();
  clearSkyMemo.set(key, value);
  return value;
}

function computeClearSkyPvWPerKWp(at: Date, array: PvArray): number {
  const position = solarPosition(at, array.latitudeDeg, array.longitudeDeg);
  const ghi = clearSkyGhiWPerM2(position);
  if (ghi === 0) return 0;
  const dhi = 0.15 * ghi;
  const dni = (ghi - dhi) / position.cosZenith;
  return pvPowerWPerKWp(at, { ghiWPerM2: ghi, dniWPerM2: dni, dhiWPerM2: dhi, airTempC: 15 }, array);
}
