import { DomainError } from '../errors.ts';
import { TEXT_PROBLEM_MESSAGES, textProblem } from './unsafe-text.ts';

/** The longest reason officials may give for withdrawing a contest or a direct-line campaign. */
export const WITHDRAW_REASON_MAX = 500;

/**
 * Why officials withdrew something, as stored and told to residents: trimmed, none (null) when
 * empty; longer than WITHDRAW_REASON_MAX or holding text PostgreSQL cannot store (a NUL, a lone
 * surrogate) is VALIDATION naming `reason`, before anything is written.
 */
export function withdrawReason(reason: string | null | undefined): string | null {
  const text = reason?.trim() ?? '';
  if (text === '') return null;
  const problem = textProblem(text);
  if (problem) throw new DomainError('VALIDATION', { field: 'reason', problem: TEXT_PROBLEM_MESSAGES[problem] });
  if (text.length > WITHDRAW_REASON_MAX) throw new DomainError('VALIDATION', { field: 'reason', problem: `at most ${WITHDRAW_REASON_MAX} characters`, max: WITHDRAW_REASON_MAX, length: text.length });
  return text;
}
