import { CanActivate, createParamDecorator, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Viewer } from '@ilot/timeseries';
import type { Request } from 'express';
import { verifyAccessToken } from './access-tokens';
import { bearerToken, OperatorGuard } from './operator.guard';

/** Injection token of ILOT_TOKEN_SECRET (possibly undefined: then only the operator gets in). */
export const TOKEN_SECRET = Symbol('TOKEN_SECRET');

type ViewerRequest = Request & { viewer?: Viewer };

/** The viewer the guard established from the token: the database is asked as this viewer (row-level security). */
export const ReportViewer = createParamDecorator((_: unknown, context: ExecutionContext): Viewer => {
  const viewer = context.switchToHttp().getRequest<ViewerRequest>().viewer;
  if (!viewer) throw new Error('ReportViewer used on a route without ReportAccessGuard');
  return viewer;
});

/**
 * A resident's report: the operator (its bearer token, or a signed operator token of the site) sees every
 * participant's; a resident's signed token opens its own participant's only. Missing, forged or expired: 401;
 * another participant's or another site's: 403. (PostgreSQL enforces it a second time: row-level security.)
 */
@Injectable()
export class ReportAccessGuard implements CanActivate {
  constructor(
    private readonly operator: OperatorGuard,
    @Inject(TOKEN_SECRET) private readonly secret: string | undefined,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<ViewerRequest>();
    const given = bearerToken(request);
    if (!given) throw new UnauthorizedException('token required: Authorization: Bearer <token>');
    if (!given.startsWith('v1.')) {
      this.operator.check(given);
      request.viewer = { role: 'operator' };
      return true;
    }
    if (!this.secret) throw new UnauthorizedException('signed tokens are not accepted: ILOT_TOKEN_SECRET is not set');
    // Wall-clock time, not the îlot's clock: a token expires in the real world even when a demo runs simulated time.
    const verified = verifyAccessToken(given, this.secret, new Date());
    if (!verified.ok) throw new UnauthorizedException(verified.reason);
    const { siteId, participantId } = request.params;
    const claims = verified.claims;
    if (claims.site !== siteId) throw new ForbiddenException(`this token is for site "${claims.site}"`);
    if (claims.role === 'resident' && claims.participant !== participantId) throw new ForbiddenException('a resident sees only their own report');
    request.viewer = claims.role === 'resident' ? { role: 'resident', participantId: claims.participant } : { role: 'operator' };
    return true;
  }
}
