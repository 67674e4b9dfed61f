import { ExecutionContext, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { OperatorGuard } from './operator.guard';

const call = (authorization?: string) =>
  ({
    switchToHttp: () => ({ getRequest: () => ({ headers: authorization === undefined ? {} : { authorization } }) }),
  }) as unknown as ExecutionContext;
const TOKEN = 'operator-token-0123456789';

describe('OperatorGuard', () => {
  it.each([
    ['the right token', TOKEN, `Bearer ${TOKEN}`, true],
    ['no header', TOKEN, undefined, UnauthorizedException],
    ['another scheme', TOKEN, `Basic ${TOKEN}`, UnauthorizedException],
    ['a wrong token', TOKEN, 'Bearer operator-token-0123456780', UnauthorizedException],
    ['a prefix of the token', TOKEN, `Bearer ${TOKEN.slice(0, -1)}`, UnauthorizedException],
    ['no token configured: refused, never open', undefined, `Bearer ${TOKEN}`, ForbiddenException],
  ] as Array<
    [string, string | undefined, string | undefined, true | typeof UnauthorizedException | typeof ForbiddenException]
  >)('%s', (_name, configured, header, expected) => {
    const guard = new OperatorGuard(configured);
    if (expected === true) expect(guard.canActivate(call(header))).toBe(true);
    else expect(() => guard.canActivate(call(header))).toThrow(expected);
  });
});
