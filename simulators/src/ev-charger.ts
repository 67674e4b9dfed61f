import type { EvSession } from '@ilot/domain';
import { evVisitAt, evVisitsBetween, type EvVisit } from './ev-sessions';
import { LoadController } from './load-controller';

/**
 * A simulated smart charger: the cars of its visits (ev-sessions.ts) ask full power from arrival until they have their
 * energy; under an `ev.limit` it charges at most the limit, and at the limit's `validUntil` it falls back to the
 * driver's ask. It reports its session (plugged, energy still wanted, departure, the most the car takes) and keeps what
 * each visit got.
 */
export class SimulatedCharger {
  readonly controller: LoadController;
  private readonly visits = new Map<string, { visit: EvVisit; deliveredWh: number }>();
  private held: { visitKey: string; powerW: number; sinceMs: number } | undefined;

  constructor(
    private readonly spec: { id: string; maxW: number },
    private readonly workplace: boolean,
  ) {
    this.controller = new LoadController({ id: spec.id, ratedW: spec.maxW, recoveryRatio: 0 }, 'ev.limit');
  }

  /**
   * The power drawn from `at` until the next step, W: credits the power held over the past `pastH` hours to its visit,
   * then charges the car in at `at` at its ask, under the limit in force. `nextH`: the step ahead (the ask never
   * overshoots the energy wanted).
   */
  draw(at: Date, pastH: number, nextH: number): number {
    if (this.held) this.visits.get(this.held.visitKey)!.deliveredWh += this.held.powerW * pastH;
    this.held = undefined;
    const visit = this.visitAt(at);
    if (!visit) return 0;
    const remainingWh = Math.max(visit.visit.energyWh - visit.deliveredWh, 0);
    const askW = nextH > 0 ? Math.min(this.spec.maxW, remainingWh / nextH) : 0;
    const powerW = this.controller.powerW(at, askW, nextH);
    this.held = { visitKey: visit.visit.key, powerW, sinceMs: at.getTime() };
    return powerW;
  }

  /** The power it draws since its last step, W. */
  get powerW(): number {
    return this.held?.powerW ?? 0;
  }

  /** The cars that come to it over [fromMs, toMs). */
  visitsBetween(fromMs: number, toMs: number): EvVisit[] {
    return evVisitsBetween(this.spec.id, fromMs, toMs, this.workplace);
  }

  /** The session it reports at `at`. */
  session(at: Date): EvSession {
    const visit = this.visitAt(at);
    if (!visit) return { plugged: false };
    return {
      plugged: true,
      energyNeededWh: Math.round(Math.max(visit.visit.energyWh - visit.deliveredWh, 0)),
      departure: new Date(visit.visit.departureMs),
      maxW: this.spec.maxW,
    };
  }

  /** Energy the visits seen lacked when their car left before `atMs`, and what the cars still plugged then still want, kWh. */
  energyKWh(atMs: number): { shortfallKWh: number; owedKWh: number } {
    let shortfallWh = 0;
    let owedWh = 0;
    const { held } = this;
    for (const { visit, deliveredWh } of this.visits.values()) {
      // The power held since the last step has been delivered up to `atMs` too.
      const heldWh = held?.visitKey === visit.key ? (held.powerW * Math.max(atMs - held.sinceMs, 0)) / 3_600_000 : 0;
      const lackingWh = Math.max(visit.energyWh - deliveredWh - heldWh, 0);
      if (visit.departureMs <= atMs) shortfallWh += lackingWh;
      else if (visit.arrivalMs <= atMs) owedWh += lackingWh;
    }
    return { shortfallKWh: shortfallWh / 1000, owedKWh: owedWh / 1000 };
  }

  private visitAt(at: Date) {
    const visit = evVisitAt(this.spec.id, at.getTime(), this.workplace);
    if (!visit) return undefined;
    if (!this.visits.has(visit.key)) this.visits.set(visit.key, { visit, deliveredWh: 0 });
    return this.visits.get(visit.key)!;
  }
}
