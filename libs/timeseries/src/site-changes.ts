import { DataSource } from 'typeorm';

/**
 * Channel on which what the planner reads announces a change (payload: the site id): readings committed,
 * a device status, a signal. PostgreSQL delivers a notification when its transaction commits.
 */
export const READINGS_CHANNEL = 'ilot_readings';

export async function announceSiteChange(db: DataSource, siteId: string): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [READINGS_CHANNEL, siteId]);
}
