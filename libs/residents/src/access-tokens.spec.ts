import { signAccessToken, verifyAccessToken } from './access-tokens';

const SECRET = 'a-secret-of-at-least-32-characters!!';
const now = new Date('2026-11-22T10:00:00Z');
const exp = now.getTime() / 1000 + 3600;
const resident = { role: 'resident' as const, site: 'demo', participant: 'flat-a-101', exp };

describe('access tokens', () => {
  it('gives back the claims of a token it signed', () => {
    expect(verifyAccessToken(signAccessToken(resident, SECRET, now), SECRET, now)).toEqual({
      ok: true,
      value: { ...resident, iat: now.getTime() / 1000 },
    });
  });

  it.each([
    [
      'another secret',
      signAccessToken(resident, 'another-secret-of-32-characters-or-more'),
      'token not valid: bad signature',
    ],
    [
      'claims swapped to another participant, signature kept (forged)',
      (() => {
        const [prefix, , signature] = signAccessToken(resident, SECRET).split('.');
        return `${prefix}.${Buffer.from(JSON.stringify({ ...resident, participant: 'flat-a-102' })).toString('base64url')}.${signature}`;
      })(),
      'token not valid: bad signature',
    ],
    ['expired', signAccessToken({ ...resident, exp: now.getTime() / 1000 - 1 }, SECRET), 'token expired'],
    ['not a v1 token', 'operator-token-0123456789', 'token not valid: not a v1 token'],
    [
      'a resident token without its participant',
      signAccessToken({ role: 'resident', site: 'demo', exp } as never, SECRET),
      'token not valid: no participant',
    ],
  ])('refuses %s', (_name, token, reason) => {
    expect(verifyAccessToken(token, SECRET, now)).toMatchObject({ ok: false, problems: [reason] });
  });
});
