import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Mosquitto's password file format (2.0, `mosquitto_passwd`): `user:$7$iterations$salt$hash`, PBKDF2-HMAC-SHA512,
 * a 12-byte salt, a 64-byte hash, both base64. The embedded broker checks the same file, so one credential serves both.
 */
const ITERATIONS = 101;
const SALT_BYTES = 12;
const HASH_BYTES = 64;

export function hashMosquittoPassword(password: string, salt: Buffer = randomBytes(SALT_BYTES)): string {
  const hash = pbkdf2Sync(password, salt, ITERATIONS, HASH_BYTES, 'sha512');
  return `$7$${ITERATIONS}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Whether `password` is the one hashed (a `$7$` entry; anything else is refused). */
export function verifyMosquittoPassword(hashed: string, password: string): boolean {
  const match = /^\$7\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(hashed);
  if (!match) return false;
  const expected = Buffer.from(match[3], 'base64');
  const actual = pbkdf2Sync(password, Buffer.from(match[2], 'base64'), Number(match[1]), expected.length, 'sha512');
  return expected.length > 0 && timingSafeEqual(actual, expected);
}

/** A password file's entries, user name to hash, in file order; blank lines and `#` comments skipped. */
export function parsePasswordFile(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const colon = trimmed.lastIndexOf(':');
    if (colon > 0) entries.set(trimmed.slice(0, colon), trimmed.slice(colon + 1));
  }
  return entries;
}

export function renderPasswordFile(entries: ReadonlyMap<string, string>): string {
  return [...entries].map(([user, hash]) => `${user}:${hash}\n`).join('');
}
