import { applyBatteryPower, CONSUMING_KINDS, gridPowerW, Reading } from '@ilot/domain';
import {
  BatterySpec,
  devicesOfKind,
  electricDevices,
  ElectricDeviceSpec,
  gridDeviceId,
  isCommodityMeter,
  Site,
} from '@ilot/site';
import { CommodityMeters } from './commodity-meters';
import { BatteryController } from './battery-controller';
import type { AckDecision } from '@ilot/protocol';
import { LoadController } from './load-controller';
import type { CommandPayload } from '@ilot/protocol';
import { SimulatedCharger } from './ev-charger';
import { MeasuredHistory } from './measured-history';
import { ProfileColumn, ProfileTable } from './profile-table';

const METER_COLUMNS: Record<string, ProfileColumn> = {
  flat: 'flatWPerMWh',
  office: 'officeWPerMWh',
  school: 'schoolWPerMWh',
  shop: 'shopWPerMWh',
};

export interface BatteryState {
  spec: BatterySpec;
  socPct: number;
  /** The power held since the last step (sign convention). */
  powerW: number;
  controller: BatteryController;
  lastMode: 'command' | 'fallback';
}

/**
 * The physics of the demo îlot: every device's power at an instant from the real profiles, the
 * batteries obeying their controllers with SoC physics, and the grid meter as the balance.
 * Pure but for its own state; time is given to every call.
 */
export class IlotWorld {
  readonly batteries = new Map<string, BatteryState>();
  private readonly pvCaps = new Map<string, { maxW: number; untilMs: number }>();
  /** The controllers of the sheddable loads (heat pumps, flexible loads with a declared flexibility). */
  readonly loads = new Map<string, LoadController>();
  /** The smart EV chargers (on the shipped profiles; an operator's measured chargers are their measured demand). */
  readonly chargers = new Map<string, SimulatedCharger>();
  /** The gas, water and heat meters (on the shipped profiles, when the site has any). */
  readonly commodityMeters: CommodityMeters | undefined;
  private lastStepMs: number | undefined;
  private lastStepH = 5 / 60;
  private readonly seq = new Map<string, number>();

  constructor(
    readonly site: Site,
    /** Where the devices' own demand comes from: the shipped profiles, or an operator's measured history. */
    private readonly profiles: ProfileTable | MeasuredHistory,
    /** SoC of every battery at the start, %; the middle of each battery's range when not given. */
    initialSocPct?: number,
  ) {
    for (const spec of devicesOfKind(site, 'battery')) {
      this.batteries.set(spec.id, {
        spec,
        socPct: initialSocPct ?? (spec.minSocPct + spec.maxSocPct) / 2,
        powerW: 0,
        controller: new BatteryController(spec),
        lastMode: 'fallback',
      });
    }
    for (const device of site.devices.values())
      if ((device.kind === 'heat_pump' || device.kind === 'flexible_load') && device.maxShedW > 0)
        this.loads.set(
          device.id,
          new LoadController({
            id: device.id,
            ratedW: device.ratedW ?? device.maxShedW,
            recoveryRatio: 1,
            // Its comfort: the energy it may owe at most, the site file's shed for its duration.
            maxDebtWh: (device.maxShedW * device.maxShedMinutes) / 60,
          }),
        );
    if (!(profiles instanceof MeasuredHistory) && [...site.devices.values()].some(isCommodityMeter))
      this.commodityMeters = new CommodityMeters(site, profiles);
    if (!(profiles instanceof MeasuredHistory))
      for (const charger of devicesOfKind(site, 'ev_charger'))
        this.chargers.set(charger.id, new SimulatedCharger(charger, charger.buildingId === 'office'));
  }

  /** Whether a device takes commands (batteries, sheddable loads and smart chargers do). */
  takesCommands(deviceId: string): boolean {
    return this.batteries.has(deviceId) || this.loads.has(deviceId) || this.chargers.has(deviceId);
  }

  /** The controllers of the sheddable loads and smart chargers. */
  private limitControllers(): Array<[string, LoadController]> {
    return [...this.loads, ...[...this.chargers].map(([id, c]) => [id, c.controller] as [string, LoadController])];
  }

  /** Whether each controller runs on a valid command or on its own rule at `now`. */
  controllerModes(now: Date): Array<[string, 'command' | 'fallback']> {
    return [
      ...[...this.batteries].map(
        ([id, b]) => [id, b.controller.requestW(now, 0).mode] as [string, 'command' | 'fallback'],
      ),
      ...this.limitControllers().map(
        ([id, l]) => [id, l.limitW(now) === undefined ? 'fallback' : 'command'] as [string, 'command' | 'fallback'],
      ),
    ];
  }

  /** A command handed to the device's controller, and its answer. */
  command(deviceId: string, command: CommandPayload, now: Date): AckDecision {
    const controller =
      this.batteries.get(deviceId)?.controller ?? this.loads.get(deviceId) ?? this.chargers.get(deviceId)?.controller;
    if (!controller) return { status: 'rejected', reason: `${deviceId} takes no commands` };
    return controller.receive(command, now);
  }

  /** Power of a non-controllable device at an instant, W, in the sign convention. */
  powerW(device: ElectricDeviceSpec, at: Date): number {
    if (this.profiles instanceof MeasuredHistory) {
      if (device.kind === 'grid' || device.kind === 'battery')
        throw new Error(`${device.kind} power is not measured demand`);
      return this.profiles.powerW(device.id, at);
    }
    const profiles = this.profiles;
    switch (device.kind) {
      case 'meter':
        return (profiles.value(METER_COLUMNS[device.profile ?? 'flat'], at) * device.annualKWh) / 1000;
      case 'pv':
        return (profiles.value('pvWPerKWp', at) * device.peakW) / 1000;
      case 'heat_pump': {
        // Space heating follows the outdoor temperature below 16 °C (full power at -7 °C), plus hot water.
        const heating = Math.min(Math.max((16 - profiles.value('airTempC', at)) / 23, 0), 1);
        return device.ratedW * (0.05 + 0.9 * heating);
      }
      case 'flexible_load': {
        // A water heater on the night tariff: 22:00-24:00 UTC.
        const hour = at.getUTCHours();
        return hour >= 22 ? (device.ratedW ?? device.maxShedW) : 0;
      }
      case 'ev_charger':
      case 'grid':
      case 'battery':
        throw new Error(`${device.kind} power is not a profile`);
    }
  }

  /** What the EVs lacked when they left before `at`, and what those still plugged still want, kWh. */
  evEnergyKWh(at: Date): { shortfallKWh: number; owedKWh: number } {
    const totals = { shortfallKWh: 0, owedKWh: 0 };
    for (const charger of this.chargers.values()) {
      const { shortfallKWh, owedKWh } = charger.energyKWh(at.getTime());
      totals.shortfallKWh += shortfallKWh;
      totals.owedKWh += owedKWh;
    }
    return totals;
  }

  /** What a device draws from `at` until the next step: its demand, under its controller's limit when it has one. */
  /**
   * Caps a PV array's power until `until` (its inverter curtailed: `npm start`'s array behind the building gateway,
   * SunSpec model 123); after it, the array makes what the sun gives.
   */
  capPv(deviceId: string, maxW: number, until: Date): void {
    this.pvCaps.set(deviceId, { maxW: Math.max(maxW, 0), untilMs: until.getTime() });
  }

  private drawW(device: ElectricDeviceSpec, at: Date): number {
    const cap = device.kind === 'pv' ? this.pvCaps.get(device.id) : undefined;
    if (cap && at.getTime() < cap.untilMs) return Math.min(this.powerW(device, at), cap.maxW);
    const demandW = this.powerW(device, at);
    const load = this.loads.get(device.id);
    // What a load draws is held until the next step (the step ahead is taken as long as the last one).
    return load ? load.powerW(at, demandW, this.lastStepH) : demandW;
  }

  /**
   * Advances the world to `at`: integrates battery energy and EV charging since the last step,
   * returns one reading per device (grid last, the balance of all the others).
   */
  step(at: Date): Reading[] {
    const dtH = this.lastStepMs === undefined ? 0 : Math.max(at.getTime() - this.lastStepMs, 0) / 3_600_000;
    if (dtH > 0) this.lastStepH = dtH;
    this.lastStepMs = at.getTime();
    const readings: Reading[] = [];
    let consumptionW = 0;
    let pvW = 0;
    for (const device of electricDevices(this.site)) {
      if (device.kind === 'grid' || device.kind === 'battery') continue;
      const charger = this.chargers.get(device.id);
      const powerW = charger ? charger.draw(at, dtH, this.lastStepH) : this.drawW(device, at);
      if (CONSUMING_KINDS.has(device.kind)) consumptionW += powerW;
      if (device.kind === 'pv') pvW += powerW;
      const load = this.loads.get(device.id);
      readings.push({
        ...this.reading(device.id, at, powerW),
        ...(charger ? { evSession: charger.session(at) } : {}),
        // What its controller owes after this step, whole Wh (a float's -1e-13 is no debt).
        ...(load ? { owedWh: Math.max(Math.round(load.debtWh), 0) } : {}),
      });
    }
    let batteryW = 0;
    for (const state of this.batteries.values()) {
      // The power decided at the last step was held until now: integrate it, then decide the next one.
      state.socPct = applyBatteryPower(state.spec, state.socPct, state.powerW, dtH).socPct;
      const { requestW, mode } = state.controller.requestW(at, consumptionW - pvW - batteryW);
      state.lastMode = mode;
      state.powerW = applyBatteryPower(state.spec, state.socPct, requestW, Math.max(dtH, 1 / 360)).powerW;
      batteryW += state.powerW;
      readings.push(this.reading(state.spec.id, at, state.powerW, state.socPct));
    }
    readings.push(this.reading(gridDeviceId(this.site), at, gridPowerW(consumptionW, pvW, batteryW)));
    return readings;
  }

  private reading(deviceId: string, at: Date, powerW: number, socPct?: number): Reading {
    const seq = (this.seq.get(deviceId) ?? 0) + 1;
    this.seq.set(deviceId, seq);
    return {
      siteId: this.site.id,
      deviceId,
      ts: at,
      seq,
      powerW: Math.round(powerW * 10) / 10,
      socPct: socPct === undefined ? undefined : Math.round(socPct * 1000) / 1000,
    };
  }
}
