import { Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Put } from '@nestjs/common';
import { ApiBody, ApiConsumes } from '@nestjs/swagger';
import type { Clock } from '@ilot/domain';
import { CLOCK, TextBody } from '@ilot/runtime';
import { SiteScopes } from '@ilot/residents';
import { AccRepository } from '@ilot/timeseries';
import { Access } from '../http/route-access';
import { acceptedOrHttp, monthParam } from './acc-http';

/**
 * The PMO's month of a collective self-consumption operation on the public grid (issue 29, docs/acc.md): the key
 * file for the distributor, the distributor's data imported, and the two reconciled. Operator only.
 */
@Controller('api/v1/sites/:siteId/acc/:month')
export class AccController {
  constructor(
    private readonly scopes: SiteScopes,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly acc: AccRepository,
  ) {}

  /**
   * Writes the month's key file from the ledger, validated (every step of the local month, every consumer, each
   * step at most 100 %); the ledger applies the coefficients as sent from then on. `{files: [{fileName, sha256, text, producer?}], steps, gaps}` (one file per producer for a full dynamic key);
   * 409 for a site off the public grid or with the default key (no file is sent).
   */
  @Post('keys')
  @HttpCode(200)
  @Access.siteOperator("the month's key file for the distributor (written, kept, applied by the ledger)", 409)
  async keys(@Param('siteId') siteId: string, @Param('month') month: string) {
    return acceptedOrHttp(await this.scopes.of(siteId).acc.keys(monthParam(month), this.clock.now()));
  }

  /**
   * The distributor's month (its CSV as the body, `text/csv`), checked line by line, in place of an earlier import of
   * the month. 400 with every problem (nothing stored); `{importId, rows, pointsAbsent}`.
   */
  @Put('distributor-data')
  @Access.siteOperator("the distributor's monthly data (per delivery point and step), imported", 409, 413)
  @ApiConsumes('text/csv')
  @ApiBody({ description: "the distributor's month file (docs/acc.md)", schema: { type: 'string' } })
  async importData(@Param('siteId') siteId: string, @Param('month') month: string, @TextBody() body: string) {
    return acceptedOrHttp(await this.scopes.of(siteId).acc.import(monthParam(month), body, this.clock.now()));
  }

  /** Reconciles the month now (the ledger against the distributor's data last imported) and stores it. 409 before an import. */
  @Post('reconciliation')
  @HttpCode(200)
  @Access.siteOperator("reconciles the month's ledger with the distributor's data: differences explained", 409)
  async reconcile(@Param('siteId') siteId: string, @Param('month') month: string) {
    const lines = acceptedOrHttp(await this.scopes.of(siteId).acc.reconcile(monthParam(month), this.clock.now()));
    return { siteId, month, flagged: lines.filter((l) => l.flagged).length, lines };
  }

  /** The month's reconciliation as last computed; 404 when none was. */
  @Get('reconciliation')
  @Access.siteOperator("the month's reconciliation as last computed")
  async reconciliation(@Param('siteId') siteId: string, @Param('month') month: string) {
    const { site } = this.scopes.of(siteId);
    const lines = await this.acc.reconciliation(site.id, monthParam(month));
    if (lines.length === 0) throw new NotFoundException(`no reconciliation of ${month} for site "${siteId}"`);
    return { siteId, month, flagged: lines.filter((l) => l.flagged).length, computedAt: lines[0].computedAt, lines };
  }
}
