import {
  batterySetpointWrites,
  buildRegisterMap,
  curtailWrites,
  decodeModel,
  decodePoint,
  type DeviceModels,
  discoverMap,
  encodePoint,
  readBackMismatch,
  readingOf,
  readModel,
  releaseWrites,
  type ModelContent,
  SUNSPEC_MODELS,
} from '.';

/** A hybrid battery inverter's map (common, three-phase inverter, nameplate, storage, battery) at 40000. */
const hybrid: ModelContent[] = [
  { id: 1, values: { Mn: 'Ilot', Md: 'Hybrid 10', SN: 'H-0001', DA: 1 } },
  { id: 103, values: { W: -2500, W_SF: 0, WH: 123_450, WH_SF: 1, A: 10.5, A_SF: -1 } },
  { id: 120, values: { DERTyp: 82, WRtg: 10_000, WRtg_SF: 0 } },
  {
    id: 124,
    values: {
      WChaMax: 5000,
      WChaMax_SF: 0,
      StorCtl_Mod: 0,
      InWRte: 0,
      OutWRte: 0,
      InOutWRte_SF: -1,
      InOutWRte_RvrtTms: 0,
      ChaState: 55.5,
      ChaState_SF: -1,
    },
  },
  { id: 802, values: { SoC: 56, SoC_SF: 0 } },
];

/** Reads from a register array as a device at 40000 answers, an exception elsewhere. */
function deviceAt(base: number, registers: number[]) {
  return async (address: number, count: number) => {
    if (address < base || address + count > base + registers.length)
      throw new Error('Modbus exception 2 (illegal data address)');
    return registers.slice(address - base, address - base + count);
  };
}

async function modelsOf(registers: number[], base = 40000): Promise<DeviceModels> {
  const read = deviceAt(base, registers);
  const map = await discoverMap(read);
  if (!map.ok) throw new Error(map.problem);
  const out = new Map<number, { entry: (typeof map.models)[number]; values: ReturnType<typeof decodeModel> }>();
  for (const entry of map.models)
    out.set(entry.id, { entry, values: decodeModel(SUNSPEC_MODELS.get(entry.id)!, await readModel(read, entry)) });
  return out;
}

describe('SunSpec points', () => {
  it.each([
    ['uint16', 1, [0xffff], undefined],
    ['int16', 1, [0x8000], undefined],
    ['int16', 1, [0xfff6], -10],
    ['acc32', 2, [0, 0], undefined],
    ['acc32', 2, [0x0001, 0x0002], 65538],
    ['uint32', 2, [0xffff, 0xffff], undefined],
    ['int32', 2, [0xffff, 0xfffe], -2],
    ['sunssf', 1, [0xfffe], -2],
    ['sunssf', 1, [0x8000], undefined],
    ['enum16', 1, [0xffff], undefined],
    ['float32', 2, [0x7fc0, 0], undefined],
    ['float32', 2, [0x4148, 0], 12.5],
  ] as const)(
    'a %s read from %j is %s (undefined: "not implemented", never a reading)',
    (type, size, registers, expected) => {
      expect(decodePoint({ type, size }, registers)).toBe(expected);
    },
  );

  it.each([
    ['int16', 1, -10],
    ['uint32', 2, 70_000],
    ['int32', 2, -70_000],
    ['float32', 2, 12.5],
  ] as const)('writes a %s and reads it back', (type, size, value) => {
    expect(decodePoint({ type, size }, encodePoint({ name: 'X', type, size }, value))).toBe(value);
  });

  it('refuses to write a value out of its type', () => {
    expect(() => encodePoint({ name: 'InWRte', type: 'int16', size: 1 }, 40_000)).toThrow(
      "InWRte: 40000 is out of a int16's range",
    );
  });
});

describe('a SunSpec map', () => {
  it('is found at 40000 (then 0, then 50000), its chain walked to the end marker, each model decoded with its scale factors', async () => {
    const models = await modelsOf(buildRegisterMap(hybrid).registers);
    expect([...models.keys()]).toEqual([1, 103, 120, 124, 802]);
    expect(models.get(1)!.values.get('Md')).toBe('Hybrid 10');
    expect(models.get(103)!.values.get('A')).toBe(10.5);
    expect(models.get(103)!.values.get('WH')).toBe(123_450);
    // Points the device does not implement are absent, not zero.
    expect(models.get(103)!.values.has('Hz')).toBe(false);
    expect(readingOf(models)).toEqual({ powerW: -2500, energyWh: 123_450, socPct: 56 });
  });

  it('reads the status, enter-service and lithium-ion bank and string models where present (their top-level points)', async () => {
    const models = await modelsOf(
      buildRegisterMap([
        { id: 1, values: { Mn: 'Ilot test', Md: 'Bank', SN: 'SN-1', DA: 1 } },
        { id: 122, values: { PVConn: 1, StorConn: 1 } },
        { id: 703, values: { ES: 1 } },
        { id: 803, values: { NStr: 2, NStrCon: 2 } },
        { id: 804, values: { Idx: 1, NMod: 8, St: 1, SoC: 55, SoC_SF: 0 } },
      ]).registers,
    );
    expect([...models.keys()]).toEqual([1, 122, 703, 803, 804]);
    expect(models.get(122)!.values.get('StorConn')).toBe(1);
    expect(models.get(803)!.values.get('NStr')).toBe(2);
    expect(models.get(804)!.values.get('SoC')).toBe(55);
  });

  it('is found at 50000 when 40000 and 0 answer exceptions, and a device without one is said so', async () => {
    const models = await modelsOf(buildRegisterMap(hybrid, 50000).registers, 50000);
    expect(models.size).toBe(5);
    expect(await discoverMap(deviceAt(40000, [1, 2, 3]))).toEqual({
      ok: false,
      problem: expect.stringMatching(
        /^no SunSpec map \(40000: no "SunS" marker; 0: Modbus exception 2.*; 50000: Modbus exception 2/,
      ),
    });
  });
});

describe('commands as register writes', () => {
  it.each([
    ['charge 2 kW', -2000, 40, -40],
    ['discharge 5 kW', 5000, -100, 100],
    ['hold', 0, 0, 0],
  ])(
    'battery.setpoint (%s) closes the storage window on it, with its revert timer',
    async (_name, setpointW, inPct, outPct) => {
      const models = await modelsOf(buildRegisterMap(hybrid).registers);
      const plan = batterySetpointWrites(models, setpointW, 299.7);
      if (!plan.ok) throw new Error(plan.reason);
      const byPoint = Object.fromEntries(plan.writes.map((w) => [w.point, w]));
      expect(byPoint.InWRte.value).toBe(inPct);
      expect(byPoint.OutWRte.value).toBe(outPct);
      // Tenths of a percent on the wire (InOutWRte_SF -1).
      expect(byPoint.InWRte.registers).toEqual(encodePoint({ name: 'InWRte', type: 'int16', size: 1 }, inPct * 10));
      expect(byPoint.InOutWRte_RvrtTms.value).toBe(299);
      expect(byPoint.StorCtl_Mod.value).toBe(3);
      const storage = models.get(124)!.entry;
      expect(byPoint.StorCtl_Mod.address).toBe(storage.address + 5);
    },
  );

  it('refuses a setpoint beyond WChaMax, and a device without storage', async () => {
    const models = await modelsOf(buildRegisterMap(hybrid).registers);
    expect(batterySetpointWrites(models, -6000, 300)).toEqual({
      ok: false,
      reason: "setpoint -6000 W beyond the device's WChaMax 5000 W",
    });
    const pv = await modelsOf(
      buildRegisterMap([
        { id: 1, values: {} },
        { id: 103, values: { W: 1000, W_SF: 0 } },
      ]).registers,
    );
    expect(batterySetpointWrites(pv, 1000, 300)).toEqual({
      ok: false,
      reason: 'the device has no SunSpec storage control (model 124, or 704 on a storage device)',
    });
  });

  it('pv.curtail writes model 123 WMaxLimPct of the rated power, with its revert timer and the limit enabled', async () => {
    const pv = await modelsOf(
      buildRegisterMap([
        { id: 1, values: {} },
        { id: 103, values: { W: 8000, W_SF: 0 } },
        { id: 120, values: { WRtg: 8000, WRtg_SF: 0 } },
        { id: 123, values: { WMaxLimPct: 100, WMaxLimPct_SF: 0, WMaxLim_Ena: 0, WMaxLimPct_RvrtTms: 0 } },
      ]).registers,
    );
    const plan = curtailWrites(pv, 2000, 600);
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.writes.map((w) => [w.point, w.value])).toEqual([
      ['WMaxLimPct', 25],
      ['WMaxLimPct_RvrtTms', 600],
      ['WMaxLim_Ena', 1],
    ]);
    expect(releaseWrites(pv).map((w) => [w.point, w.value])).toEqual([['WMaxLim_Ena', 0]]);
  });

  it('a read-back that differs from the write is named', async () => {
    const models = await modelsOf(buildRegisterMap(hybrid).registers);
    const plan = batterySetpointWrites(models, -2000, 300);
    if (!plan.ok) throw new Error(plan.reason);
    // Read back before the device took it: the old values.
    expect(readBackMismatch(models, plan.writes)).toBe('InWRte reads 0 after writing 40');
    const after = buildRegisterMap(
      hybrid.map((m) =>
        m.id === 124
          ? { ...m, values: { ...m.values, InWRte: 40, OutWRte: -40, InOutWRte_RvrtTms: 300, StorCtl_Mod: 3 } }
          : m,
      ),
    );
    expect(readBackMismatch(await modelsOf(after.registers), plan.writes)).toBeUndefined();
  });
});
