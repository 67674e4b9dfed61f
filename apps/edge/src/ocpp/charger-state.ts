/**
 * What the gateway knows of one charge point from its OCPP messages (1.6J and 2.0.1), as the îlot's telemetry wants it:
 * the power, the energy register, and the session (plugged, energy still wanted, departure, the most the car takes).
 * Pure: messages in, state out; `now` given.
 */

/** The defaults of a session the car does not describe (no NotifyEVChargingNeeds): the gateway config's. */
export interface SessionDefaults {
  energyNeededWh: number;
  /** Hours after plugging in that the driver leaves. */
  stayH: number;
  maxW: number;
}

export interface ChargerReading {
  powerW: number;
  energyWh?: number;
  session: { plugged: false } | { plugged: true; energyNeededWh: number; departure: string; maxW: number };
}

/** A sampled value as both versions carry it (1.6: value is a string; 2.0.1: a number; unit in unitOfMeasure). */
export interface SampledValue {
  value: string | number;
  measurand?: string;
  unit?: string;
  unitOfMeasure?: { unit?: string; multiplier?: number };
  phase?: string;
}

/** OCPP 1.6 connector states in which a car is plugged (Open Charge Point Protocol 1.6, §7.7 ChargePointStatus). */
const PLUGGED_16 = new Set(['Preparing', 'Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing']);

export class ChargerState {
  powerW = 0;
  energyWh: number | undefined;
  plugged = false;
  transactionId: string | number | undefined;
  private pluggedAtMs: number | undefined;
  /** The energy register when the session began, Wh: what it has had since is taken off what it wants. */
  private energyAtStartWh: number | undefined;
  /** The car's own word (NotifyEVChargingNeeds), when it gave it. */
  private needs: { energyWh?: number; departure?: string; maxW?: number } = {};

  constructor(private readonly defaults: SessionDefaults) {}

  /** 1.6 StatusNotification's status or 2.0.1's connectorStatus ("Occupied" = plugged). */
  status(status: string, now: Date): void {
    this.setPlugged(PLUGGED_16.has(status) || status === 'Occupied', now);
  }

  /** A transaction began (1.6 StartTransaction, 2.0.1 TransactionEvent Started): a car is plugged. */
  started(transactionId: string | number, meterStartWh: number | undefined, now: Date): void {
    this.transactionId = transactionId;
    if (meterStartWh !== undefined) this.energyWh = meterStartWh;
    this.setPlugged(true, now);
    this.energyAtStartWh = this.energyWh;
  }

  /**
   * A transaction the charger still runs but this gateway never saw begin (it restarted meanwhile): taken up from the
   * charger's own word (1.6 MeterValues' `transactionId`, 2.0.1 TransactionEvent `Updated`), the session counted from
   * now, so the plan can limit it again.
   */
  resumed(transactionId: string | number, now: Date): void {
    if (this.transactionId === undefined) this.started(transactionId, undefined, now);
  }

  /** The transaction ended (1.6 StopTransaction, 2.0.1 TransactionEvent Ended). */
  ended(now: Date): void {
    this.transactionId = undefined;
    this.powerW = 0;
    this.setPlugged(false, now);
  }

  /** 2.0.1 NotifyEVChargingNeeds: the energy the car asks (Wh), its departure, its most power. */
  chargingNeeds(needs: { energyWh?: number; departure?: string; maxW?: number }): void {
    this.needs = { ...this.needs, ...needs };
    this.energyAtStartWh = this.energyWh;
  }

  /** Meter values: active power imported (W or kW), the active energy register (Wh or kWh). */
  meterValues(values: readonly SampledValue[]): void {
    for (const sample of values) {
      const measurand = sample.measurand ?? 'Energy.Active.Import.Register';
      if (sample.phase) continue;
      const value = Number(sample.value) * 10 ** (sample.unitOfMeasure?.multiplier ?? 0);
      const unit = sample.unit ?? sample.unitOfMeasure?.unit;
      if (!Number.isFinite(value)) continue;
      if (measurand === 'Power.Active.Import') this.powerW = unit === 'kW' ? value * 1000 : value;
      if (measurand === 'Energy.Active.Import.Register') this.energyWh = unit === 'kWh' ? value * 1000 : value;
    }
  }

  private setPlugged(plugged: boolean, now: Date): void {
    if (plugged && !this.plugged) {
      this.pluggedAtMs = now.getTime();
      this.energyAtStartWh = this.energyWh;
    }
    if (!plugged) this.needs = {};
    this.plugged = plugged;
  }

  reading(): ChargerReading {
    const energy = this.energyWh === undefined ? {} : { energyWh: this.energyWh };
    if (!this.plugged) return { powerW: this.powerW, ...energy, session: { plugged: false } };
    const hadWh =
      this.energyWh !== undefined && this.energyAtStartWh !== undefined ? this.energyWh - this.energyAtStartWh : 0;
    const askedWh = this.needs.energyWh ?? this.defaults.energyNeededWh;
    const departure =
      this.needs.departure ??
      new Date((this.pluggedAtMs ?? Date.now()) + this.defaults.stayH * 3_600_000).toISOString();
    return {
      powerW: this.powerW,
      ...energy,
      session: {
        plugged: true,
        energyNeededWh: Math.max(askedWh - hadWh, 0),
        departure,
        maxW: this.needs.maxW ?? this.defaults.maxW,
      },
    };
  }
}
