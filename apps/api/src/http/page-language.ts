import { BadRequestException } from '@nestjs/common';

/** The `lang` of a page: French by default, English on request; anything else is a 400 with the reason. */
export function languageOf(lang: string | undefined): 'fr' | 'en' {
  if (lang !== undefined && lang !== 'fr' && lang !== 'en') throw new BadRequestException('"lang" must be fr or en');
  return lang ?? 'fr';
}
