import { SUNSPEC_MODELS } from './models';
import { encodePoint, type ModelValues, placePoints, scaled, unscaled } from './sunspec-model';
import type { MapEntry } from './sunspec-map';

/** A device's models as last read: by model ID, its place in the map and its values. */
export type DeviceModels = ReadonlyMap<number, { entry: MapEntry; values: ModelValues }>;

/** What a SunSpec device reports as îlot telemetry (signs of docs/design.md: > 0 into the building). */
export interface SunSpecReading {
  powerW: number;
  energyWh?: number;
  socPct?: number;
}

const INVERTER_MODELS = [701, 103, 102, 101, 113, 112, 111] as const;

/**
 * The telemetry of a device from its models: the AC power of its inverter (DER model 701, else 101-103 / 111-113: > 0
 * when it feeds the building, a battery discharging or PV producing), its lifetime energy fed, and the state of
 * charge (802, else 713, else 124's ChaState). Undefined when it has no inverter model with a power: nothing to send.
 */
export function readingOf(models: DeviceModels): SunSpecReading | undefined {
  const inverter = INVERTER_MODELS.map((id) => models.get(id)?.values).find((v) => typeof v?.get('W') === 'number');
  if (!inverter) return undefined;
  const energyWh = [inverter.get('TotWhInj'), inverter.get('WH')].find((v) => typeof v === 'number');
  const socPct = [
    models.get(802)?.values.get('SoC'),
    models.get(713)?.values.get('SoC'),
    models.get(124)?.values.get('ChaState'),
  ].find((v) => typeof v === 'number');
  return {
    powerW: inverter.get('W') as number,
    ...(typeof energyWh === 'number' && energyWh > 0 ? { energyWh } : {}),
    ...(typeof socPct === 'number' ? { socPct: Math.min(Math.max(socPct, 0), 100) } : {}),
  };
}

/** One register write: the model's point, its engineering value, its registers and address. */
export interface PointWrite {
  model: number;
  point: string;
  value: number;
  address: number;
  registers: number[];
}

export type WritePlan = { ok: true; writes: PointWrite[]; describe: string } | { ok: false; reason: string };

/** The writes of points of one model, each value in engineering units under its scale factor. */
function writesOf(models: DeviceModels, modelId: number, values: ReadonlyArray<[string, number]>): PointWrite[] {
  const { entry, values: read } = models.get(modelId)!;
  const points = new Map(placePoints(SUNSPEC_MODELS.get(modelId)!).map((p) => [p.name, p]));
  return values.map(([name, value]) => {
    const point = points.get(name)!;
    const sf = point.sf ? (read.get(point.sf) as number | undefined) : undefined;
    if (point.sf && sf === undefined) throw new RangeError(`${name}: its scale factor ${point.sf} is not implemented`);
    const raw = sf === undefined ? Math.round(value) : unscaled(value, sf);
    return {
      model: modelId,
      point: name,
      value: sf === undefined ? raw : scaled(raw, sf),
      address: entry.address + point.offset,
      registers: encodePoint(point, raw),
    };
  });
}

/** A revert timer within a uint16 of seconds, at least one second. */
function revertSeconds(revertS: number): number {
  return Math.min(Math.max(Math.floor(revertS), 1), 0xffff);
}

/**
 * `battery.setpoint` on a SunSpec storage (model 124): charge (setpoint < 0) or discharge (> 0) at |setpoint|, as a
 * window of rates in % of WChaMax closed on it: charging at p %, InWRte = p and OutWRte = -p (a negative discharge
 * rate forces the charge), and the mirror to discharge; both 0 to hold. StorCtl_Mod = 3 (both limits active), and the
 * revert timer InOutWRte_RvrtTms set to the seconds left before `validUntil`: the inverter returns to its own mode by
 * itself if the gateway is gone by then. A setpoint beyond WChaMax is refused (the plan is out of the device's range).
 */
export function batterySetpointWrites(models: DeviceModels, setpointW: number, revertS: number): WritePlan {
  const storage = models.get(124)?.values;
  if (!storage && controlsStorageBy704(models)) return activePowerWrites(models, setpointW, revertS);
  if (!storage)
    return { ok: false, reason: 'the device has no SunSpec storage control (model 124, or 704 on a storage device)' };
  const maxW = storage.get('WChaMax');
  if (typeof maxW !== 'number' || maxW <= 0) return { ok: false, reason: 'its WChaMax is not implemented or 0' };
  if (Math.abs(setpointW) > maxW * 1.0001)
    return { ok: false, reason: `setpoint ${setpointW} W beyond the device's WChaMax ${maxW} W` };
  const pct = (Math.abs(setpointW) / maxW) * 100;
  const [inPct, outPct] = setpointW < 0 ? [pct, -pct] : setpointW > 0 ? [-pct, pct] : [0, 0];
  try {
    const writes = writesOf(models, 124, [
      ['InWRte', inPct],
      ['OutWRte', outPct],
      ['InOutWRte_RvrtTms', revertSeconds(revertS)],
      ['StorCtl_Mod', 3],
    ]);
    return {
      ok: true,
      writes,
      describe: `model 124: InWRte ${writes[0].value} %, OutWRte ${writes[1].value} % of WChaMax ${maxW} W, revert in ${writes[2].value} s`,
    };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/**
 * `pv.curtail` on a SunSpec inverter: model 123's WMaxLimPct (% of WMax from 121, else WRtg from 120) with its revert
 * timer and WMaxLim_Ena = 1, or model 704's WMaxLimPct with WMaxLimPctRvrtTms where the device has no 123.
 */
export function curtailWrites(models: DeviceModels, maxW: number, revertS: number): WritePlan {
  const ratingW = [
    models.get(121)?.values.get('WMax'),
    models.get(120)?.values.get('WRtg'),
    models.get(702)?.values.get('WMaxRtg'),
  ].find((v): v is number => typeof v === 'number' && v > 0);
  if (ratingW === undefined)
    return { ok: false, reason: 'no rated power (121 WMax, 120 WRtg or 702 WMaxRtg) to take a percentage of' };
  const pct = Math.min(Math.max((maxW / ratingW) * 100, 0), 100);
  try {
    if (models.has(123)) {
      const writes = writesOf(models, 123, [
        ['WMaxLimPct', pct],
        ['WMaxLimPct_RvrtTms', revertSeconds(revertS)],
        ['WMaxLim_Ena', 1],
      ]);
      return {
        ok: true,
        writes,
        describe: `model 123: WMaxLimPct ${writes[0].value} % of ${ratingW} W, revert in ${writes[1].value} s`,
      };
    }
    if (models.has(704)) {
      const writes = writesOf(models, 704, [
        ['WMaxLimPct', pct],
        ['WMaxLimPctRvrtTms', Math.max(Math.floor(revertS), 1)],
        ['WMaxLimPctEna', 1],
      ]);
      return {
        ok: true,
        writes,
        describe: `model 704: WMaxLimPct ${writes[0].value} % of ${ratingW} W, revert in ${writes[1].value} s`,
      };
    }
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  return { ok: false, reason: 'the device has no SunSpec control model (123 or 704) to curtail with' };
}

/** A storage device (802 or 713) without model 124 but with 704's active power setting: controlled through 704. */
function controlsStorageBy704(models: DeviceModels): boolean {
  return !models.has(124) && models.has(704) && (models.has(802) || models.has(713));
}

/**
 * The most a storage device controlled by 704 charges and discharges at, W: 702's WChaRteMaxRtg and WDisChaRteMaxRtg,
 * else its WMaxRtg both ways; undefined where 702 says nothing (the device then judges).
 */
function storageRatingsW(models: DeviceModels): { chargeW?: number; dischargeW?: number } {
  const ratings = models.get(702)?.values;
  const rated = (name: string) => {
    const value = ratings?.get(name);
    return typeof value === 'number' && value > 0 ? value : undefined;
  };
  const maxW = rated('WMaxRtg');
  return { chargeW: rated('WChaRteMaxRtg') ?? maxW, dischargeW: rated('WDisChaRteMaxRtg') ?? maxW };
}

/**
 * `battery.setpoint` on a storage device through model 704 (IEEE 1547 / SunSpec DER): the active power setting in watts
 * (WSetMod = WATTS, WSet > 0 injecting: discharging, < 0 absorbing: charging), its reversion timer WSetRvrtTms set to the
 * seconds left before `validUntil`, and WSetEna = 1.
 */
function activePowerWrites(models: DeviceModels, setpointW: number, revertS: number): WritePlan {
  const { chargeW, dischargeW } = storageRatingsW(models);
  const limitW = setpointW < 0 ? chargeW : dischargeW;
  if (limitW !== undefined && Math.abs(setpointW) > limitW * 1.0001)
    return {
      ok: false,
      reason: `setpoint ${setpointW} W beyond the device's ${setpointW < 0 ? 'WChaRteMaxRtg' : 'WDisChaRteMaxRtg'} ${limitW} W`,
    };
  try {
    const writes = writesOf(models, 704, [
      ['WSetMod', 1],
      ['WSet', setpointW],
      ['WSetRvrtTms', revertSeconds(revertS)],
      ['WSetEna', 1],
    ]);
    return { ok: true, writes, describe: `model 704: WSet ${writes[1].value} W, revert in ${writes[2].value} s` };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/**
 * The most a storage device charges and discharges at, W, as the gateway may ask it: 124's WChaMax both ways, else
 * 702's ratings for a device controlled by 704.
 */
export function storageLimitW(models: DeviceModels): number | undefined {
  const wChaMax = models.get(124)?.values.get('WChaMax');
  if (typeof wChaMax === 'number' && wChaMax > 0) return wChaMax;
  if (!controlsStorageBy704(models)) return undefined;
  const { chargeW, dischargeW } = storageRatingsW(models);
  return chargeW !== undefined && dischargeW !== undefined ? Math.min(chargeW, dischargeW) : undefined;
}

/** The writes that hand a device back to its own mode: storage control off (124 or 704), power limit off (123, 704). */
export function releaseWrites(models: DeviceModels): PointWrite[] {
  return [
    ...(models.has(124) ? writesOf(models, 124, [['StorCtl_Mod', 0]]) : []),
    ...(controlsStorageBy704(models) ? writesOf(models, 704, [['WSetEna', 0]]) : []),
    ...(models.has(123) ? writesOf(models, 123, [['WMaxLim_Ena', 0]]) : []),
    ...(!models.has(123) && models.has(704) ? writesOf(models, 704, [['WMaxLimPctEna', 0]]) : []),
  ];
}

/**
 * Whether a read-back holds what was written: each point's value, within half its last digit (the scale factor's
 * rounding). Names the first point that differs.
 */
export function readBackMismatch(models: DeviceModels, writes: readonly PointWrite[]): string | undefined {
  for (const write of writes) {
    const read = models.get(write.model)?.values.get(write.point);
    const point = placePoints(SUNSPEC_MODELS.get(write.model)!).find((p) => p.name === write.point)!;
    const sf = point.sf ? (models.get(write.model)?.values.get(point.sf) as number | undefined) : undefined;
    const toleranceW = sf === undefined ? 0 : scaled(1, sf) / 2;
    if (typeof read !== 'number' || Math.abs(read - write.value) > toleranceW + 1e-9)
      return `${write.point} reads ${read ?? 'not implemented'} after writing ${write.value}`;
  }
  return undefined;
}
