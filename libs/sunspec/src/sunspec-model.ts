/**
 * SunSpec information models as the SunSpec Alliance publishes them (libs/sunspec/models, Apache 2.0): a model's
 * top-level points in register order, and how a point's registers read and write. Pure: no Modbus here.
 */

export type PointType =
  | 'uint16'
  | 'int16'
  | 'uint32'
  | 'int32'
  | 'uint64'
  | 'int64'
  | 'acc16'
  | 'acc32'
  | 'acc64'
  | 'bitfield16'
  | 'bitfield32'
  | 'bitfield64'
  | 'enum16'
  | 'enum32'
  | 'float32'
  | 'float64'
  | 'sunssf'
  | 'string'
  | 'pad'
  | 'count'
  | 'ipaddr'
  | 'ipv6addr'
  | 'eui48';

/** One point of a model's JSON definition (the fields we use). */
export interface PointDef {
  name: string;
  type: PointType;
  size: number;
  sf?: string;
  access?: 'R' | 'RW';
  units?: string;
  value?: number;
}

export interface ModelDef {
  id: number;
  group: { name: string; points: PointDef[]; groups?: unknown[] };
}

/** A point placed in its model: registers from the model's first (its ID) on. */
export interface PlacedPoint extends PointDef {
  offset: number;
}

/** The top-level points of a model with their offsets (repeating groups, after them, are not placed). */
export function placePoints(model: ModelDef): PlacedPoint[] {
  let offset = 0;
  return model.group.points.map((point) => {
    const placed = { ...point, offset };
    offset += point.size;
    return placed;
  });
}

/**
 * "Not implemented" in SunSpec: a point a device does not have reads as this value of its type (the SunSpec Information
 * Model Specification's table of types). Such a value is not a reading.
 */
const NOT_IMPLEMENTED: Partial<Record<PointType, bigint>> = {
  uint16: 0xffffn,
  int16: 0x8000n,
  uint32: 0xffffffffn,
  int32: 0x80000000n,
  uint64: 0xffffffffffffffffn,
  int64: 0x8000000000000000n,
  acc16: 0n,
  acc32: 0n,
  acc64: 0n,
  bitfield16: 0xffffn,
  bitfield32: 0xffffffffn,
  enum16: 0xffffn,
  enum32: 0xffffffffn,
  sunssf: 0x8000n,
  count: 0n,
};

/** The raw registers of a point as one unsigned integer (big-endian words, as SunSpec lays them). */
function rawOf(registers: readonly number[]): bigint {
  return registers.reduce((acc, word) => (acc << 16n) | BigInt(word & 0xffff), 0n);
}

/**
 * A point's value from its registers, before any scale factor: a number, a string for `string`, or undefined when the
 * device says it does not implement it. Accumulators read 0 when not implemented (their SunSpec sentinel).
 */
export function decodePoint(
  point: Pick<PointDef, 'type' | 'size'>,
  registers: readonly number[],
): number | string | undefined {
  if (registers.length !== point.size)
    throw new RangeError(`a ${point.type} needs ${point.size} registers, got ${registers.length}`);
  if (point.type === 'string') {
    const bytes = registers.flatMap((w) => [(w >> 8) & 0xff, w & 0xff]);
    const text = Buffer.from(bytes).toString('utf8').replace(/\0+$/, '');
    return text.length ? text : undefined;
  }
  if (point.type === 'pad' || point.type === 'ipaddr' || point.type === 'ipv6addr' || point.type === 'eui48')
    return undefined;
  if (point.type === 'float32' || point.type === 'float64') {
    const buffer = Buffer.alloc(2 * registers.length);
    registers.forEach((w, i) => buffer.writeUInt16BE(w, 2 * i));
    const value = point.type === 'float32' ? buffer.readFloatBE(0) : buffer.readDoubleBE(0);
    return Number.isNaN(value) ? undefined : value;
  }
  const raw = rawOf(registers);
  if (NOT_IMPLEMENTED[point.type] === raw) return undefined;
  const bits = BigInt(16 * point.size);
  const signed = point.type.startsWith('int') || point.type === 'sunssf';
  return Number(signed && raw >= 1n << (bits - 1n) ? raw - (1n << bits) : raw);
}

/** A value as a point's registers (the inverse of decodePoint for numbers); out of the type's range is an error. */
export function encodePoint(point: Pick<PointDef, 'name' | 'type' | 'size'>, value: number): number[] {
  if (!Number.isFinite(value)) throw new RangeError(`${point.name}: ${value} is not a number`);
  if (point.type === 'float32') {
    const buffer = Buffer.alloc(4);
    buffer.writeFloatBE(value, 0);
    return [buffer.readUInt16BE(0), buffer.readUInt16BE(2)];
  }
  if (point.type === 'string' || point.type === 'float64' || point.type === 'pad')
    throw new RangeError(`${point.name}: writing a ${point.type} is not supported`);
  const bits = BigInt(16 * point.size);
  const signed = point.type.startsWith('int') || point.type === 'sunssf';
  let raw = BigInt(Math.round(value));
  const [min, max] = signed ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
  if (raw < min || raw > max) throw new RangeError(`${point.name}: ${value} is out of a ${point.type}'s range`);
  if (raw < 0n) raw += 1n << bits;
  return Array.from({ length: point.size }, (_, i) => Number((raw >> (16n * BigInt(point.size - 1 - i))) & 0xffffn));
}

/** A model's values: each implemented top-level point, scale factors applied (value x 10^sf). */
export type ModelValues = Map<string, number | string>;

/**
 * A model's top-level points read from its registers (from its ID register on), scale factors applied (the scale
 * factors themselves kept as read, for writing); points not implemented, or whose scale factor is not, are left
 * out. Pure.
 */
export function decodeModel(model: ModelDef, registers: readonly number[]): ModelValues {
  const placed = placePoints(model).filter((p) => p.offset + p.size <= registers.length);
  const raw = new Map<string, number | string>();
  for (const point of placed) {
    const value = decodePoint(point, registers.slice(point.offset, point.offset + point.size));
    if (value !== undefined) raw.set(point.name, value);
  }
  const values: ModelValues = new Map();
  for (const point of placed) {
    const value = raw.get(point.name);
    if (value === undefined) continue;
    if (!point.sf || typeof value !== 'number') {
      values.set(point.name, value);
      continue;
    }
    const sf = raw.get(point.sf);
    if (typeof sf === 'number') values.set(point.name, scaled(value, sf));
  }
  return values;
}

/** value x 10^sf without the binary noise of 10^-n (1234 x 10^-1 is 123.4, not 123.40000000000001). */
export function scaled(value: number, sf: number): number {
  return sf >= 0 ? value * 10 ** sf : value / 10 ** -sf;
}

/** The raw integer a value is written as under a scale factor (the inverse of `scaled`). */
export function unscaled(value: number, sf: number): number {
  return Math.round(sf >= 0 ? value / 10 ** sf : value * 10 ** -sf);
}
