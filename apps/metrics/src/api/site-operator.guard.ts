import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { ViewerResolver } from './viewer-resolver';

/**
 * Operator routes of one îlot (`/api/v1/sites/:siteId/...`): the deployment's operator token (ILOT_OPERATOR_TOKEN, every
 * site), or a signed operator token of that site (`ilot token --site FILE --role operator`: the operator of one îlot
 * among many). Missing, forged or expired: 401; a resident's token, or another site's: 403.
 */
@Injectable()
export class SiteOperatorGuard implements CanActivate {
  constructor(private readonly viewers: ViewerResolver) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const viewer = this.viewers.viewerOf(request, (request.params as Record<string, string>).siteId);
    if (!viewer) throw new UnauthorizedException('operator token required: Authorization: Bearer <token>');
    if (viewer.role !== 'operator') throw new ForbiddenException('operator only: a resident token does not open this');
    return true;
  }
}
