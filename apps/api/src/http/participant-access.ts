import { Injectable, NotFoundException } from '@nestjs/common';
import { type SiteScope, SiteScopes } from '@ilot/residents';
import type { Viewer } from '@ilot/timeseries';
import type { Request } from 'express';
import { AccessLog } from '../privacy/access-log';

/**
 * The one preamble of every participant route: the participant must be one of the site's (404 naming them otherwise,
 * answered before any query, so an unknown id, a NUL byte included, reaches no table), and a read of their data is
 * written in the access log before anything is sent.
 */
@Injectable()
export class ParticipantAccess {
  constructor(
    private readonly scopes: SiteScopes,
    private readonly accessLog: AccessLog,
  ) {}

  /** The site's scope when `participantId` is one of its participants. */
  scopeOf(siteId: string, participantId: string): SiteScope {
    const scope = this.scopes.of(siteId);
    if (!scope.site.participants.some((p) => p.id === participantId))
      throw new NotFoundException(`no participant "${participantId}" in site "${siteId}"`);
    return scope;
  }

  /** `scopeOf`, then the read recorded in the access log (who, when, which route, `what`). */
  async read(
    request: Request,
    siteId: string,
    participantId: string,
    viewer: Viewer,
    what: string,
  ): Promise<SiteScope> {
    const scope = this.scopeOf(siteId, participantId);
    await this.accessLog.record(request, siteId, participantId, viewer, what);
    return scope;
  }
}
