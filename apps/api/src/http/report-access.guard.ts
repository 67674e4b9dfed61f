import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import type { Viewer } from '@ilot/timeseries';
import type { Request } from 'express';
import { ViewerResolver } from './viewer-resolver';

type ViewerRequest = Request & { viewer?: Viewer };

/** The viewer the guard established from the token: the database is asked as this viewer (row-level security). */
export const ReportViewer = createParamDecorator((_: unknown, context: ExecutionContext): Viewer => {
  const viewer = context.switchToHttp().getRequest<ViewerRequest>().viewer;
  if (!viewer) throw new Error('ReportViewer used on a route without ReportAccessGuard');
  return viewer;
});

/**
 * A resident's report: the operator sees every participant's; a resident's signed token opens its own
 * participant's only. Missing, forged or expired: 401; another participant's or another site's: 403.
 * (PostgreSQL enforces it a second time: row-level security, as the viewer set here.)
 */
@Injectable()
export class ReportAccessGuard implements CanActivate {
  constructor(private readonly viewers: ViewerResolver) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ViewerRequest>();
    const { siteId, participantId } = request.params as Record<string, string>;
    request.viewer = await this.viewers.viewerFor(request, siteId, participantId, {
      missing: 'token required: Authorization: Bearer <token>',
      other: 'a resident sees only their own report',
    });
    return true;
  }
}
