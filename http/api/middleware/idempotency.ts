import { createMiddleware } from 'hono/factory';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey, requestFingerprint } from '../../../core/access/idempotency.ts';
import type { ApiDeps, ApiEnv } from '../env.ts';
import { problemResponse } from '../problem.ts';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** 1 to 255 visible ASCII characters (a UUID, a hash, a client's own counter). */
const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` on a POST (IETF draft-ietf-httpapi-idempotency-key-header): the first request
 * with a key runs and its answer is kept for a day; the same request again (same method, path and
 * body, with the same API key) gets that answer back with `Idempotent-Replayed: true` and changes
 * nothing, so an integrator that lost an answer can send again without a second mailing, message
 * action or item. Sent while the first still runs: 409 IDEMPOTENCY_KEY_IN_USE (a claim unanswered
 * for 5 minutes was left by a stopped process: the repeat runs); the key with another
 * request: 422 IDEMPOTENCY_KEY_REUSED. A server error (5xx) or 429 is not kept: a repeat runs again.
 * Multipart uploads (POST /media) are not covered: the same bytes are stored once anyway.
 */
export function idempotentPosts(deps: Pick<ApiDeps, 'db' | 'clock'>) {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const key = c.req.header(IDEMPOTENCY_HEADER);
    if (key === undefined || c.req.method !== 'POST') return next();
    if (!KEY.test(key)) {
      return problemResponse(c, { status: 400, code: 'VALIDATION', errors: [{ in: 'header', path: IDEMPOTENCY_HEADER, message: '1 to 255 visible ASCII characters' }] });
    }
    if ((c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/')) return next();
    const ref = { apiKeyId: c.get('principal').keyId, key };
    const fingerprint = requestFingerprint(c.req.method, c.req.path, await c.req.text());
    const claim = await claimIdempotencyKey(deps.db, { ...ref, fingerprint }, deps.clock());
    if (claim.kind === 'replay') {
      const { reply } = claim;
      const headers: Record<string, string> = { 'idempotent-replayed': 'true' };
      if (reply.contentType) headers['content-type'] = reply.contentType;
      if (reply.etag) headers.etag = reply.etag;
      return reply.status === 204 ? c.body(null, 204, headers) : c.body(reply.body, reply.status as ContentfulStatusCode, headers);
    }
    if (claim.kind === 'in_progress') return problemResponse(c, { status: 409, code: 'IDEMPOTENCY_KEY_IN_USE' });
    if (claim.kind === 'mismatch') return problemResponse(c, { status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    try {
      await next();
    } finally {
      const res = c.res;
      if (res.status >= 500 || res.status === 429) await releaseIdempotencyKey(deps.db, ref);
      else {
        const body = await res.clone().text();
        await completeIdempotencyKey(deps.db, ref, { status: res.status, contentType: res.headers.get('content-type'), etag: res.headers.get('etag'), body });
      }
    }
  });
}
