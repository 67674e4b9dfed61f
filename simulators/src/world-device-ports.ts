import { applyBatteryPower, type Clock } from '@ilot/domain';
import type { ElectricDeviceSpec } from '@ilot/site';
import type { BatteryBackend, PvBackend } from './sunspec-device';
import type { IlotWorld } from './ilot-world';

/**
 * A battery of the simulated îlot seen and driven through a device's own controls (`npm start`'s battery behind the
 * building gateway, a SunSpec inverter's model 124): its power and charge are the world's, and a power held is a
 * setpoint handed to its controller for a moment (in simulated time), after which it runs its own rule again. The
 * world's grid meter then counts what the device does.
 */
export class WorldBatteryPort implements BatteryBackend {
  private heldW: number | undefined;
  private heldUntilMs = 0;
  private commands = 0;

  constructor(
    private readonly world: IlotWorld,
    private readonly deviceId: string,
    private readonly clock: Clock,
  ) {
    if (!world.batteries.has(deviceId)) throw new Error(`"${deviceId}" is not a battery of site "${world.site.id}"`);
  }

  get powerW(): number {
    return this.world.batteries.get(this.deviceId)!.powerW;
  }

  get socPct(): number {
    return this.world.batteries.get(this.deviceId)!.socPct;
  }

  hold(powerW: number, forMs: number): void {
    const now = this.clock.now();
    const untilMs = now.getTime() + forMs * this.clock.speedup;
    // The same power again: handed over only when the last one is about to lapse.
    if (this.heldW === Math.round(powerW) && untilMs - this.heldUntilMs < (forMs * this.clock.speedup) / 2) return;
    this.heldW = Math.round(powerW);
    this.heldUntilMs = untilMs;
    // An inverter answers its controls at once: the world's battery runs at the power from now, not from its next step.
    const state = this.world.batteries.get(this.deviceId)!;
    state.powerW = applyBatteryPower(state.spec, state.socPct, this.heldW, 1 / 360).powerW;
    this.world.command(
      this.deviceId,
      {
        cmdId: `sunspec-${this.deviceId}-${++this.commands}`,
        type: 'battery.setpoint',
        setpointW: this.heldW,
        issuedAt: now.toISOString(),
        validFrom: now.toISOString(),
        validUntil: new Date(untilMs).toISOString(),
        reason: 'sunspec model 124',
      },
      now,
    );
  }
}

/**
 * A PV array of the simulated îlot seen and curtailed through its inverter's controls (`npm start`'s array behind the
 * building gateway, SunSpec model 123): what the sun gives it now, and a cap the world holds for a moment (in
 * simulated time), so the grid meter counts what the inverter lets through.
 */
export class WorldPvPort implements PvBackend {
  private readonly device: ElectricDeviceSpec;

  constructor(
    private readonly world: IlotWorld,
    private readonly deviceId: string,
    private readonly clock: Clock,
  ) {
    const device = world.site.devices.get(deviceId);
    if (device?.kind !== 'pv') throw new Error(`"${deviceId}" is not a PV array of site "${world.site.id}"`);
    this.device = device;
  }

  get availableW(): number {
    return Math.max(this.world.powerW(this.device, this.clock.now()), 0);
  }

  cap(maxW: number, forMs: number): void {
    const now = this.clock.now();
    this.world.capPv(this.deviceId, maxW, new Date(now.getTime() + forMs * this.clock.speedup));
  }
}
