import ModbusRTU from 'modbus-serial';

/** Where a Modbus device answers: on TCP (`host`, `port`) or RTU on a serial port (`serialPath`, speed, parity). */
export interface ModbusAddress {
  host?: string;
  port: number;
  serialPath?: string;
  baudRate?: number;
  parity?: 'none' | 'even' | 'odd';
  unitId: number;
  timeoutMs: number;
}

/** Modbus exception codes by their name in the Modbus Application Protocol specification (V1.1b3, §7). */
const EXCEPTIONS: Record<number, string> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

/** A Modbus failure in words: "Modbus exception 4 (server device failure)", or the transport's error. */
export function describeModbusError(error: unknown): string {
  const code = (error as { modbusCode?: number })?.modbusCode;
  if (typeof code === 'number') return `Modbus exception ${code} (${EXCEPTIONS[code] ?? 'unknown'})`;
  return (error as Error)?.message ?? String(error);
}

/**
 * One Modbus connection to a device (modbus-serial), TCP or RTU on a serial port (8 data bits, 1 stop bit, the parity
 * given): holding registers read and written, errors in words.
 */
export class ModbusConnection {
  private readonly client = new ModbusRTU();

  constructor(private readonly address: ModbusAddress) {}

  get isOpen(): boolean {
    return this.client.isOpen;
  }

  async open(): Promise<void> {
    this.client.setTimeout(this.address.timeoutMs);
    const { serialPath, host } = this.address;
    if (serialPath)
      await this.client.connectRTUBuffered(serialPath, {
        baudRate: this.address.baudRate ?? 9600,
        parity: this.address.parity ?? 'none',
        dataBits: 8,
        stopBits: 1,
      });
    else await this.client.connectTCP(host!, { port: this.address.port });
    this.client.setID(this.address.unitId);
  }

  async read(address: number, count: number): Promise<number[]> {
    try {
      return (await this.client.readHoldingRegisters(address, count)).data;
    } catch (error) {
      throw new Error(describeModbusError(error), { cause: error });
    }
  }

  async write(address: number, registers: number[]): Promise<void> {
    try {
      await this.client.writeRegisters(address, registers);
    } catch (error) {
      throw new Error(describeModbusError(error), { cause: error });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.client.isOpen) return resolve();
      this.client.close(() => resolve());
    });
  }
}
