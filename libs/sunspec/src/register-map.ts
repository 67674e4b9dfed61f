import { SUNSPEC_MODELS } from './models';
import { encodePoint, placePoints, unscaled, type PointDef } from './sunspec-model';
import { END_MODEL_ID, type MapEntry, SUNS_MARKER } from './sunspec-map';

/** A model of a device's map to build: its ID and the engineering values of the points it implements. */
export interface ModelContent {
  id: number;
  /** Point name -> value in engineering units (scale factors by their own name, as raw integers). */
  values: Record<string, number | string>;
}

/** The "not implemented" registers of the types whose sentinel is not all ones (SunSpec's table of types). */
const NOT_IMPLEMENTED_REGISTERS: Partial<Record<PointDef['type'], number[]>> = {
  int16: [0x8000],
  sunssf: [0x8000],
  int32: [0x8000, 0],
  int64: [0x8000, 0, 0, 0],
  float32: [0x7fc0, 0],
};
const ZERO_WHEN_ABSENT = new Set<PointDef['type']>([
  'acc16',
  'acc32',
  'acc64',
  'count',
  'string',
  'pad',
  'ipaddr',
  'ipv6addr',
  'eui48',
]);

/** The "not implemented" registers of a point (what a device answers for a point it does not have). */
function notImplemented(point: PointDef): number[] {
  const special = NOT_IMPLEMENTED_REGISTERS[point.type];
  if (special) return [...special];
  return new Array<number>(point.size).fill(ZERO_WHEN_ABSENT.has(point.type) ? 0 : 0xffff);
}

function stringRegisters(text: string, size: number): number[] {
  const bytes = Buffer.alloc(size * 2);
  bytes.write(text.slice(0, size * 2), 'utf8');
  return Array.from({ length: size }, (_, i) => bytes.readUInt16BE(2 * i));
}

/**
 * A SunSpec register map as a device lays it (the SunSpec Information Model Specification): "SunS" at `base`, then each
 * model (ID, L, its top-level points), then the end marker. Values are given in engineering units and written under
 * the model's scale factors; points not given read "not implemented". Returns the registers from `base` and where
 * each model starts. Pure: what a simulated device serves.
 */
export function buildRegisterMap(
  models: readonly ModelContent[],
  base = 40000,
): { registers: number[]; entries: MapEntry[] } {
  const registers: number[] = [...SUNS_MARKER];
  const entries: MapEntry[] = [];
  for (const content of models) {
    const def = SUNSPEC_MODELS.get(content.id);
    if (!def) throw new RangeError(`model ${content.id} is not among the models this library carries`);
    const points = placePoints(def);
    const length = points.reduce((sum, p) => sum + p.size, 0) - 2;
    entries.push({ id: content.id, address: base + registers.length, length });
    for (const point of points) {
      if (point.name === 'ID') registers.push(content.id);
      else if (point.name === 'L') registers.push(length);
      else registers.push(...pointRegisters(point, content.values));
    }
  }
  registers.push(END_MODEL_ID, 0);
  return { registers, entries };
}

/** A point's registers from the engineering values given (its scale factor among them), or "not implemented". */
export function pointRegisters(point: PointDef, values: Record<string, number | string>): number[] {
  const value = values[point.name];
  if (value === undefined) return notImplemented(point);
  if (point.type === 'string') return stringRegisters(String(value), point.size);
  const sf = point.sf === undefined ? undefined : values[point.sf];
  if (point.sf && typeof sf !== 'number') throw new RangeError(`${point.name} needs its scale factor ${point.sf}`);
  return encodePoint(point, typeof sf === 'number' ? unscaled(Number(value), sf) : Number(value));
}
