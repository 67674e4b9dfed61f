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
