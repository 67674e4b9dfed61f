import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

/** Injection token of the configured operator token (ILOT_OPERATOR_TOKEN, possibly undefined). */
export const OPERATOR_TOKEN = Symbol('OPERATOR_TOKEN');

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * Operator-only routes (DESIGN.md: POST /signals): `Authorization: Bearer <ILOT_OPERATOR_TOKEN>`. Without a token
 * configured, operator calls are refused rather than open. Compared in constant time (on hashes, so lengths do not leak).
 */
@Injectable()
export class OperatorGuard implements CanActivate {
  constructor(@Inject(OPERATOR_TOKEN) private readonly token: string | undefined) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.token) throw new ForbiddenException('operator calls are disabled: ILOT_OPERATOR_TOKEN is not set');
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const given = /^Bearer (.+)$/.exec(header)?.[1];
    if (!given) throw new UnauthorizedException('operator token required: Authorization: Bearer <token>');
    if (!timingSafeEqual(sha256(given), sha256(this.token))) throw new UnauthorizedException('operator token not valid');
    return true;
  }
}
