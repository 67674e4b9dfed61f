import { localDateTime } from '@ilot/domain';
import type { SiteFile } from './site.schema';

type Participant = SiteFile['participants'][number];

/**
 * Whether a participant belongs to the operation on a local date (issue 29 §5): from its `membership.from` day, up
 * to the day before its `membership.to`; always, without a membership.
 */
export function isMemberOn(participant: Participant, date: string): boolean {
  const m = participant.membership;
  return !m || (m.from <= date && (!m.to || date < m.to));
}

/** Whether a participant belongs to the operation at an instant (its local date in the site's zone). */
export function isMemberAt(participant: Participant, at: Date, timeZone: string): boolean {
  return !participant.membership || isMemberOn(participant, localDateTime(at, timeZone).date);
}
