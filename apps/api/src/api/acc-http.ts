import { BadRequestException, ConflictException, NotFoundException } from '@nestjs/common';
import { type Checked, isMonth } from '@ilot/domain';

/** A route's month parameter, YYYY-MM; 400 otherwise. */
export function monthParam(text: string): string {
  if (!isMonth(text)) throw new BadRequestException(`month "${text}": expected YYYY-MM`);
  return text;
}

/**
 * A refusal of the PMO's month as HTTP (issue 29): bad input 400 with every problem (nothing stored), an unknown
 * document 404, anything the state of the site or the month forbids (off the public grid, not billed, too early, not
 * imported or reconciled) 409 with its reason.
 */
export function acceptedOrHttp<T, R extends string>(result: Checked<T, R>): T {
  if (result.ok) return result.value;
  if (result.reason === 'invalid')
    throw new BadRequestException({ message: 'refused, nothing stored', problems: result.problems });
  if (result.reason === 'not-found') throw new NotFoundException(result.problems.join('; '));
  throw new ConflictException(result.problems.join('; '));
}
