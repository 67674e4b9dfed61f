import { Controller, Get, Param, Query, Req, Res, Sse } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { lobbyHtml, lobbyMain } from '@ilot/reports';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import { Access } from '../http/route-access';
import { SiteScopes } from '@ilot/residents';
import { LiveFeeds } from './live-feeds';
import { LiveStreams } from './live-streams';
import { LobbyService } from './lobby.service';
import { languageOf } from '../http/page-language';
import { asPageWithScript } from '../http/page-headers';

/**
 * The îlot live for its lobby screen or the town hall (issue 16), open to anyone: aggregates only (a figure that
 * holds the participants' meters needs 5 or more of them), updated over Server-Sent Events when a figure changes.
 */
@Controller('api/v1/sites/:siteId')
export class LobbyController {
  constructor(
    private readonly scopes: SiteScopes,
    private readonly lobby: LobbyService,
    private readonly streams: LiveStreams,
    private readonly feeds: LiveFeeds,
  ) {}

  @Get('lobby')
  @Access.open('the îlot live for a lobby screen (HTML; aggregates only; French by default)')
  @ApiQuery({ name: 'lang', required: false, enum: ['fr', 'en'] })
  async page(
    @Param('siteId') siteId: string,
    @Query('lang') lang: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const language = languageOf(lang);
    const lobby = await this.lobby.snapshot(siteId);
    // Regression: under the API's CSP the page's script and its events were blocked (the test bypassed the CSP).
    asPageWithScript(response);
    return lobbyHtml(lobby, language, this.scopes.of(siteId).site.timezone);
  }

  @Get('lobby.json')
  @Access.open('the lobby’s figures (aggregates only), as JSON')
  json(@Param('siteId') siteId: string) {
    return this.lobby.snapshot(siteId);
  }

  @Sse('lobby/events')
  @Access.open('the lobby’s updates (Server-Sent Events "live": the figures and the page part)')
  @ApiQuery({ name: 'lang', required: false, enum: ['fr', 'en'] })
  events(
    @Param('siteId') siteId: string,
    @Query('lang') lang: string | undefined,
    @Req() request: Request,
  ): Observable<{ type: string; data: unknown }> {
    const language = languageOf(lang);
    const { site } = this.scopes.of(siteId);
    return this.streams.admit(
      request,
      this.feeds.events(
        'lobby',
        `lobby:${siteId}:${language}`,
        siteId,
        () => this.streams.shared(`lobby:${siteId}`, () => this.lobby.snapshot(siteId)),
        (lobby) => lobbyMain(lobby, language, site.timezone),
      ),
    );
  }
}
