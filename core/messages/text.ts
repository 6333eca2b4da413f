import { DomainError } from '../errors.ts';
import { isBlankText, textProblem } from '../text/unsafe-text.ts';

export const MAX_TEXT_LENGTH = 4000;

/**
 * Trims and checks a resident's or official's text: not empty (nor only characters that show
 * nothing: control, zero-width, blank fillers), at most 4000 characters, and
 * storable (no NUL, no lone UTF-16 surrogate: PostgreSQL refuses the one and cannot encode the other).
 */
export function validText(raw: unknown, field = 'text'): string {
  const text = typeof raw === 'string' ? raw.trim() : '';
  const problem = textProblem(text);
  if (problem) throw new DomainError('TEXT_INVALID_CHARACTERS', { field, problem });
  if (isBlankText(text)) throw new DomainError('TEXT_EMPTY', { field });
  if ([...text].length > MAX_TEXT_LENGTH) throw new DomainError('TEXT_TOO_LONG', { field, max: MAX_TEXT_LENGTH, length: [...text].length });
  return text;
}
