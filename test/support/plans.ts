import { Client } from 'pg';

/**
 * From the plans stored, each with its lease's holder and token (many îlots): per site, a planner change always comes
 * with a higher token, and a token never goes back, so no two planners ever planned one site at once.
 */
export function expectOnePlannerAtATime(rows: ReadonlyArray<{ site_id: string; holder: string; token: string }>): void {
  const last = new Map<string, { holder: string; token: number }>();
  for (const row of rows) {
    const token = Number(row.token);
    const previous = last.get(row.site_id);
    if (previous) {
      expect(token).toBeGreaterThanOrEqual(previous.token);
      if (row.holder !== previous.holder) expect(token).toBeGreaterThan(previous.token);
    }
    last.set(row.site_id, { holder: row.holder, token });
  }
}

export interface PlanWithLease {
  site_id: string;
  generated_at: Date;
  /** The 15-minute slot the plan was made in (UTC). */
  slot: Date;
  holder: string;
  token: string;
}

/** Every plan stored, oldest first, with its lease's holder and token. */
export async function plansWithLeases(db: Client): Promise<PlanWithLease[]> {
  const result = await db.query<PlanWithLease>(
    `SELECT site_id, generated_at, date_bin('15 minutes', generated_at, TIMESTAMPTZ '2000-01-01') AS slot,
            document->'lease'->>'holder' AS holder, document->'lease'->>'token' AS token
       FROM plans ORDER BY generated_at`,
  );
  return result.rows;
}
