import { createHash } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import type { Clock } from '../../../core/clock.ts';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey, requestFingerprint } from '../../../core/access/idempotency.ts';
import type { Db } from '../../../core/db/types.ts';
import type { ApiDeps, ApiEnv } from '../env.ts';
import { problemResponse } from '../problem.ts';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** 1 to 255 visible ASCII characters (a UUID, a hash, a client's own counter). */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

type FormValue = string | File;

/**
 * What makes two form posts the same request: method, path with query, and each field's name and
 * value (a file by its name, type and bytes), whatever the multipart boundary a client drew anew.
 */
export async function formFingerprint(method: string, path: string, form: Record<string, FormValue | FormValue[]>): Promise<string> {
  const digest = (bytes: string | Uint8Array) => createHash('sha256').update(bytes).digest('hex');
  const fields: string[][] = [];
  for (const name of Object.keys(form).sort()) {
    const values = ([] as FormValue[]).concat(form[name]!);
    fields.push([name, ...(await Promise.all(values.map(async (v) => (typeof v === 'string' ? `s:${digest(v)}` : `f:${v.name}:${v.type}:${digest(new Uint8Array(await v.arrayBuffer()))}`))))]);
  }
  return requestFingerprint(method, path, JSON.stringify(fields));
}

export type IdempotencyStart =
  /** Answer with this at once: the first request's answer replayed, or a refusal. */
  | { kind: 'answer'; response: Response }
  /** Run the request, then hand its answer to `finish` (kept for repeats, or the key freed on 5xx/429). */
  | { kind: 'run'; finish: (response: Response) => Promise<void> };

/**
 * `Idempotency-Key` for one request of an API key (IETF draft-ietf-httpapi-idempotency-key-header):
 * the first request with a key runs and its answer is kept for a day; the same request again gets
 * that answer back with `Idempotent-Replayed: true` and changes nothing. Sent while the first still
 * runs: `refuse(409, 'IDEMPOTENCY_KEY_IN_USE')` (a claim unanswered for 5 minutes was left by a
 * stopped process: the repeat runs); the key with another request: `refuse(422,
 * 'IDEMPOTENCY_KEY_REUSED')`. A server error (5xx) or 429 is not kept: a repeat runs again.
 */
export async function startIdempotent(
  deps: { db: Db; clock: Clock },
  ref: { apiKeyId: number; key: string },
  fingerprint: string,
  refuse: (status: 409 | 422, code: 'IDEMPOTENCY_KEY_IN_USE' | 'IDEMPOTENCY_KEY_REUSED') => Response,
): Promise<IdempotencyStart> {
  const claim = await claimIdempotencyKey(deps.db, { ...ref, fingerprint }, deps.clock());
  if (claim.kind === 'replay') {
    const { reply } = claim;
    const headers: Record<string, string> = { 'idempotent-replayed': 'true' };
    if (reply.contentType) headers['content-type'] = reply.contentType;
    if (reply.etag) headers.etag = reply.etag;
    return { kind: 'answer', response: new Response(reply.status === 204 ? null : reply.body, { status: reply.status, headers }) };
  }
  if (claim.kind === 'in_progress') return { kind: 'answer', response: refuse(409, 'IDEMPOTENCY_KEY_IN_USE') };
  if (claim.kind === 'mismatch') return { kind: 'answer', response: refuse(422, 'IDEMPOTENCY_KEY_REUSED') };
  return {
    kind: 'run',
    finish: async (res) => {
      if (res.status >= 500 || res.status === 429) return releaseIdempotencyKey(deps.db, ref);
      const body = await res.clone().text();
      await completeIdempotencyKey(deps.db, ref, { status: res.status, contentType: res.headers.get('content-type'), etag: res.headers.get('etag'), body });
    },
  };
}

/**
 * `Idempotency-Key` on every POST of the admin API (see startIdempotent), keyed by the API key that
 * sent it. JSON bodies are compared byte for byte; multipart uploads (POST /media) field by field
 * (formFingerprint), so a retried upload with a new boundary is the same request.
 */
export function idempotentPosts(deps: Pick<ApiDeps, 'db' | 'clock'>) {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const key = c.req.header(IDEMPOTENCY_HEADER);
    if (key === undefined || c.req.method !== 'POST') return next();
    if (!IDEMPOTENCY_KEY.test(key)) {
      return problemResponse(c, { status: 400, code: 'VALIDATION', errors: [{ in: 'header', path: IDEMPOTENCY_HEADER, message: '1 to 255 visible ASCII characters' }] });
    }
    const multipart = (c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data');
    // A form that cannot be read runs as it would without a key: the route answers its own 400.
    const form = multipart ? await c.req.parseBody({ all: true }).catch(() => null) : null;
    if (multipart && form === null) return next();
    const fingerprint = form ? await formFingerprint(c.req.method, c.req.path, form) : requestFingerprint(c.req.method, c.req.path, await c.req.text());
    const start = await startIdempotent(deps, { apiKeyId: c.get('principal').keyId, key }, fingerprint, (status, code) => problemResponse(c, { status, code }));
    if (start.kind === 'answer') return start.response;
    try {
      await next();
    } finally {
      await start.finish(c.res);
    }
  });
}
