import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { ViewerResolver } from './viewer-resolver';

/**
 * Operator routes of one îlot (`/api/v1/sites/:siteId/...`): the deployment's operator token (ILOT_OPERATOR_TOKEN, every
 * site), or a signed operator token of that site (`ilot token --site FILE --role operator`: the operator of one îlot
 * among many), or an identity provider's access token with a role on the site (a `viewer` only reads). Missing,
 * forged or expired: 401; a resident's token, or another site's: 403.
 */
@Injectable()
export class SiteOperatorGuard implements CanActivate {
  constructor(private readonly viewers: ViewerResolver) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const resolved = await this.viewers.resolve(request, (request.params as Record<string, string>).siteId);
    if (!resolved) throw new UnauthorizedException('operator token required: Authorization: Bearer <token>');
    if (resolved.viewer.role !== 'operator')
      throw new ForbiddenException('operator only: a resident token does not open this');
    if (resolved.readOnly && request.method !== 'GET') throw new ForbiddenException('a viewer only reads');
    return true;
  }
}
