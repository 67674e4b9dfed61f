import { Access } from '../http/route-access';
import { ApiBody, ApiQuery } from '@nestjs/swagger';
import { JsonBody } from '@ilot/runtime';
import {
  BadRequestException,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  consentInForce,
  ErasureRepository,
  PrivacyRepository,
  ReadingRepository,
  type Viewer,
  TokenRevocationRepository,
} from '@ilot/timeseries';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { ReportViewer } from '../http/report-access.guard';
import { SiteScopes } from '@ilot/residents';
import { participantExport, participantExportCsv } from './participant-export';
import { noStore } from '../http/no-store';
import { ParticipantAccess } from '../http/participant-access';

const consentBody = z.strictObject({
  detailedCurve: z.boolean(),
  /** How it was given: the resident's page by default; the operator must say (a signed paper form, its date). */
  how: z.string().trim().min(1).max(200).optional(),
});

/**
 * Residents' control of their data (issue 15): their consent to the detailed curve (given, withdrawn at any time,
 * by them; recorded by the operator only with how it was given), the export of everything held about them, and the
 * operator's access log. The operator or the resident themself (signed token); another resident: 403.
 */
@Controller('api/v1/sites/:siteId')
export class PrivacyController {
  constructor(
    private readonly scopes: SiteScopes,
    private readonly privacy: PrivacyRepository,
    private readonly readings: ReadingRepository,
    private readonly participants: ParticipantAccess,
    private readonly erasures: ErasureRepository,
    private readonly revocations: TokenRevocationRepository,
  ) {}

  @Get('participants/:participantId/consent')
  @Access.participant('their consent in force and its history')
  async getConsent(
    @Param('siteId') siteId: string,
    @Param('participantId') participantId: string,
    @ReportViewer() viewer: Viewer,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    await this.participants.read(request, siteId, participantId, viewer, 'consents');
    noStore(response);
    return this.consentState(siteId, participantId);
  }

  @Put('participants/:participantId/consent')
  @Access.participant('gives or withdraws their consent to the detailed curve', 400, 413, 415)
  @ApiBody({
    description: '{"detailedCurve": boolean, "how"?: string} (the operator must say how)',
    schema: { type: 'object' },
  })
  async putConsent(
    @Param('siteId') siteId: string,
    @Param('participantId') participantId: string,
    @JsonBody() body: unknown,
    @ReportViewer() viewer: Viewer,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    this.participants.scopeOf(siteId, participantId);
    const parsed = consentBody.safeParse(body);
    if (!parsed.success)
      throw new BadRequestException(
        `consent refused: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`,
      );
    if (viewer.role === 'operator' && !parsed.data.how)
      throw new BadRequestException('consent refused: how: the operator records a consent only with how it was given');
    await this.privacy.recordConsent(siteId, participantId, {
      scope: 'detailed_curve',
      granted: parsed.data.detailedCurve,
      at: new Date(),
      givenBy: viewer.role,
      how: parsed.data.how ?? 'resident page',
    });
    await this.participants.read(request, siteId, participantId, viewer, 'consents');
    noStore(response);
    return this.consentState(siteId, participantId);
  }

  @Get('participants/:participantId/export')
  @Access.participant('everything held about them, JSON or CSV', 400)
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  async getExport(
    @Param('siteId') siteId: string,
    @Param('participantId') participantId: string,
    @Query('format') format: string | undefined,
    @ReportViewer() viewer: Viewer,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    if (format !== undefined && format !== 'json' && format !== 'csv')
      throw new BadRequestException('"format" must be json or csv');
    const { site } = await this.participants.read(
      request,
      siteId,
      participantId,
      viewer,
      `export (${format ?? 'json'})`,
    );
    const reports = this.scopes.reportsOf(siteId);
    const data = await participantExport(
      { site, reports, readings: this.readings, privacy: this.privacy },
      viewer,
      participantId,
      new Date(),
    );
    noStore(response);
    const name = `ilot-${siteId}-${participantId}-export`;
    if (format === 'csv') {
      response.setHeader('content-type', 'text/csv; charset=utf-8');
      response.setHeader('content-disposition', `attachment; filename="${name}.csv"`);
      return participantExportCsv(data);
    }
    response.setHeader('content-disposition', `attachment; filename="${name}.json"`);
    return data;
  }

  /**
   * Revokes every token of a participant signed until now (issue 26: a participant id is the flat, and an old
   * resident's link opened the next resident's data): at a move-out, or a link leaked. Tokens signed after open again.
   */
  @Post('participants/:participantId/tokens/revoke')
  @HttpCode(200)
  @Access.siteOperator('revokes every token of a participant signed until now (a move-out, a leaked link)')
  async revokeTokens(@Param('siteId') siteId: string, @Param('participantId') participantId: string) {
    this.participants.scopeOf(siteId, participantId);
    const at = new Date();
    await this.revocations.revoke(siteId, participantId, at);
    return { siteId, participantId, revokedBefore: at.toISOString() };
  }

  /**
   * Erases a participant who left the îlot (removed from the site first: their meter stays, their rows go): every
   * row naming them names a pseudonym instead, figures untouched, so the îlot's totals and the others' reports stay.
   */
  @Post('participants/:participantId/erasure')
  @HttpCode(200)
  @Access.siteOperator('erases a former participant by pseudonym (after they left the site)', 409)
  async erase(@Param('siteId') siteId: string, @Param('participantId') participantId: string) {
    const { site } = this.scopes.of(siteId);
    if (site.participants.some((p) => p.id === participantId))
      throw new ConflictException(
        `"${participantId}" is still a participant of "${siteId}": remove them from the site first (their meter stays)`,
      );
    const outcome = await this.erasures.pseudonymise(siteId, participantId, new Date());
    const rows = Object.values(outcome.rows).reduce((a, b) => a + b, 0);
    if (rows === 0) throw new NotFoundException(`nothing is held about "${participantId}" in "${siteId}"`);
    return { siteId, erased: participantId, rows: outcome.rows, invoicesKept: outcome.invoicesKept };
  }

  /** The access log of personal data, newest first (`?participant=` one participant's; `?limit=` at most 1000). */
  @Get('access-log')
  @Access.siteOperator('who read which participant’s data, when, by which route', 400)
  @ApiQuery({ name: 'participant', required: false, description: 'one participant’s entries' })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 1000, 200 by default' })
  async getAccessLog(
    @Param('siteId') siteId: string,
    @Query('participant') participant: string | undefined,
    @Query('limit') limit: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    this.scopes.of(siteId);
    const max = limit === undefined ? 200 : Number(limit);
    if (!Number.isInteger(max) || max < 1 || max > 1000) throw new BadRequestException('"limit" must be 1 to 1000');
    const entries = await this.privacy.accessLog(siteId, participant, max);
    noStore(response);
    return { siteId, entries: entries.map((e) => ({ ...e, at: e.at.toISOString() })) };
  }

  private async consentState(siteId: string, participantId: string) {
    const history = await this.privacy.consentHistory(siteId, participantId);
    return {
      siteId,
      participantId,
      detailedCurve: consentInForce(history, 'detailed_curve').granted,
      history: history.map((c) => ({ ...c, at: c.at.toISOString() })),
    };
  }
}
