/**
 * An aggregator's effacement order, the one domain shape of it: reduce the îlot's import by `reductionW` against its
 * reference (courbe de référence) over [start, end). The wire payload (libs/protocol `SignalPayload`) carries ISO
 * strings and becomes this at the edge; the planner adds what it needs beside it (`referenceW`).
 */
export interface EffacementOrder {
  id: string;
  start: Date;
  end: Date;
  reductionW: number;
}

/**
 * The longest period a demand-response signal may span: an effacement order lasts hours, an EcoWatt period a day (25 h
 * on the day clocks go back). Intake refuses longer ones; computations over a stored one never walk past it.
 */
export const SIGNAL_MAX_SPAN_MS = 25 * 3_600_000;
