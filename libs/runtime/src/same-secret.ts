import { createHash, timingSafeEqual } from 'node:crypto';

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** Whether `given` is the configured secret, in time that tells nothing of either (not even their lengths). */
export function sameSecret(given: string, wanted: string): boolean {
  return timingSafeEqual(sha256(given), sha256(wanted));
}
