import type { MiddlewareHandler } from 'hono';
import { limitBodySize } from '../../body-limit.ts';
import { problemResponse } from '../problem.ts';

/** JSON bodies of the admin API are small; only boundary uploads need more (see routes). */
export const DEFAULT_BODY_LIMIT = 64 * 1024;
export const BOUNDARY_BODY_LIMIT = 4 * 1024 * 1024;

/** Rejects larger bodies with 413 before anything reads them. */
export function limitBody(maxSize: number): MiddlewareHandler {
  return limitBodySize(maxSize, (c) => problemResponse(c, { status: 413, code: 'PAYLOAD_TOO_LARGE', detail: `at most ${maxSize} bytes` }));
}
