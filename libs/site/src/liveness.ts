import type { DeviceSpec } from './site.schema';

/** What the service can tell of a device from its status topic and its last reading. */
export type Liveness =
  | { state: 'live' }
  | { state: 'offline'; since: Date }
  | { state: 'stale'; lastReadingAt: Date; maxAgeS: number }
  | { state: 'silent' };

export interface LivenessEvidence {
  /** When the device's last reading was stamped, if any is stored. */
  lastReadingAt?: Date;
  /** When its last status said "offline" (its Last Will or a clean goodbye), if that is its last status. */
  offlineSince?: Date;
}

/**
 * A device is offline when its last status says so, stale when its last reading is older than its
 * `maxAgeS` (or the default), silent when it never sent one, live otherwise. Pure: `now` is given.
 */
export function deviceLiveness(
  device: Pick<DeviceSpec, 'maxAgeS'>,
  evidence: LivenessEvidence,
  now: Date,
  defaultMaxAgeS: number,
): Liveness {
  if (evidence.offlineSince) return { state: 'offline', since: evidence.offlineSince };
  if (!evidence.lastReadingAt) return { state: 'silent' };
  const maxAgeS = device.maxAgeS ?? defaultMaxAgeS;
  if (now.getTime() - evidence.lastReadingAt.getTime() > maxAgeS * 1000)
    return { state: 'stale', lastReadingAt: evidence.lastReadingAt, maxAgeS };
  return { state: 'live' };
}

/** One line for schedules and logs: why a device's input is not used. */
export function describeLiveness(deviceId: string, liveness: Liveness, now: Date): string {
  switch (liveness.state) {
    case 'live':
      return `${deviceId}: live`;
    case 'offline':
      return `${deviceId}: offline since ${liveness.since.toISOString()}`;
    case 'stale':
      return `${deviceId}: stale, last reading ${Math.round((now.getTime() - liveness.lastReadingAt.getTime()) / 1000)} s ago (max age ${liveness.maxAgeS} s)`;
    case 'silent':
      return `${deviceId}: no reading yet`;
  }
}
