import { loadSiteFile } from '@ilot/site';
import { AccessClaims, signAccessToken } from '@ilot/residents';
import { required, UsageError } from './args';

const MAX_DAYS = 366;

/**
 * `ilot token --site FILE (--participant ID | --role operator) [--days N]`: a signed access token for the reports,
 * a resident's (their own report and meter) or the operator's, valid N days (31). The secret is ILOT_TOKEN_SECRET
 * from the environment, never an argument (it would stay in the shell's history). Prints the token alone.
 */
export function tokenCommand(
  options: Map<string, string[]>,
  log: (line: string) => void,
  now = new Date(),
): { token: string; claims: AccessClaims } {
  const site = loadSiteFile(required(options, 'site'));
  const role = options.get('role')?.[0] ?? 'resident';
  if (role !== 'resident' && role !== 'operator') throw new UsageError('--role must be resident or operator');
  const participant = options.get('participant')?.[0];
  if (role === 'resident' && !participant) throw new UsageError('--participant is required for a resident token');
  if (role === 'operator' && participant)
    throw new UsageError('--participant goes with a resident token, not an operator one');
  if (participant && !site.participants.some((p) => p.id === participant))
    throw new UsageError(`--participant: no participant "${participant}" in site "${site.id}"`);
  const days = Number(options.get('days')?.[0] ?? 31);
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS)
    throw new UsageError(`--days must be a whole number from 1 to ${MAX_DAYS}`);
  const secret = process.env.ILOT_TOKEN_SECRET;
  if (!secret || secret.length < 32)
    throw new UsageError('ILOT_TOKEN_SECRET (32 characters or more, the metrics app’s) must be set in the environment');
  const exp = Math.floor(now.getTime() / 1000) + days * 86_400;
  const claims: AccessClaims = participant
    ? { role: 'resident', site: site.id, participant, exp }
    : { role: 'operator', site: site.id, exp };
  const token = signAccessToken(claims, secret, now);
  log(token);
  return { token, claims };
}
