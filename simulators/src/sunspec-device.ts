import {
  buildRegisterMap,
  decodePoint,
  type MapEntry,
  type ModelContent,
  placePoints,
  pointRegisters,
  SUNSPEC_MODELS,
} from '@ilot/sunspec';
import { ServerSerial, ServerTCP } from 'modbus-serial';

/** A Modbus exception as modbus-serial's server answers it. */
interface ModbusException {
  modbusErrorCode: number;
  msg: string;
}

export interface SimulatedDeviceOptions {
  kind: 'hybrid-battery' | 'pv-inverter';
  /** The Modbus TCP port it answers on (127.0.0.1). */
  port: number;
  /** Modbus RTU instead: the serial device it answers on (e.g. one end of a socat pseudo-terminal pair), 9600 baud 8N1. */
  serialPath?: string;
  /** Where the map starts: 40000 (most devices), 0 or 50000. */
  base?: number;
  /** The battery's or inverter's rating, W. */
  ratingW: number;
  capacityWh?: number;
  initialSocPct?: number;
  /** What the PV could make now, W (a PV inverter). */
  availablePvW?: () => number;
  /** The power the device runs at in its own mode, W (> 0 discharging); 0 by default. */
  ownModeW?: number;
  /** How a hybrid battery is controlled: model 124 (storage, the default) or 704 (DER active power setting, with 702's ratings). */
  storageControl?: 124 | 704;
  /**
   * A battery whose physics are elsewhere (the simulated îlot's, in `npm start`): the device reads its power and charge
   * from it, and under model 124's control holds it at the window's power for a moment at each step; left alone, the
   * battery runs its own rule.
   */
  battery?: BatteryBackend;
  /** A PV array whose physics are elsewhere (the simulated îlot's): model 123's limit caps it for a moment each step. */
  pv?: PvBackend;
}

/** A PV array the inverter's registers show and curtail (a WorldPvPort in `npm start`). */
export interface PvBackend {
  /** What the sun gives the array now, W. */
  readonly availableW: number;
  /** Cap it at this power (W) for this long (real ms). */
  cap(maxW: number, forMs: number): void;
}

/** A battery the device's registers show and control (a WorldBatteryPort in `npm start`). */
export interface BatteryBackend {
  readonly powerW: number;
  readonly socPct: number;
  /** Hold this power (W, > 0 discharging) for this long (real ms), then back to its own rule. */
  hold(powerW: number, forMs: number): void;
}

/**
 * A SunSpec device as a real one behaves, served over Modbus TCP or RTU by modbus-serial's own servers, its register map built
 * from the SunSpec model definitions (libs/sunspec): a hybrid battery inverter (models 1, 103, 120, 124, 802) whose
 * power follows model 124's rate window and goes back to its own mode by itself when the revert timer runs out, or a PV
 * inverter (1, 103, 120, 123) that curtails to WMaxLimPct and reverts likewise. Test hooks: `failWrites` answers
 * every write with a Modbus exception; `stop` unplugs it.
 */
export class SimulatedSunSpecDevice {
  private registers: number[] = [];
  private entries: MapEntry[] = [];
  private server: ServerTCP | ServerSerial | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastStepMs = Date.now();
  private revertAtMs: number | undefined;
  socPct: number;
  powerW = 0;
  private energyWh = 0;
  /** Every write received: address and registers (what the gateway sent on the wire). */
  readonly writes: Array<{ address: number; registers: number[] }> = [];
  /** Test hook: answer writes with this Modbus exception code (4: server device failure). */
  failWrites: number | undefined;
  /** Test hook: set when the device reverted to its own mode by its timer. */
  revertedAt: Date | undefined;

  constructor(private readonly options: SimulatedDeviceOptions) {
    this.socPct = options.initialSocPct ?? 50;
    const { registers, entries } = buildRegisterMap(this.models(), options.base ?? 40000);
    this.registers = registers;
    this.entries = entries;
  }

  private models(): ModelContent[] {
    // Scale factors a device of this rating would use: W in an int16 (±32767), ratings in a uint16.
    const wSf = this.options.ratingW > 32_000 ? 1 : 0;
    const ratingSf = this.options.ratingW > 65_000 ? 1 : 0;
    const common = { id: 1, values: { Mn: 'Ilot test', Md: this.options.kind, SN: `SN-${this.options.port}`, DA: 1 } };
    const inverter = { id: 103, values: { W: 0, W_SF: wSf, WH: 0, WH_SF: 0, Hz: 50, Hz_SF: 0 } };
    if (this.options.kind === 'pv-inverter')
      return [
        common,
        inverter,
        { id: 120, values: { DERTyp: 4, WRtg: this.options.ratingW, WRtg_SF: ratingSf } },
        { id: 123, values: { WMaxLimPct: 100, WMaxLimPct_SF: 0, WMaxLimPct_RvrtTms: 0, WMaxLim_Ena: 0 } },
      ];
    const storage = {
      id: 802,
      values: {
        SoC: this.socPct,
        SoC_SF: -1,
        WHRtg: this.options.capacityWh ?? 10_000,
        WHRtg_SF: (this.options.capacityWh ?? 0) > 65_000 ? 2 : 0,
      },
    };
    if (this.options.storageControl === 704)
      return [
        common,
        inverter,
        { id: 120, values: { DERTyp: 82, WRtg: this.options.ratingW, WRtg_SF: ratingSf } },
        {
          id: 702,
          values: {
            WMaxRtg: this.options.ratingW,
            WChaRteMaxRtg: this.options.ratingW,
            WDisChaRteMaxRtg: this.options.ratingW,
            W_SF: ratingSf,
          },
        },
        { id: 704, values: { WSetEna: 0, WSetMod: 1, WSet: 0, WSet_SF: 0, WSetRvrtTms: 0, WSetPct_SF: 0 } },
        storage,
      ];
    return [
      common,
      inverter,
      { id: 120, values: { DERTyp: 82, WRtg: this.options.ratingW, WRtg_SF: ratingSf } },
      {
        id: 124,
        values: {
          WChaMax: this.options.ratingW,
          WChaMax_SF: ratingSf,
          StorCtl_Mod: 0,
          InWRte: 100,
          OutWRte: 100,
          InOutWRte_SF: -1,
          InOutWRte_RvrtTms: 0,
          ChaState: this.socPct,
          ChaState_SF: -1,
        },
      },
      storage,
    ];
  }

  /** The Modbus TCP port it answers on. */
  get port(): number {
    return this.options.port;
  }

  get base(): number {
    return this.options.base ?? 40000;
  }

  async start(): Promise<void> {
    const vector = {
      getMultipleHoldingRegisters: (address: number, length: number) => this.read(address, length),
      getHoldingRegister: (address: number) => this.read(address, 1)[0],
      setRegisterArray: (address: number, values: number[]) => this.write(address, values),
      setRegister: (address: number, value: number) => this.write(address, [value]),
    };
    const server = this.options.serialPath
      ? new ServerSerial(vector, { path: this.options.serialPath, baudRate: 9600, parity: 'none', unitID: 1 })
      : new ServerTCP(vector, { host: '127.0.0.1', port: this.options.port, unitID: 1 });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.on('initialized', () => resolve());
      (server as unknown as NodeJS.EventEmitter).on(this.options.serialPath ? 'error' : 'serverError', reject);
    });
    this.lastStepMs = Date.now();
    this.timer = setInterval(() => this.step(), 100);
  }

  /** Unplugged: the port closes, nothing answers. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A point's value now, engineering units (what the device holds). */
  value(model: number, point: string): number | string | undefined {
    const { placed, address } = this.locate(model, point);
    const raw = decodePoint(placed, this.read(address, placed.size));
    if (raw === undefined || typeof raw === 'string' || !placed.sf) return raw;
    const sf = this.value(model, placed.sf) as number;
    return sf >= 0 ? raw * 10 ** sf : raw / 10 ** -sf;
  }

  private set(model: number, point: string, value: number): void {
    const { placed, address } = this.locate(model, point);
    const sf = placed.sf ? { [placed.sf]: this.value(model, placed.sf) as number } : {};
    const registers = pointRegisters(placed, { [point]: value, ...sf });
    registers.forEach((word, i) => (this.registers[address - this.base + i] = word));
  }

  private locate(model: number, point: string) {
    const entry = this.entries.find((e) => e.id === model);
    const placed = placePoints(SUNSPEC_MODELS.get(model)!).find((p) => p.name === point);
    if (!entry || !placed) throw new RangeError(`model ${model} has no ${point} here`);
    return { placed, address: entry.address + placed.offset };
  }

  private read(address: number, length: number): number[] {
    const from = address - this.base;
    if (from < 0 || from + length > this.registers.length) throw this.exception(2, 'Illegal data address');
    return this.registers.slice(from, from + length);
  }

  private write(address: number, values: number[]): void {
    if (this.failWrites !== undefined) throw this.exception(this.failWrites, 'Server device failure');
    const from = address - this.base;
    if (from < 0 || from + values.length > this.registers.length) throw this.exception(2, 'Illegal data address');
    this.writes.push({ address, registers: [...values] });
    values.forEach((word, i) => (this.registers[from + i] = word));
    const timerPoint =
      this.options.kind === 'pv-inverter'
        ? [123, 'WMaxLimPct_RvrtTms']
        : this.options.storageControl === 704
          ? [704, 'WSetRvrtTms']
          : [124, 'InOutWRte_RvrtTms'];
    const revertS = this.value(timerPoint[0] as number, timerPoint[1] as string) as number;
    // A control written with a revert timer runs until the timer is out (counted from this write).
    this.revertAtMs = revertS > 0 ? Date.now() + revertS * 1000 : undefined;
    this.revertedAt = undefined;
  }

  private exception(code: number, msg: string): ModbusException {
    return { modbusErrorCode: code, msg };
  }

  /** The device's physics each 100 ms: its power from its controls (or its own mode), its energy and charge. */
  private step(): void {
    const now = Date.now();
    const dtH = (now - this.lastStepMs) / 3_600_000;
    this.lastStepMs = now;
    if (this.revertAtMs !== undefined && now >= this.revertAtMs) this.revert(now);
    if (this.options.kind === 'pv-inverter') {
      const available = Math.max(
        this.options.pv?.availableW ?? this.options.availablePvW?.() ?? this.options.ratingW,
        0,
      );
      const limited = this.value(123, 'WMaxLim_Ena') === 1;
      const capW = limited ? ((this.value(123, 'WMaxLimPct') as number) / 100) * this.options.ratingW : Infinity;
      this.powerW = Math.min(available, capW, this.options.ratingW);
      if (limited) this.options.pv?.cap(capW, 300);
    } else if (this.options.battery) {
      const backend = this.options.battery;
      if (this.controlled()) backend.hold(this.batteryPowerW(backend.powerW), 300);
      this.powerW = backend.powerW;
      this.socPct = backend.socPct;
      this.showCharge();
    } else {
      this.powerW = this.batteryPowerW(this.options.ownModeW ?? 0);
      const capacityWh = this.options.capacityWh ?? 10_000;
      this.socPct = Math.min(Math.max(this.socPct - ((this.powerW * dtH) / capacityWh) * 100, 0), 100);
      this.showCharge();
    }
    if (this.powerW > 0) this.energyWh += this.powerW * dtH;
    this.set(103, 'W', this.powerW);
    this.set(103, 'WH', Math.max(Math.round(this.energyWh), 1));
  }

  /** Whether its storage control is on: 124's StorCtl_Mod, or 704's WSetEna. */
  private controlled(): boolean {
    if (this.options.storageControl === 704) return this.value(704, 'WSetEna') === 1;
    return ((this.value(124, 'StorCtl_Mod') as number) & 3) !== 0;
  }

  /** The state of charge in its registers: 802's SoC, and 124's ChaState where it has 124. */
  private showCharge(): void {
    const pct = Math.round(this.socPct * 10) / 10;
    if (this.options.storageControl !== 704) this.set(124, 'ChaState', pct);
    this.set(802, 'SoC', pct);
  }

  /** Model 124's window: a forced charge (InWRte > 0, OutWRte < 0), a forced discharge (the mirror), a hold (0, 0). */
  private batteryPowerW(own: number): number {
    const ratingW = this.options.ratingW;
    if (this.options.storageControl === 704) {
      if (this.value(704, 'WSetEna') !== 1) return this.withinCharge(own);
      const setW = this.value(704, 'WSet') as number;
      return this.withinCharge(Math.min(Math.max(setW, -ratingW), ratingW));
    }
    if (((this.value(124, 'StorCtl_Mod') as number) & 3) === 0) return this.withinCharge(own);
    const inPct = this.value(124, 'InWRte') as number;
    const outPct = this.value(124, 'OutWRte') as number;
    // The window of powers the controls allow: from -InWRte (charging) to +OutWRte (discharging), % of WChaMax.
    const lowW = (-inPct / 100) * ratingW;
    const highW = (outPct / 100) * ratingW;
    return this.withinCharge(Math.min(Math.max(own, Math.min(lowW, highW)), Math.max(lowW, highW)));
  }

  private withinCharge(powerW: number): number {
    if (powerW > 0 && this.socPct <= 0) return 0;
    if (powerW < 0 && this.socPct >= 100) return 0;
    return powerW;
  }

  /** The revert timer ran out: the controls go back to the device's defaults, it runs its own mode. */
  private revert(now: number): void {
    this.revertAtMs = undefined;
    this.revertedAt = new Date(now);
    if (this.options.kind === 'pv-inverter') this.set(123, 'WMaxLim_Ena', 0);
    else if (this.options.storageControl === 704) this.set(704, 'WSetEna', 0);
    else {
      this.set(124, 'StorCtl_Mod', 0);
      this.set(124, 'InWRte', 100);
      this.set(124, 'OutWRte', 100);
    }
  }
}
