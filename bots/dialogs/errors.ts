import { isDomainError } from '../../core/errors.ts';
import type { View } from './view.ts';

/** Details that are safe and useful inside an error text (limits, counts); ids and texts stay out. */
const SHOWN_DETAILS = ['max', 'length'] as const;

/** A domain error as the resident reads it: `errors.<CODE>` with its numeric details. */
export function domainErrorView(error: unknown): View | undefined {
  if (!isDomainError(error)) return undefined;
  const params: Record<string, unknown> = {};
  for (const name of SHOWN_DETAILS) if (error.details[name] !== undefined) params[name] = error.details[name];
  return { key: `errors.${error.code}`, params };
}

export const UNEXPECTED_ERROR_VIEW: View = { key: 'errors.unexpected' };
