import { z } from 'zod';

/** The instants the product takes from outside: a wider range is a typo or an attack, and PostgreSQL or Intl may not hold it. */
export const PLAUSIBLE_INSTANTS = { from: Date.parse('2000-01-01T00:00:00Z'), to: Date.parse('2100-01-01T00:00:00Z') };

/** ISO 8601 instant with an explicit zone (Z or ±hh:mm), as docs/design.md requires on the wire, in 2000-2099. */
export const isoInstant = z.iso.datetime({ offset: true }).refine((text) => {
  const ms = Date.parse(text);
  return ms >= PLAUSIBLE_INSTANTS.from && ms < PLAUSIBLE_INSTANTS.to;
}, 'must lie in the years 2000 to 2099');
