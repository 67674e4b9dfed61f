import { ExecutionContext, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { OidcVerifier } from './oidc-verifier';
import { OperatorGuard } from './operator.guard';

const call = (authorization?: string) =>
  ({
    switchToHttp: () => ({
      getRequest: () => ({ method: 'GET', headers: authorization === undefined ? {} : { authorization } }),
    }),
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
  >)('%s', async (_name, configured, header, expected) => {
    const guard = new OperatorGuard(configured, new OidcVerifier(undefined));
    if (expected === true) expect(await guard.canActivate(call(header))).toBe(true);
    else await expect(guard.canActivate(call(header))).rejects.toThrow(expected);
  });
});
