import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { sameSecret } from '@ilot/runtime';
import type { Request } from 'express';
import { isJwt, OidcVerifier } from './oidc-verifier';

/** Injection token of the configured operator token (ILOT_OPERATOR_TOKEN, possibly undefined). */
export const OPERATOR_TOKEN = Symbol('OPERATOR_TOKEN');

/** The token of an `Authorization: Bearer <token>` header, if there is one. */
export function bearerToken(request: Request): string | undefined {
  return /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
}

/**
 * The deployment's operator routes (listing and removing îlots): `Authorization: Bearer <ILOT_OPERATOR_TOKEN>`; one îlot's
 * routes take SiteOperatorGuard. Without a token
 * configured, operator calls are refused rather than open. Compared in constant time (on hashes, so lengths do not leak).
 */
@Injectable()
export class OperatorGuard implements CanActivate {
  constructor(
    @Inject(OPERATOR_TOKEN) private readonly token: string | undefined,
    private readonly oidc: OidcVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const given = bearerToken(request);
    // The identity provider's operator of every site (`operator:*`; `viewer:*` reads).
    if (given && isJwt(given) && this.oidc.enabled) {
      const role = (await this.oidc.grants(given)).get('*');
      if (role === 'operator' || (role === 'viewer' && request.method === 'GET')) return true;
      throw new ForbiddenException('the deployment’s operator is required: this token gives no role on every site');
    }
    if (!this.token) throw new ForbiddenException('operator calls are disabled: ILOT_OPERATOR_TOKEN is not set');
    if (!given) throw new UnauthorizedException('operator token required: Authorization: Bearer <token>');
    // A signed token (a resident's, or one îlot's operator's) never opens the deployment-wide routes.
    if (given.startsWith('v1.'))
      throw new ForbiddenException('the deployment’s operator token is required: a signed token opens one site only');
    this.check(given);
    return true;
  }

  /** Refuses a token that is not the operator's (403 when none is configured, 401 otherwise). */
  check(given: string): void {
    if (!this.token) throw new ForbiddenException('operator calls are disabled: ILOT_OPERATOR_TOKEN is not set');
    if (!sameSecret(given, this.token)) throw new UnauthorizedException('operator token not valid');
  }
}
