import { BadRequestException, Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import type { Clock } from '@ilot/domain';
import { CLOCK } from '@ilot/runtime';
import { ApiQuery } from '@nestjs/swagger';
import { openDataCsv, openDataDocument } from '@ilot/reports';
import { deliveredEffacement, OPEN_DATA_MAX_DAYS, openDataOf, openDataRangeProblem } from '@ilot/residents';
import { OpenDataHourRepository, ReadingRepository, SignalRepository } from '@ilot/timeseries';
import type { Response } from 'express';
import { parseInstant } from '../http/query-instant';
import { Access } from '../http/route-access';
import { SiteScopes } from '@ilot/residents';

/**
 * The îlot's data as a common good (issue 16): hourly production, consumption (5 participants or more), grid
 * exchanges, self-consumption and self-sufficiency, as CSV or JSON with its Table Schema and licence. Open to anyone.
 */
@Controller('api/v1/sites/:siteId')
export class OpenDataController {
  constructor(
    private readonly scopes: SiteScopes,
    private readonly readings: ReadingRepository,
    private readonly signals: SignalRepository,
    private readonly published: OpenDataHourRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('open-data')
  @Access.open('the îlot’s hourly open data (aggregates only), CSV or JSON with its Table Schema')
  @ApiQuery({ name: 'from', required: true, description: 'ISO 8601' })
  @ApiQuery({ name: 'to', required: true, description: `ISO 8601, at most ${OPEN_DATA_MAX_DAYS} days after from` })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  async openData(
    @Param('siteId') siteId: string,
    @Query('from') from: string | undefined,
    @Query('to') to: string | undefined,
    @Query('format') format: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { site } = this.scopes.of(siteId);
    const range = { from: parseInstant('from', from), to: parseInstant('to', to) };
    const problem = openDataRangeProblem(range.from, range.to);
    if (problem) throw new BadRequestException(problem);
    if (format !== undefined && format !== 'json' && format !== 'csv')
      throw new BadRequestException('"format" must be json or csv');
    const { effacements } = this.scopes.of(siteId);
    const delivered = await deliveredEffacement(siteId, this.signals, effacements, range.from, range.to);
    const rows = await openDataOf(site, this.readings, range.from, range.to, delivered, {
      repository: this.published,
      now: this.clock.now(),
    });
    if (format === 'csv') {
      response.setHeader('content-type', 'text/csv; charset=utf-8');
      response.setHeader('content-disposition', `attachment; filename="ilot-${siteId}-open-data.csv"`);
      return openDataCsv(rows);
    }
    return openDataDocument(site, rows);
  }
}
