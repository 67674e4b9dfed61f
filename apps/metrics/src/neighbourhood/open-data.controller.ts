import { BadRequestException, Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { OPEN_DATA_SCHEMA, openDataCsv } from '@ilot/reports';
import { OPEN_DATA_MAX_DAYS, openDataOf } from '@ilot/residents';
import { ReadingRepository } from '@ilot/timeseries';
import type { Response } from 'express';
import { parseInstant } from '../api/query-instant';
import { Access } from '../api/route-access';
import { SiteScopes } from '../site-scopes';

/** The licence of the îlot's open data unless the operator chooses another (ILOT_OPEN_DATA_LICENCE: later). */
const LICENCE = {
  name: 'etalab-2.0',
  title: 'Licence Ouverte / Open Licence 2.0',
  path: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence',
};

/**
 * The îlot's data as a common good (issue 16): hourly production, consumption (5 participants or more), grid
 * exchanges, self-consumption and self-sufficiency, as CSV or JSON with its Table Schema and licence. Open to anyone.
 */
@Controller('api/v1/sites/:siteId')
export class OpenDataController {
  constructor(
    private readonly scopes: SiteScopes,
    private readonly readings: ReadingRepository,
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
    if (range.from >= range.to) throw new BadRequestException('"from" must be before "to"');
    if (range.to.getTime() - range.from.getTime() > OPEN_DATA_MAX_DAYS * 86_400_000)
      throw new BadRequestException(`at most ${OPEN_DATA_MAX_DAYS} days at once`);
    if (format !== undefined && format !== 'json' && format !== 'csv')
      throw new BadRequestException('"format" must be json or csv');
    const rows = await openDataOf(site, this.readings, range.from, range.to);
    if (format === 'csv') {
      response.setHeader('content-type', 'text/csv; charset=utf-8');
      response.setHeader('content-disposition', `attachment; filename="ilot-${siteId}-open-data.csv"`);
      return openDataCsv(rows);
    }
    return { siteId, name: site.name, licenses: [LICENCE], schema: OPEN_DATA_SCHEMA, rows };
  }
}
