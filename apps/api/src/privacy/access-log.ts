import { Injectable, Logger } from '@nestjs/common';
import { PrivacyRepository, type Viewer } from '@ilot/timeseries';
import type { Request } from 'express';

/**
 * The access log of personal data (issue 15): every read of a participant's data through the API, who (the operator
 * or which resident), when (wall clock), by which route, what. Written before the data is sent: a read that cannot
 * be logged is refused (the caller gets the error), so none goes unrecorded.
 */
@Injectable()
export class AccessLog {
  private readonly logger = new Logger('AccessLog');

  constructor(private readonly repository: PrivacyRepository) {}

  async record(request: Request, siteId: string, participantId: string, viewer: Viewer, what: string): Promise<void> {
    const route = `${request.method} ${request.route?.path ?? request.path}`;
    try {
      await this.repository.logAccess(siteId, {
        at: new Date(),
        participantId,
        viewerRole: viewer.role,
        viewerId: viewer.role === 'resident' ? viewer.participantId : null,
        route,
        what,
      });
    } catch (error) {
      this.logger.error(`access to ${siteId}/${participantId} not logged: ${(error as Error).message}`);
      throw error;
    }
  }
}
