import {
  BadRequestException,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { ApiBody, ApiQuery } from '@nestjs/swagger';
import type { Clock } from '@ilot/domain';
import { CLOCK, JsonBody } from '@ilot/runtime';
import { RESIDENT_READER, SiteScopes } from '@ilot/residents';
import { AccInvoiceRepository, ResidentLedgerRepository, type StoredInvoice, type Viewer } from '@ilot/timeseries';
import type { Request, Response } from 'express';
import { noStore } from '../http/no-store';
import { ParticipantAccess } from '../http/participant-access';
import { ReportViewer } from '../http/report-access.guard';
import { Access } from '../http/route-access';
import { acceptedOrHttp, monthParam } from './acc-http';

/** What a list shows of a document: no figure of its lines, the totals, whether it carries a Factur-X. */
const summary = (d: StoredInvoice) => ({
  number: d.number,
  kind: d.kind,
  ...(d.corrects ? { corrects: d.corrects } : {}),
  month: d.month,
  participantId: d.participantId,
  issueDate: d.issueDate,
  netCents: d.netCents,
  vatCents: d.vatCents,
  grossCents: d.grossCents,
  facturx: d.facturx,
  credited: d.credited,
  sha256: d.sha256,
});

/**
 * The operation's invoices (issue 29 §4-6, docs/acc.md): the operator issues a reconciled month, credits an invoice,
 * reads the producers' statements and the accountant's export; a participant lists and downloads their own (under
 * the row-level security the reports use).
 */
@Controller('api/v1/sites/:siteId')
export class AccInvoicesController {
  private readonly residentInvoices: AccInvoiceRepository | null;

  constructor(
    private readonly scopes: SiteScopes,
    private readonly participants: ParticipantAccess,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RESIDENT_READER) residentReader: ResidentLedgerRepository | null,
    private readonly register: AccInvoiceRepository,
  ) {
    this.residentInvoices = residentReader ? new AccInvoiceRepository(residentReader) : null;
  }

  /**
   * Issues the month's invoices not issued yet: the month over, reconciled, nothing above 2 % (else 409 naming the
   * lines, unless `{"acceptDifferences": true}`). The documents issued and the participants already invoiced.
   */
  @Post('acc/:month/invoices')
  @HttpCode(200)
  @Access.siteOperator("issues a reconciled month's invoices (once each)", 400, 409, 413, 415)
  @ApiBody({
    description: '{"acceptDifferences": true} to invoice a month with flagged lines',
    schema: { type: 'object' },
    required: false,
  })
  async issue(@Param('siteId') siteId: string, @Param('month') month: string, @JsonBody() body: unknown) {
    const acceptDifferences = (body as { acceptDifferences?: unknown } | undefined)?.acceptDifferences === true;
    const result = acceptedOrHttp(
      await this.scopes.of(siteId).invoicing.issueMonth(monthParam(month), this.clock.now(), { acceptDifferences }),
    );
    return { siteId, month, issued: result.issued.map(summary), alreadyInvoiced: result.alreadyInvoiced };
  }

  /** The month's invoices and credit notes, in number order. */
  @Get('acc/:month/invoices')
  @Access.siteOperator("the month's invoices and credit notes")
  async list(@Param('siteId') siteId: string, @Param('month') month: string) {
    const { site } = this.scopes.of(siteId);
    return { siteId, month, documents: (await this.register.ofMonth(site.id, monthParam(month))).map(summary) };
  }

  /** Cancels an invoice by a credit note (`{"reason": "..."}`); issue the month again to invoice anew. */
  @Post('acc/invoices/:number/credit-note')
  @HttpCode(200)
  @Access.siteOperator('cancels an invoice by a credit note, with its reason', 400, 409, 413, 415)
  @ApiBody({ description: '{"reason": "..."}', schema: { type: 'object' } })
  async credit(@Param('siteId') siteId: string, @Param('number') number: string, @JsonBody() body: unknown) {
    const reason = (body as { reason?: unknown } | undefined)?.reason;
    if (typeof reason !== 'string') throw new BadRequestException('reason: the credit note states why, as text');
    return summary(acceptedOrHttp(await this.scopes.of(siteId).invoicing.creditNote(number, reason, this.clock.now())));
  }

  /** Each producer's statement of the month (what it sold to whom, by the invoices in force). */
  @Get('acc/:month/statements')
  @Access.siteOperator("the producers' statements of the month")
  async statements(@Param('siteId') siteId: string, @Param('month') month: string) {
    return { siteId, month, statements: await this.scopes.of(siteId).invoicing.statements(monthParam(month)) };
  }

  /** The month's register for the accountant, CSV (credit notes negative). */
  @Get('acc/:month/accounting')
  @Access.siteOperator("the month's invoices for the accountant (CSV)")
  async accounting(
    @Param('siteId') siteId: string,
    @Param('month') month: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    const csv = await this.scopes.of(siteId).invoicing.accounting(monthParam(month));
    response.setHeader('content-type', 'text/csv; charset=utf-8');
    response.setHeader('content-disposition', `attachment; filename="${siteId}-${month}-factures.csv"`);
    return csv;
  }

  /** A participant's invoices and credit notes, newest first: their own (the operator: anyone's). */
  @Get('participants/:participantId/invoices')
  @Access.participant("a participant's invoices and credit notes")
  async participantInvoices(
    @Param('siteId') siteId: string,
    @Param('participantId') participantId: string,
    @ReportViewer() viewer: Viewer,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    await this.participants.read(request, siteId, participantId, viewer, 'invoices');
    noStore(response);
    return {
      siteId,
      participantId,
      documents: (await this.readerOf().ofParticipant(siteId, participantId, viewer)).map(summary),
    };
  }

  /** One of a participant's documents: its PDF, or `?format=xml` its Factur-X XML (business participants). */
  @Get('participants/:participantId/invoices/:number')
  @Access.participant("one of a participant's invoices: the PDF, or its Factur-X XML")
  @ApiQuery({ name: 'format', required: false, enum: ['pdf', 'xml'] })
  async participantInvoice(
    @Param('siteId') siteId: string,
    @Param('participantId') participantId: string,
    @Param('number') number: string,
    @Query('format') format: string | undefined,
    @ReportViewer() viewer: Viewer,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    if (format !== undefined && format !== 'pdf' && format !== 'xml')
      throw new BadRequestException('"format" must be pdf or xml');
    this.participants.scopeOf(siteId, participantId);
    const document = await this.readerOf().withFiles(siteId, number, viewer);
    if (!document || document.participantId !== participantId)
      throw new NotFoundException(`no document ${number} of participant "${participantId}"`);
    if (format === 'xml' && !document.facturxXml) throw new NotFoundException(`${number} carries no Factur-X XML`);
    await this.participants.read(request, siteId, participantId, viewer, `invoice ${number} (${format ?? 'pdf'})`);
    noStore(response);
    const name = `${number}.${format === 'xml' ? 'factur-x.xml' : 'pdf'}`;
    return new StreamableFile(format === 'xml' ? Buffer.from(document.facturxXml!, 'utf8') : document.pdf, {
      type: format === 'xml' ? 'application/xml' : 'application/pdf',
      disposition: `attachment; filename="${name}"`,
    });
  }

  private readerOf(): AccInvoiceRepository {
    if (!this.residentInvoices)
      throw new Error('the invoices are read by the API app: ResidentsModule.forRoot({ reports })');
    return this.residentInvoices;
  }
}
