import { Access } from '../http/route-access';
import { ApiBody } from '@nestjs/swagger';
import {
  BadRequestException,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Put,
  Res,
} from '@nestjs/common';
import type { Clock } from '@ilot/domain';
import { CLOCK, SiteCatalog, JsonBody } from '@ilot/runtime';
import { siteFromDocument, SiteValidationError } from '@ilot/site';
import { SiteDefinitionRepository } from '@ilot/timeseries';
import type { Response } from 'express';

const SITE_ID = /^[a-z0-9-]{1,64}$/;

/**
 * The îlots of the deployment as data (issue 14): list them, and manage the ones stored through the API; the site
 * files of ILOT_SITES_DIR are changed in their folder. Every change takes effect without a restart (the site catalog
 * of every instance reads the stored sites again). Listing every site and removing one take the deployment's operator
 * token; a site's own operator token (signed for that id) may also read and replace that site's definition.
 */
@Controller('api/v1/sites')
export class SitesController {
  constructor(
    private readonly catalog: SiteCatalog,
    private readonly definitions: SiteDefinitionRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Every site served, with where it comes from, and every site document refused, with its reasons. */
  @Get()
  @Access.deploymentOperator('the îlots served, and every site refused with its reasons')
  list() {
    return {
      sites: this.catalog.sites().map((entry) => ({
        siteId: entry.site.id,
        name: entry.site.name,
        source: entry.source,
        devices: entry.site.devices.size,
      })),
      refused: this.catalog.refused(),
    };
  }

  /** A site's document: as stored through the API, or (for a file's site) its source and devices. */
  @Get(':siteId')
  @Access.siteOperator("a site's definition")
  async get(@Param('siteId') siteId: string) {
    const stored = SITE_ID.test(siteId) ? await this.definitions.get(siteId) : undefined;
    if (stored) return { siteId, source: 'api', updatedAt: stored.updatedAt.toISOString(), document: stored.document };
    const entry = this.catalog.find(siteId);
    if (!entry) throw new NotFoundException(`no site "${siteId}"`);
    return { siteId, source: entry.source, name: entry.site.name, devices: [...entry.site.devices.keys()] };
  }

  /**
   * The site file's document as JSON (docs/site-file.md), validated as a file is (400 with every problem, nothing
   * stored); its `id` is the path's. 201 when new, 200 when it replaced the stored one; 409 when a site file defines
   * that id (change the file instead).
   */
  @Put(':siteId')
  @Access.siteOperator('stores or replaces a site (the site file’s document as JSON)', 400, 409, 413, 415)
  @ApiBody({ description: 'a site document (docs/site-file.md)', schema: { type: 'object' } })
  async put(
    @Param('siteId') siteId: string,
    @JsonBody() body: unknown,
    @Res({ passthrough: true }) response: Response,
  ) {
    if (!SITE_ID.test(siteId)) throw new BadRequestException('siteId: must match [a-z0-9-]+ (at most 64)');
    const id = (body as { id?: unknown } | null)?.id;
    if (id !== siteId)
      throw new BadRequestException({
        message: 'site refused, nothing stored',
        problems: [`id: ${JSON.stringify(id)} is not the site of the path, "${siteId}"`],
      });
    this.refuseFileSite(siteId);
    let fingerprint: string;
    try {
      fingerprint = siteFromDocument(body, `api:${siteId}`).fingerprint;
    } catch (error) {
      if (!(error instanceof SiteValidationError)) throw error;
      throw new BadRequestException({ message: 'site refused, nothing stored', problems: error.problems });
    }
    const { created } = await this.definitions.put(siteId, body, fingerprint, this.clock.now());
    await this.catalog.refresh();
    response.status(created ? 201 : 200);
    return { siteId, created, fingerprint };
  }

  /** Removes a site stored through the API: it stops being served (its controllers fall back at `validUntil`). */
  @Delete(':siteId')
  @Access.deploymentOperator('removes a site stored through the API', 404, 409)
  @HttpCode(204)
  async remove(@Param('siteId') siteId: string): Promise<void> {
    this.refuseFileSite(siteId);
    if (!SITE_ID.test(siteId) || !(await this.definitions.delete(siteId)))
      throw new NotFoundException(`no site "${siteId}" stored through the API`);
    await this.catalog.refresh();
  }

  private refuseFileSite(siteId: string): void {
    const entry = this.catalog.find(siteId);
    if (entry && !entry.source.startsWith('api:'))
      throw new ConflictException(`site "${siteId}" is defined by ${entry.source}: change it there`);
  }
}
