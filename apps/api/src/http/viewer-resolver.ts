import { describeProblems } from '@ilot/domain';
import { ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { TokenRevocationRepository, type Viewer } from '@ilot/timeseries';
import type { Request } from 'express';
import { verifyAccessToken } from '@ilot/residents';
import { isJwt, OidcVerifier } from './oidc-verifier';
import { bearerToken, OperatorGuard } from './operator.guard';

/** Injection token of ILOT_TOKEN_SECRET (possibly undefined: then only the operator gets in). */
export const TOKEN_SECRET = Symbol('TOKEN_SECRET');

/** Who the caller is, and whether they may only read (an identity provider's `viewer` role). */
export interface Resolved {
  viewer: Viewer;
  readOnly: boolean;
}

/**
 * Who a request's token says the caller is, for one site: the operator (its bearer token, a signed operator
 * token of the site, or an access token of the identity provider with a role on the site: `operator`, or `viewer`
 * who only reads) or a resident (a signed resident token). Undefined without a token; forged or expired: 401;
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
    private readonly oidc: OidcVerifier,
    private readonly revocations: TokenRevocationRepository,
  ) {}

  /**
   * The viewer who may see one participant's data: the operator, or that participant's resident. Without a token:
   * 401 with `refused.missing`; another resident: 403 with `refused.other`.
   */
  async viewerFor(
    request: Request,
    siteId: string,
    participantId: string,
    refused: { missing: string; other: string },
  ): Promise<Viewer> {
    const resolved = await this.resolve(request, siteId);
    if (!resolved) throw new UnauthorizedException(refused.missing);
    const { viewer } = resolved;
    if (resolved.readOnly && request.method !== 'GET') throw new ForbiddenException('a viewer only reads');
    if (viewer.role === 'resident' && viewer.participantId !== participantId)
      throw new ForbiddenException(refused.other);
    return viewer;
  }

  async resolve(request: Request, siteId: string): Promise<Resolved | undefined> {
    const inQuery =
      request.method === 'GET' && typeof request.query.access_token === 'string'
        ? request.query.access_token
        : undefined;
    const given = bearerToken(request) ?? inQuery;
    if (!given) return undefined;
    if (given === inQuery && !given.startsWith('v1.'))
      throw new UnauthorizedException("only a resident's signed token may be given in the URL");
    if (isJwt(given) && this.oidc.enabled) {
      const grants = await this.oidc.grants(given);
      const role = grants.get(siteId) ?? grants.get('*');
      if (!role) throw new ForbiddenException(`this token gives no role on site "${siteId}"`);
      return { viewer: { role: 'operator' }, readOnly: role === 'viewer' };
    }
    if (!given.startsWith('v1.')) {
      this.operator.check(given);
      return { viewer: { role: 'operator' }, readOnly: false };
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
    if (claims.role === 'resident') await this.refuseRevoked(siteId, claims.participant, claims.iat);
    const viewer: Viewer =
      claims.role === 'resident' ? { role: 'resident', participantId: claims.participant } : { role: 'operator' };
    return { viewer, readOnly: false };
  }

  /** A resident's token signed before their tokens were revoked (a move-out) opens nothing (issue 26). */
  private async refuseRevoked(siteId: string, participantId: string, iat: number | undefined): Promise<void> {
    const notBefore = await this.revocations.notBefore(siteId, participantId);
    if (notBefore && (iat ?? 0) * 1000 < notBefore.getTime())
      throw new UnauthorizedException(
        `this link was revoked on ${notBefore.toISOString()} (${participantId}'s tokens): ask the operator for a new one`,
      );
  }
}
