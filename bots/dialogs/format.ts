import type { Language } from '../../core/db/types.ts';
import type { Municipality } from '../../core/municipalities/municipality.repository.ts';
import type { StepContext } from './flow.ts';

/** At most `max` characters (not UTF-16 units), with an ellipsis when cut. */
export function excerpt(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** Dates are shown in the municipality's time zone (Kuzbass: UTC+7), in the reader's language. */
export function formatDate(date: Date, language: Language, timeZone: string): string {
  return new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'ru-RU', { timeZone, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(date);
}

export const municipalityName = (m: Municipality, c: Pick<StepContext, 'language'>) => (c.language === 'en' ? m.nameEn : m.nameRu);
