import { z } from '@hono/zod-openapi';
import { MAX_PAGE_SIZE } from '../../../core/db/pagination.ts';
import { MAX_ROW_ID } from '../../../core/db/types.ts';
import { DomainError } from '../../../core/errors.ts';
import { WITHDRAW_REASON_MAX } from '../../../core/text/withdraw-reason.ts';
import { HTTP_ONLY_CODES, PROBLEM_CONTENT_TYPE } from '../problem.ts';

/** Ids are PostgreSQL `integer` serials. */
export const MAX_ID = MAX_ROW_ID;

/**
 * A whole number written in a URL (path or query): decimal digits only. No sign, exponent, hex,
 * fraction, spaces or leading zeros ("1e2", "0x10", "1 ", "01" and "-1" are refused, not coerced),
 * so one resource has one URL and nothing is guessed. Documented as an integer.
 */
export function urlInteger(min: number, max: number) {
  return z
    .string()
    .regex(/^(?:0|[1-9][0-9]*)$/, 'must be a whole number in decimal digits, without sign, spaces or leading zeros')
    .transform(Number)
    .pipe(z.number().min(min).max(max))
    .openapi({ type: 'integer', minimum: min, maximum: max });
}

/** The one id schema of every path and query id. */
export const Id = urlInteger(1, MAX_ID);

/** An id inside a JSON body: a JSON number, not a string that looks like one. */
export const BodyId = z.number().int().min(1).max(MAX_ID);

export const IdParams = z.object({ id: Id.openapi({ param: { name: 'id', in: 'path' }, example: 1 }) });

export const Timestamp = z.string().openapi({ format: 'date-time', example: '2026-11-25T10:00:00.000Z' });

/** Query booleans are the strings true/false: "0", "yes" and the like are rejected, not guessed. */
export const QueryBoolean = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .openapi({ type: 'boolean' });

export const PageQuery = {
  cursor: z.string().max(200).optional().openapi({ description: 'nextCursor of the previous page' }),
  limit: urlInteger(1, MAX_PAGE_SIZE).optional().openapi({ description: `page size, at most ${MAX_PAGE_SIZE}` }),
};

export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);
}

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().openapi({ description: 'stable machine-readable code (core/errors.ts and the HTTP-only codes)', example: 'MESSAGE_NOT_FOUND' }),
    detail: z.string().optional(),
    requestId: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
    errors: z.array(z.object({ in: z.string(), path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem', { description: `RFC 9457 problem details. HTTP-only codes: ${Object.keys(HTTP_ONLY_CODES).join(', ')}` });

const PROBLEM_DESCRIPTIONS = {
  400: 'Invalid request (code VALIDATION and friends)',
  401: 'Missing, unknown or revoked API key',
  403: 'The key\'s role may not do this',
  404: 'Not found, or outside the key\'s scope',
  409: 'Conflicts with the current state (e.g. a concurrent change or a closed message)',
  413: 'Body too large',
  415: 'Body is not JSON',
  422: 'A domain rule forbids this',
  428: 'The request must name the version it was made from (If-Match)',
  502: 'The messenger did not provide the file',
  503: 'The messenger channel is off',
} as const;

type ProblemStatus = keyof typeof PROBLEM_DESCRIPTIONS;

/** Problem responses for a route: 401 and 403 always, plus the given statuses. */
export function problems<const S extends ProblemStatus>(...statuses: S[]) {
  const all = [...new Set<ProblemStatus>([401, 403, ...statuses])];
  return Object.fromEntries(
    all.map((status) => [status, { description: PROBLEM_DESCRIPTIONS[status], content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } }]),
  ) as Record<S | 401 | 403, { description: string; content: { 'application/problem+json': { schema: typeof ProblemSchema } } }>;
}

export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** Request bodies: JSON, required, unknown fields rejected by the (strict) schema itself. */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { required: true, description, content: { 'application/json': { schema } } };
}

export const BEARER = [{ bearer: [] }];

/**
 * The instants of a validated `from`/`to` query (ISO date-times): an empty or reversed range is a
 * mistake in the request, not a question whose answer is nothing (400 naming `to`).
 */
export function instantRange(from: string | undefined, to: string | undefined): { from: Date | undefined; to: Date | undefined } {
  if (from !== undefined && to !== undefined && Date.parse(to) <= Date.parse(from)) throw new DomainError('VALIDATION', { field: 'to', problem: 'must be after from' });
  return { from: from === undefined ? undefined : new Date(from), to: to === undefined ? undefined : new Date(to) };
}

/** The body of a withdrawal (a contest, a direct-line campaign): an optional reason, told to the participants. */
export const WithdrawBody = z
  .strictObject({
    reason: z
      .string()
      .trim()
      .min(1)
      .max(WITHDRAW_REASON_MAX)
      .optional()
      .openapi({ description: `why (1 to ${WITHDRAW_REASON_MAX} characters, no NUL): stored, shown in the read and told to the participants; absent: none given` }),
  })
  .openapi('Withdraw');
