import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import type { Clock } from '@ilot/domain';
import type { Schedule } from '@ilot/optimiser';
import { residentCalendar } from '@ilot/reports';
import { CLOCK } from '@ilot/runtime';
import { PlanRepository, SignalRepository } from '@ilot/timeseries';
import type { Response } from 'express';
import { Access } from '../http/route-access';
import { languageOf } from '../http/page-language';
import { SiteScopes } from '@ilot/residents';
import { ParticipantAccess } from '../http/participant-access';
import { noStore } from '../http/no-store';

/** How far ahead the feed looks for orders and Tempo days. */
const AHEAD_MS = 7 * 86_400_000;

/**
 * A resident's calendar feed (issue 16): the îlot's upcoming effacement orders, Tempo red days and green hours from
 * the current plan, as iCalendar for a phone's calendar (subscribed by its link: the resident's token in the URL).
 */
@Controller('api/v1/sites/:siteId')
export class CalendarController {
  constructor(
    private readonly scopes: SiteScopes,
    private readonly signals: SignalRepository,
    private readonly plans: PlanRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly participants: ParticipantAccess,
  ) {}

  @Get('participants/:participantId/calendar.ics')
  @Access.participant('their calendar: effacement orders, Tempo red days and green hours ahead (iCalendar)', 400)
  @ApiQuery({ name: 'lang', required: false, enum: ['fr', 'en'] })
  async calendar(
    @Param('siteId') siteId: string,
    @Param('participantId') participantId: string,
    @Query('lang') lang: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const { site } = this.participants.scopeOf(siteId, participantId);
    const language = languageOf(lang);
    const now = this.clock.now();
    const ahead = await this.signals.overlapping(siteId, now, new Date(now.getTime() + AHEAD_MS));
    const plan = (await this.plans.latest<Schedule>(siteId))?.document;
    // The feed's link carries the resident's token.
    noStore(response);
    response.setHeader('content-type', 'text/calendar; charset=utf-8');
    response.setHeader('content-disposition', `inline; filename="ilot-${siteId}.ics"`);
    return residentCalendar({
      siteId,
      siteName: site.name,
      participantId,
      now,
      language,
      effacements: ahead.flatMap((s) =>
        s.payload.type === 'effacement'
          ? [{ id: s.key, start: s.startsAt, end: s.endsAt, reductionW: s.payload.reductionW }]
          : [],
      ),
      tempoRedDays: ahead.flatMap((s) =>
        s.payload.type === 'tempo' && s.payload.color === 'red' ? [{ date: s.payload.date }] : [],
      ),
      slots: (plan?.slots ?? [])
        .map((slot) => ({ ...slot, start: new Date(slot.start), minutes: plan!.slotMinutes }))
        .filter((slot) => slot.start.getTime() + slot.minutes * 60_000 > now.getTime()),
    });
  }
}
