import { describeProblems } from '@ilot/domain';
import { ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Viewer } from '@ilot/timeseries';
import type { Request } from 'express';
import { verifyAccessToken } from '@ilot/residents';
import { bearerToken, OperatorGuard } from './operator.guard';

/** Injection token of ILOT_TOKEN_SECRET (possibly undefined: then only the operator gets in). */
export const TOKEN_SECRET = Symbol('TOKEN_SECRET');

/**
 * Who a request's token says the caller is, for one site: the operator (its bearer token, or a signed operator
 * token of the site) or a resident (a signed resident token). Undefined without a token; forged or expired: 401;
 * a token of another site: 403.
 *
 * The token comes in `Authorization: Bearer`, or, for a GET (a resident opening their report's link in a browser,
 * which cannot set a header), in `?access_token=` (RFC 6750, 2.3). Only residents' signed tokens may come that way: they
 * expire and open one participant's data; an operator's token, static or signed, is never taken from a URL.
 */
@Injectable()
export class ViewerResolver {
  constructor(
    private readonly operator: OperatorGuard,
    @Inject(TOKEN_SECRET) private readonly secret: string | undefined,
  ) {}

  /**
   * The viewer who may see one participant's data: the operator, or that participant's resident. Without a token:
   * 401 with `refused.missing`; another resident: 403 with `refused.other`.
   */
  viewerFor(
    request: Request,
    siteId: string,
    participantId: string,
    refused: { missing: string; other: string },
  ): Viewer {
    const viewer = this.viewerOf(request, siteId);
    if (!viewer) throw new UnauthorizedException(refused.missing);
    if (viewer.role === 'resident' && viewer.participantId !== participantId)
      throw new ForbiddenException(refused.other);
    return viewer;
  }

  viewerOf(request: Request, siteId: string): Viewer | undefined {
    const inQuery =
      request.method === 'GET' && typeof request.query.access_token === 'string'
        ? request.query.access_token
        : undefined;
    const given = bearerToken(request) ?? inQuery;
    if (!given) return undefined;
    if (given === inQuery && !given.startsWith('v1.'))
      throw new UnauthorizedException("only a resident's signed token may be given in the URL");
    if (!given.startsWith('v1.')) {
      this.operator.check(given);
      return { role: 'operator' };
    }
    if (!this.secret) throw new UnauthorizedException('signed tokens are not accepted: ILOT_TOKEN_SECRET is not set');
    // Wall-clock time, not the îlot's clock: a token expires in the real world even when a demo runs simulated time.
    const verified = verifyAccessToken(given, this.secret, new Date());
    if (!verified.ok) throw new UnauthorizedException(describeProblems(verified));
    const claims = verified.value;
    // Regression (issue 15): a signed operator token in a URL (logs, history, shared links) opened every resident's data.
    if (given === inQuery && claims.role !== 'resident')
      throw new UnauthorizedException(
        'an operator token is never taken from the URL: send it in Authorization: Bearer',
      );
    if (claims.site !== siteId) throw new ForbiddenException(`this token is for site "${claims.site}"`);
    return claims.role === 'resident' ? { role: 'resident', participantId: claims.participant } : { role: 'operator' };
  }
}
