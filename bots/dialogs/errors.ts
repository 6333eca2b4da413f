import { isDomainError } from '../../core/errors.ts';
import { textProblem } from '../../core/text/unsafe-text.ts';
import type { View } from './view.ts';

/** Details that are safe and useful inside an error text (limits, counts); ids and texts stay out. */
const SHOWN_DETAILS = ['max', 'length'] as const;

/**
 * A domain error as the resident reads it: `errors.<CODE>` with its numeric details, and the reason
 * officials gave for withdrawing what it concerns (`withdrawnReason`, a text meant for residents) on a line of its own.
 */
export function domainErrorView(error: unknown): View | undefined {
  if (!isDomainError(error)) return undefined;
  const params: Record<string, unknown> = {};
  for (const name of SHOWN_DETAILS) if (error.details[name] !== undefined) params[name] = error.details[name];
  const reason = error.details.withdrawnReason;
  return { key: `errors.${error.code}`, params, ...(typeof reason === 'string' && reason !== '' && { lines: [withdrawnReasonLine(reason)] }) };
}

/** The line that tells residents why officials withdrew something (a contest, a direct-line campaign). */
export const withdrawnReasonLine = (reason: string): { key: string; params: Record<string, unknown> } => ({ key: 'errors.withdrawn_reason', params: { reason } });

export const UNEXPECTED_ERROR_VIEW: View = { key: 'errors.unexpected' };

/**
 * A typed text PostgreSQL cannot store (a NUL, a lone surrogate), for steps that check their text
 * themselves instead of with validText: the same answer every text step gives.
 */
export const unstorableTextView = (text: string): View | undefined => (textProblem(text) ? { key: 'errors.TEXT_INVALID_CHARACTERS' } : undefined);
