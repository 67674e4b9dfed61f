import { join } from 'node:path';
import { verifyAccessToken } from '@ilot/residents';
import { UsageError } from './args';
import { tokenCommand } from './token.command';

const SITE = join(__dirname, '..', '..', '..', 'sites', 'demo.yaml');
const SECRET = 'cli-token-secret-0123456789abcdef0123';
const NOW = new Date('2026-11-22T08:00:00Z');
const options = (pairs: Record<string, string>) => new Map(Object.entries(pairs).map(([k, v]) => [k, [v]]));

describe('ilot token', () => {
  const saved = process.env.ILOT_TOKEN_SECRET;
  beforeEach(() => (process.env.ILOT_TOKEN_SECRET = SECRET));
  afterAll(() =>
    saved === undefined ? delete process.env.ILOT_TOKEN_SECRET : (process.env.ILOT_TOKEN_SECRET = saved),
  );

  it('signs a resident’s token the metrics app accepts, for the days asked, and prints it alone', () => {
    const printed: string[] = [];
    const { token } = tokenCommand(
      options({ site: SITE, participant: 'flat-a-101', days: '7' }),
      (line) => printed.push(line),
      NOW,
    );
    expect(printed).toEqual([token]);
    expect(verifyAccessToken(token, SECRET, NOW)).toEqual({
      ok: true,
      value: {
        role: 'resident',
        site: 'demo',
        participant: 'flat-a-101',
        exp: NOW.getTime() / 1000 + 7 * 86_400,
        // When it was signed: a revocation refuses the tokens signed before it (issue 26).
        iat: NOW.getTime() / 1000,
      },
    });
    expect(verifyAccessToken(token, SECRET, new Date(NOW.getTime() + 7 * 86_400_000))).toEqual({
      ok: false,
      reason: 'expired',
      problems: ['token expired'],
    });
  });

  it('signs an operator’s token for the site', () => {
    const { claims } = tokenCommand(options({ site: SITE, role: 'operator' }), () => undefined, NOW);
    expect(claims).toEqual({ role: 'operator', site: 'demo', exp: NOW.getTime() / 1000 + 31 * 86_400 });
  });

  it.each([
    [{ site: SITE }, '--participant is required for a resident token'],
    [{ site: SITE, participant: 'flat-z-999' }, '--participant: no participant "flat-z-999" in site "demo"'],
    [
      { site: SITE, role: 'operator', participant: 'flat-a-101' },
      '--participant goes with a resident token, not an operator one',
    ],
    [{ site: SITE, role: 'admin' }, '--role must be resident or operator'],
    [{ site: SITE, participant: 'flat-a-101', days: '0' }, '--days must be a whole number from 1 to 366'],
    [{ site: SITE, participant: 'flat-a-101', days: '1.5' }, '--days must be a whole number from 1 to 366'],
  ])('refuses %j: %s', (pairs, message) => {
    expect(() => tokenCommand(options(pairs), () => undefined, NOW)).toThrow(new UsageError(message));
  });

  it('refuses to sign without the secret in the environment, or with a short one', () => {
    delete process.env.ILOT_TOKEN_SECRET;
    expect(() => tokenCommand(options({ site: SITE, participant: 'flat-a-101' }), () => undefined, NOW)).toThrow(
      /ILOT_TOKEN_SECRET/,
    );
    process.env.ILOT_TOKEN_SECRET = 'short';
    expect(() => tokenCommand(options({ site: SITE, participant: 'flat-a-101' }), () => undefined, NOW)).toThrow(
      /ILOT_TOKEN_SECRET/,
    );
  });
});
