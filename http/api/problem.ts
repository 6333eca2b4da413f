import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ERROR_KINDS, isDomainError, type ErrorKind } from '../../core/errors.ts';
import { isUniqueViolation } from '../../core/db/unique-violation.ts';
import { PhotoFetchError } from '../../core/media/photo-fetcher.ts';
import { detailFor } from './problem-detail.ts';

/**
 * The one place where errors become HTTP statuses. Domain errors map by their kind; the few
 * codes below come from the HTTP layer itself and have no domain rule behind them.
 */
export const STATUS_BY_KIND = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_required: 428,
  too_large: 413,
  unsupported_type: 415,
  rule: 422,
  rate_limited: 429,
  unavailable: 503,
} as const satisfies Record<ErrorKind, ContentfulStatusCode>;

export const HTTP_ONLY_CODES = {
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  IDEMPOTENCY_KEY_IN_USE: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL: 500,
  PHOTO_UPSTREAM_FAILED: 502,
  CHANNEL_DISABLED: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

const TITLES: Record<number, string> = {
  400: 'The request is invalid',
  401: 'A valid API key is required',
  403: 'Your role may not do this',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'The request conflicts with the current state',
  413: 'The request body is too large',
  415: 'Unsupported media type',
  422: 'A domain rule forbids this',
  428: 'The request must be conditional',
  429: 'Too many attempts',
  500: 'Internal error',
  502: 'The messenger did not provide the file',
  503: 'Not available',
};

/** RFC 9457 problem details, with our stable `code` and the request id as extension members. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  requestId?: string;
  details?: Record<string, unknown>;
  errors?: { in: string; path: string; message: string }[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemResponse(c: Context, problem: Omit<Problem, 'type' | 'title' | 'requestId'> & { title?: string }): Response {
  const body: Problem = {
    type: `https://otklik.invalid/problems/${problem.code.toLowerCase().replaceAll('_', '-')}`,
    title: problem.title ?? TITLES[problem.status] ?? 'Error',
    requestId: c.get('requestId'),
    ...problem,
    // Every problem reads as a sentence (issue 18 item 14); a specific detail wins over the code's.
    detail: problem.detail ?? validationSummary(problem.errors) ?? detailFor(problem.code),
  };
  const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE };
  if (problem.status === 401) headers['www-authenticate'] = 'Bearer realm="otklik"';
  return c.body(JSON.stringify(body), problem.status as ContentfulStatusCode, headers);
}

/** The listed schema errors as one sentence: "body.title: Required; query.limit: …". */
function validationSummary(errors: Problem['errors']): string | undefined {
  if (!errors || errors.length === 0) return undefined;
  return `The request is invalid: ${errors.map((e) => `${e.in}${e.path ? `.${e.path}` : ''}: ${e.message}`).join('; ')}.`;
}

/** Maps anything thrown by a handler; `unexpected` says whether it deserves an error log. */
export function problemFor(error: unknown): { problem: Omit<Problem, 'type' | 'title' | 'requestId'>; unexpected: boolean } {
  if (isDomainError(error)) {
    const details = Object.keys(error.details).length > 0 ? error.details : undefined;
    // A message other than the code is the thrower's own explanation of this case.
    const detail = error.message && error.message !== error.code ? error.message : undefined;
    return { problem: { status: STATUS_BY_KIND[ERROR_KINDS[error.code]], code: error.code, details, detail }, unexpected: false };
  }
  if (error instanceof PhotoFetchError) {
    return { problem: { status: HTTP_ONLY_CODES.PHOTO_UPSTREAM_FAILED, code: 'PHOTO_UPSTREAM_FAILED', detail: error.message }, unexpected: false };
  }
  if (error instanceof HTTPException) {
    const code =
      error.status === 413 ? 'PAYLOAD_TOO_LARGE' : error.status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : error.status === 400 ? 'VALIDATION' : `HTTP_${error.status}`;
    return { problem: { status: error.status, code, detail: error.message || undefined }, unexpected: error.status >= 500 };
  }
  if (isUniqueViolation(error)) {
    // The duplicate check of a service lost a race (or has none): the same conflict as its own answer.
    const detail = 'Something with the same unique value already exists (perhaps written at the same moment); read it again.';
    return { problem: { status: STATUS_BY_KIND[ERROR_KINDS.ALREADY_EXISTS], code: 'ALREADY_EXISTS', detail }, unexpected: false };
  }
  return { problem: { status: 500, code: 'INTERNAL' }, unexpected: true };
}
