import { BadRequestException } from '@nestjs/common';
import { PLAUSIBLE_INSTANTS } from '@ilot/protocol';

/** A query parameter that must be an ISO 8601 instant with its zone, in the years 2000 to 2099 (400 otherwise). */
export function parseInstant(name: string, value: string | undefined): Date {
  if (!value) throw new BadRequestException(`query parameter "${name}" is required (ISO 8601 instant)`);
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || !/T.*(Z|[+-]\d\d:?\d\d)$/.test(value))
    throw new BadRequestException(`"${name}" must be an ISO 8601 instant with a zone, got "${value}"`);
  if (date.getTime() < PLAUSIBLE_INSTANTS.from || date.getTime() >= PLAUSIBLE_INSTANTS.to)
    throw new BadRequestException(`"${name}" must lie in the years 2000 to 2099, got "${value}"`);
  return date;
}
