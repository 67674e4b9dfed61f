import { HOUR_MS } from '@ilot/domain';
import { Injectable } from '@nestjs/common';
import type { Schedule } from '@ilot/optimiser';
import type { OutlookInput } from '@ilot/reports';
import { devicesOfKind, type Site } from '@ilot/site';
import { PlanRepository, ReadingRepository, SignalRepository } from '@ilot/timeseries';

/** A reading older than this is not "now". */
export const FRESH_MS = 10 * 60_000;

/**
 * What the îlot's outlook is made of, read now (the resident's live page and the lobby's): its PV now, the current
 * plan's slots, the effacement orders and Tempo red days of the next 24 h.
 */
@Injectable()
export class OutlookReader {
  constructor(
    private readonly readings: ReadingRepository,
    private readonly plans: PlanRepository,
    private readonly signals: SignalRepository,
  ) {}

  async read(site: Site, now: Date): Promise<OutlookInput> {
    const [solarNowW, plan, ahead] = await Promise.all([
      this.solarNowW(site, now),
      this.plans.latest<Schedule>(site.id),
      this.signals.overlapping(site.id, now, new Date(now.getTime() + 24 * HOUR_MS)),
    ]);
    const document = plan?.document;
    return {
      now,
      timeZone: site.timezone,
      solarNowW,
      slots: (document?.slots ?? []).map((s) => ({ ...s, start: new Date(s.start), minutes: document!.slotMinutes })),
      effacements: ahead.flatMap((s) =>
        s.payload.type === 'effacement'
          ? [{ id: s.key, start: s.startsAt, end: s.endsAt, reductionW: s.payload.reductionW }]
          : [],
      ),
      tempoRedDays: ahead.flatMap((s) =>
        s.payload.type === 'tempo' && s.payload.color === 'red' ? [s.payload.date] : [],
      ),
    };
  }

  private async solarNowW(site: Site, now: Date): Promise<number | null> {
    const pvIds = devicesOfKind(site, 'pv').map((d) => d.id);
    if (pvIds.length === 0) return null;
    const latest = await this.readings.latestPerDevice(site.id, pvIds, new Date(now.getTime() - FRESH_MS), now);
    return latest.length === 0 ? null : latest.reduce((sum, r) => sum + Math.max(r.powerW, 0), 0);
  }
}
