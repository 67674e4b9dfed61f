/**
 * An EV charger's session as its controller reports it: whether a car is plugged and, when one is, what its driver
 * asks (the energy still wanted, Wh, by the departure) and the most the car takes, W (the charger's own rating when
 * absent). A charger that reports none is not planned: its power is consumption like any other.
 */
export interface EvSession {
  plugged: boolean;
  energyNeededWh?: number;
  departure?: Date;
  maxW?: number;
}

/** One telemetry reading of one device, validated, in the sign convention of `sign-convention.ts`. */
export interface Reading {
  siteId: string;
  deviceId: string;
  ts: Date;
  seq: number;
  powerW: number;
  energyWh?: number;
  socPct?: number;
  /** An EV charger's session at `ts` (ev_charger only). */
  evSession?: EvSession;
  /**
   * A sheddable load's energy denied by a limit and not made up yet, Wh, as its controller counts it at `ts` (a heat
   * pump or flexible load with `maxShedW`, only): the planner pays it back instead of guessing (issue 27).
   */
  owedWh?: number;
}
