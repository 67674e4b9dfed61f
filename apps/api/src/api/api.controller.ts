import { Access, ApiRefusals, ApiRoute } from '../http/route-access';
import { ApiBearerAuth, ApiBody, ApiQuery } from '@nestjs/swagger';
import {
  BadRequestException,
  ForbiddenException,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  UnauthorizedException,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { type Clock, describeProblems, firstPlannedAt } from '@ilot/domain';
import { validateSignal } from '@ilot/protocol';
import { parseInstant } from '../http/query-instant';
import { eventReportCsv } from '@ilot/effacement';
import type { Request, Response } from 'express';
import { ReportViewer } from '../http/report-access.guard';
import { ViewerResolver } from '../http/viewer-resolver';
import { RESIDENT_READER, SiteScopes } from '@ilot/residents';
import { residentReportCsv, residentReportHtml } from '@ilot/reports';
import { isMonth } from '@ilot/domain';
import { CLOCK, JsonBody } from '@ilot/runtime';
import {
  AccInvoiceRepository,
  ResidentLedgerRepository,
  consentInForce,
  PlanRepository,
  PrivacyRepository,
  ReadingRepository,
  SignalRepository,
  type StoredSignal,
  type Viewer,
} from '@ilot/timeseries';
import { AccessLog } from '../privacy/access-log';
import { noStore } from '../http/no-store';
import { asPageWithScript } from '../http/page-headers';
import { languageOf } from '../http/page-language';
import { ParticipantAccess } from '../http/participant-access';

const BUCKETS: Record<string, number> = { '1m': 1, '5m': 5, '15m': 15, '30m': 30, '1h': 60, '1d': 1440 };

/** The operator API of docs/design.md (`/api/v1`), for every îlot served: readings, signals, reports, the current plan. */
@Controller('api/v1/sites/:siteId')
export class ApiController {
  constructor(
    private readonly scopes: SiteScopes,
    private readonly readings: ReadingRepository,
    private readonly plans: PlanRepository,
    private readonly signals: SignalRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly viewers: ViewerResolver,
    private readonly privacy: PrivacyRepository,
    private readonly accessLog: AccessLog,
    private readonly participants: ParticipantAccess,
    @Inject(RESIDENT_READER) private readonly residentReader: ResidentLedgerRepository | null,
  ) {}

  /**
   * A device's stored readings. A participant's meter is personal data (its load curve): it needs the operator's
   * token or that participant's own. The îlot's other devices need the site's operator (or viewer): the grid meter,
   * PV and batteries together give the homes' summed consumption, which on a small îlot is one or two homes' curve
   * (issue 25; the lobby and open data are the public views, aggregated over 5 homes or more).
   */
  @Get('readings')
  @ApiRoute(
    "a device's stored readings",
    "the site's operator or viewer; a participant's meter also its resident, finer than a day only with the resident's consent",
  )
  @ApiBearerAuth('bearer')
  @ApiQuery({ name: 'device', required: true })
  @ApiQuery({ name: 'from', required: true, description: 'ISO 8601' })
  @ApiQuery({ name: 'to', required: true, description: 'ISO 8601' })
  @ApiQuery({ name: 'bucket', required: false, enum: Object.keys(BUCKETS) })
  @ApiRefusals(400, 401, 403, 404)
  async getReadings(
    @Param('siteId') siteId: string,
    @Query() query: Record<string, string | undefined>,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { site } = this.scopes.of(siteId);
    const { device, from, to, bucket } = query;
    if (!device) throw new BadRequestException('query parameter "device" is required');
    if (!site.devices.has(device)) throw new NotFoundException(`no device "${device}" in site "${siteId}"`);
    const fromDate = parseInstant('from', from);
    const toDate = parseInstant('to', to);
    if (fromDate >= toDate) throw new BadRequestException('"from" must be before "to"');
    if (bucket !== undefined && !Object.hasOwn(BUCKETS, bucket))
      throw new BadRequestException(`"bucket" must be one of ${Object.keys(BUCKETS).join(', ')}`);
    const owner = site.participants.find((p) => p.meter === device);
    if (!owner) {
      const resolved = await this.viewers.resolve(request, siteId);
      if (!resolved) throw new UnauthorizedException("token required: the site's operator or viewer");
      if (resolved.viewer.role !== 'operator')
        throw new ForbiddenException(`a resident sees only their own meter, not "${device}"`);
    } else {
      const viewer = await this.viewers.viewerFor(request, siteId, owner.id, {
        missing: `"${device}" is a participant's meter: token required (the operator's, or that resident's)`,
        other: 'a resident sees only their own meter',
      });
      // CNIL: a curve at an hourly or finer step only with the resident's recorded consent; daily values otherwise.
      if (bucket !== '1d' && !(await this.privacy.hasConsent(siteId, owner.id, 'detailed_curve')))
        throw new ForbiddenException(
          `"${device}" is ${owner.id}'s meter: without their consent to the detailed curve, only daily values (bucket=1d)`,
        );
      await this.accessLog.record(request, siteId, owner.id, viewer, `meter readings (${bucket ?? 'raw'})`);
    }
    // A resident's load curve is personal data, and the îlot's devices give the homes' sum: kept out of shared caches.
    noStore(response);
    const rows = await this.readings.forDevice(siteId, device, fromDate, toDate, bucket ? BUCKETS[bucket] : undefined);
    return {
      siteId,
      device,
      from: fromDate.toISOString(),
      to: toDate.toISOString(),
      bucket: bucket ?? null,
      readings: rows.map((r) => ({ ...r, ts: r.ts.toISOString() })),
    };
  }

  /**
   * A signal from an operator or aggregator: the payloads of the `signals` topic (effacement order,
   * EcoWatt level, Tempo colour). Validated (a malformed, empty or past one gets 400 with the reason),
   * stored (the same order id replaces the earlier one), and the optimiser re-plans on it. Operator only.
   */
  @Post('signals')
  @Access.siteOperator('an order or signal: effacement, EcoWatt, Tempo (the signals topic’s payloads)', 400, 413, 415)
  @ApiBody({ description: 'a signals payload (docs/design.md)', schema: { type: 'object' } })
  @HttpCode(201)
  async postSignal(@Param('siteId') siteId: string, @JsonBody() body: unknown) {
    const { site } = this.scopes.of(siteId);
    const now = this.clock.now();
    const signal = validateSignal(body, now);
    if (!signal.ok) throw new BadRequestException(`signal refused: ${describeProblems(signal)}`);
    const stored = await this.signals.storePayload(siteId, signal.value, site.timezone, now);
    return { siteId, ...signalAnswer(stored, now) };
  }

  /**
   * The signals in force or to come (issue 27: an order accepted for tomorrow said nothing of when it would be
   * planned): each with its period and payload, and for an effacement order when the planner first takes it into
   * account (at once within 48 h of its start, else 48 h before it). Operator only.
   */
  @Get('signals')
  @Access.siteOperator('the signals in force or to come, and when each order is first planned')
  async getSignals(@Param('siteId') siteId: string) {
    this.scopes.of(siteId);
    const now = this.clock.now();
    const stored = await this.signals.overlapping(siteId, now, new Date(now.getTime() + SIGNALS_LISTED_AHEAD_MS));
    return { siteId, signals: stored.map((signal) => ({ ...signalAnswer(signal, now), payload: signal.payload })) };
  }

  /**
   * A resident's month (JSON; `?format=csv` for its days; `?format=html[&lang=en]` the printable page, French by default): consumption, the share the îlot's PV covered, cost
   * with and without the collective, effacement part, comparisons. The operator sees all; a resident, their own.
   */
  @Get('participants/:participantId/report')
  @Access.participant("a resident's month: JSON, CSV or the printable page", 400)
  @ApiQuery({ name: 'month', required: true, description: 'YYYY-MM (local month of the site)' })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv', 'html'] })
  @ApiQuery({ name: 'lang', required: false, enum: ['fr', 'en'], description: 'of the html page; French by default' })
  async getResidentReport(
    @Param('siteId') siteId: string,
    @Param('participantId') participantId: string,
    @Query('month') month: string | undefined,
    @Query('format') format: string | undefined,
    @Query('lang') lang: string | undefined,
    @ReportViewer() viewer: Viewer,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    if (!month || !isMonth(month)) throw new BadRequestException('query parameter "month" must be YYYY-MM');
    if (format !== undefined && !['json', 'csv', 'html'].includes(format))
      throw new BadRequestException('"format" must be json, csv or html');
    const language = languageOf(lang);
    const { site } = this.participants.scopeOf(siteId, participantId);
    const reports = this.scopes.reportsOf(siteId);
    const report = await reports.report(viewer, participantId, month);
    if (!report) throw new NotFoundException(`no participant "${participantId}" in site "${siteId}"`);
    await this.participants.read(request, siteId, participantId, viewer, `report ${month} (${format ?? 'json'})`);
    // A resident's data: kept out of shared caches, and a link carrying its token never leaks it as a referrer.
    noStore(response);
    if (format === 'html') {
      // The page's one script, from this origin (its consent button and export links): no inline script runs.
      asPageWithScript(response);
      // The resident's own page carries their data section; the operator's view of it does not.
      const privacy = viewer.role === 'resident' ? await this.privacyState(siteId, participantId, viewer) : undefined;
      return residentReportHtml(report, language, site.timezone, privacy);
    }
    if (format !== 'csv') return report;
    response.setHeader('content-type', 'text/csv; charset=utf-8');
    response.setHeader('content-disposition', `attachment; filename="${participantId}-${month}.csv"`);
    return residentReportCsv(report);
  }

  /**
   * An effacement order's report (asked, planned, delivered, per participant): JSON, or `?format=csv` for the
   * participants. Operator only: it holds every participant's consumption against its reference.
   */
  @Get('effacements/:eventId/report')
  @Access.siteOperator("an effacement order's report, per participant", 400)
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  async getEffacementReport(
    @Param('siteId') siteId: string,
    @Param('eventId') eventId: string,
    @Query('format') format: string | undefined,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { effacements } = this.scopes.of(siteId);
    if (format !== undefined && format !== 'json' && format !== 'csv')
      throw new BadRequestException('"format" must be json or csv');
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(eventId))
      throw new NotFoundException(`no effacement order "${eventId}" for site "${siteId}"`);
    const report = await effacements.report(eventId);
    if (!report) throw new NotFoundException(`no effacement order "${eventId}" for site "${siteId}"`);
    // Every participant's consumption against its reference: personal data, each read in the access log.
    for (const { participantId } of report.participants)
      await this.accessLog.record(request, siteId, participantId, { role: 'operator' }, `effacement report ${eventId}`);
    noStore(response);
    if (format !== 'csv') return { siteId, ...report };
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    return eventReportCsv(report);
  }

  @Get('schedule')
  @Access.siteOperator('the current plan (the schedule topic’s document)')
  async getSchedule(@Param('siteId') siteId: string) {
    this.scopes.of(siteId);
    const latest = await this.plans.latest<object>(siteId);
    if (!latest) throw new NotFoundException(`no plan yet for site "${siteId}"`);
    return latest.document;
  }

  private async privacyState(siteId: string, participantId: string, viewer: Viewer) {
    const consent = consentInForce(await this.privacy.consentHistory(siteId, participantId), 'detailed_curve');
    const billed = this.scopes.of(siteId).site.acc?.billing && this.residentReader;
    const invoices = billed
      ? (await new AccInvoiceRepository(this.residentReader!).ofParticipant(siteId, participantId, viewer)).map(
          (d) => ({
            number: d.number,
            kind: d.kind,
            issueDate: d.issueDate,
            grossCents: d.grossCents,
          }),
        )
      : undefined;
    return { detailedCurve: consent.granted, since: consent.since?.toISOString(), ...(invoices ? { invoices } : {}) };
  }
}

/** How far ahead `GET .../signals` lists: the longest a demand-response signal is announced ahead is days, not weeks. */
const SIGNALS_LISTED_AHEAD_MS = 14 * 86_400_000;

/** A stored signal as the API says it: its type, key and period, and when an effacement order is first planned. */
function signalAnswer(stored: StoredSignal, now: Date) {
  return {
    type: stored.type,
    key: stored.key,
    start: stored.startsAt.toISOString(),
    end: stored.endsAt.toISOString(),
    ...(stored.type === 'effacement'
      ? { firstPlannedAt: firstPlannedAt({ start: stored.startsAt }, now).toISOString() }
      : {}),
  };
}
