import { Controller, Get, Param, Query, Req, Res, Sse } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { residentLiveHtml, residentLiveMain } from '@ilot/reports';
import type { Viewer } from '@ilot/timeseries';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import { Access } from '../http/route-access';
import { ReportViewer } from '../http/report-access.guard';
import { SiteScopes } from '@ilot/residents';
import { LiveFeeds } from './live-feeds';
import { LiveStreams } from './live-streams';
import { languageOf } from '../http/page-language';
import { ResidentLiveService } from './resident-live.service';
import { noStore } from '../http/no-store';
import { asPageWithScript } from '../http/page-headers';
import { ParticipantAccess } from '../http/participant-access';

/**
 * A resident's live page (issue 16), from their link: today so far for each commodity, the îlot's solar now and
 * ahead, the good and bad hours, the next effacement; updated over Server-Sent Events when a figure changes
 * (pushed on the site's changes, issue 30 §4). Personal data: never cached, every opening in the access log.
 */
@Controller('api/v1/sites/:siteId/participants/:participantId')
export class ResidentLiveController {
  constructor(
    private readonly scopes: SiteScopes,
    private readonly live: ResidentLiveService,
    private readonly streams: LiveStreams,
    private readonly feeds: LiveFeeds,
    private readonly participants: ParticipantAccess,
  ) {}

  @Get('live')
  @Access.participant('their live page (HTML, phone first; French by default)', 400)
  @ApiQuery({ name: 'lang', required: false, enum: ['fr', 'en'] })
  async page(
    @Param('siteId') siteId: string,
    @Param('participantId') participantId: string,
    @Query('lang') lang: string | undefined,
    @ReportViewer() viewer: Viewer,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const language = languageOf(lang);
    const live = await this.read(siteId, participantId, viewer, request, 'live page');
    // Regression: under the API's CSP the page's script and its events were blocked (the test bypassed the CSP).
    asPageWithScript(response);
    noStore(response);
    return residentLiveHtml(live, language, this.scopes.of(siteId).site.timezone);
  }

  @Get('live.json')
  @Access.participant('their live figures (the page’s, as JSON)')
  async json(
    @Param('siteId') siteId: string,
    @Param('participantId') participantId: string,
    @ReportViewer() viewer: Viewer,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    noStore(response);
    return this.read(siteId, participantId, viewer, request, 'live figures');
  }

  @Sse('live/events')
  @Access.participant('their live page’s updates (Server-Sent Events "live": the figures and the page part)', 400)
  @ApiQuery({ name: 'lang', required: false, enum: ['fr', 'en'] })
  async events(
    @Param('siteId') siteId: string,
    @Param('participantId') participantId: string,
    @Query('lang') lang: string | undefined,
    @ReportViewer() viewer: Viewer,
    @Req() request: Request,
  ): Promise<Observable<{ type: string; data: unknown }>> {
    const language = languageOf(lang);
    await this.read(siteId, participantId, viewer, request, 'live updates');
    const timeZone = this.scopes.of(siteId).site.timezone;
    return this.streams.admit(
      request,
      this.feeds.events(
        'resident',
        `live:${siteId}/${participantId}:${language}`,
        siteId,
        () => this.streams.shared(`live:${siteId}/${participantId}`, () => this.live.snapshot(siteId, participantId)),
        (live) => residentLiveMain(live, language, timeZone),
      ),
    );
  }

  private async read(siteId: string, participantId: string, viewer: Viewer, request: Request, what: string) {
    await this.participants.read(request, siteId, participantId, viewer, what);
    return this.live.snapshot(siteId, participantId);
  }
}
