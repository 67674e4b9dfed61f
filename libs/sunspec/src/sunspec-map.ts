/** Reads `count` holding registers from `address` (the device's Modbus function 3). */
export type ReadRegisters = (address: number, count: number) => Promise<number[]>;

/** Where a SunSpec map may start (the "SunS" marker), in the order devices most often put it. */
export const SUNSPEC_BASES = [40000, 0, 50000] as const;
/** "SunS" as two registers. */
export const SUNS_MARKER = [0x5375, 0x6e53] as const;
/** The model ID that ends the chain. */
export const END_MODEL_ID = 0xffff;
/** A Modbus read carries at most this many registers. */
export const MAX_READ_REGISTERS = 125;

/** A model in a device's map: its ID, the address of its ID register and its length (registers after ID and L). */
export interface MapEntry {
  id: number;
  address: number;
  length: number;
}

export type DiscoveredMap = { ok: true; base: number; models: MapEntry[] } | { ok: false; problem: string };

/**
 * Finds a device's SunSpec map: the "SunS" marker at 40000, 0 or 50000, then the chain of models (ID, L, points)
 * to the end marker 0xFFFF. A base that cannot be read is tried no further (many devices answer an exception there).
 */
export async function discoverMap(read: ReadRegisters): Promise<DiscoveredMap> {
  const tried: string[] = [];
  for (const base of SUNSPEC_BASES) {
    const marker = await read(base, 2).catch((error: Error) => {
      tried.push(`${base}: ${error.message}`);
      return undefined;
    });
    if (!marker) continue;
    if (marker[0] !== SUNS_MARKER[0] || marker[1] !== SUNS_MARKER[1]) {
      tried.push(`${base}: no "SunS" marker`);
      continue;
    }
    const models: MapEntry[] = [];
    let address = base + 2;
    for (let n = 0; n < 100; n++) {
      const [id, length] = await read(address, 2);
      if (id === END_MODEL_ID) return { ok: true, base, models };
      models.push({ id, address, length });
      address += 2 + length;
      if (address > 0xffff) break;
    }
    return { ok: false, problem: `the model chain from ${base} has no end marker` };
  }
  return { ok: false, problem: `no SunSpec map (${tried.join('; ')})` };
}

/** A model's registers, from its ID register on, read in chunks a Modbus read can carry. */
export async function readModel(read: ReadRegisters, entry: MapEntry): Promise<number[]> {
  const total = entry.length + 2;
  const registers: number[] = [];
  for (let offset = 0; offset < total; offset += MAX_READ_REGISTERS)
    registers.push(...(await read(entry.address + offset, Math.min(MAX_READ_REGISTERS, total - offset))));
  return registers;
}
