import type { Language } from '../../core/db/types.ts';
import type { Municipality } from '../../core/municipalities/municipality.repository.ts';
import type { StepContext } from './flow.ts';

/** At most `max` characters (not UTF-16 units), with an ellipsis when cut. */
export function excerpt(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

// One formatter per language and zone (both from small closed sets): building one costs ~0.13 ms,
// using it ~0.002 ms, and a list of cards formats a date per card.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Dates are shown in the municipality's time zone (Kuzbass: UTC+7), in the reader's language. */
export function formatDate(date: Date, language: Language, timeZone: string): string {
  const key = `${language} ${timeZone}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'ru-RU', { timeZone, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
    formatters.set(key, format);
  }
  return format.format(date);
}

export const municipalityName = (m: Municipality, c: Pick<StepContext, 'language'>) => (c.language === 'en' ? m.nameEn : m.nameRu);
