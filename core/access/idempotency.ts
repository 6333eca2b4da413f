import { createHash } from 'node:crypto';
import type { Db } from '../db/types.ts';

/** How long an answer is kept for a repeat of its request (the IETF Idempotency-Key draft leaves it to the server). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** A claim still unanswered after this long was left by a process that stopped mid-request. */
export const ABANDONED_AFTER_MS = 5 * 60 * 1000;

/** An answer kept for the repeats of its request. */
export interface StoredReply {
  status: number;
  contentType: string | null;
  etag: string | null;
  body: string;
}

export type IdempotencyClaim =
  /** The first request with this key: run it, then complete or release the key. */
  | { kind: 'claimed' }
  /** A repeat of an answered request: answer it the same way. */
  | { kind: 'replay'; reply: StoredReply }
  /** A repeat while the first request still runs. */
  | { kind: 'in_progress' }
  /** The key was used for a different request (another method, path or body). */
  | { kind: 'mismatch' };

interface KeyRef {
  apiKeyId: number;
  key: string;
}

/** What makes two requests the same request: method, path and the body's bytes. */
export function requestFingerprint(method: string, path: string, body: string): string {
  return createHash('sha256').update(`${method} ${path}\n${body}`).digest('hex');
}

/**
 * Claims `key` for a request of the API key, in its own statement (committed at once, so a
 * concurrent repeat sees the claim). Expired keys of the same API key are dropped first.
 */
export async function claimIdempotencyKey(db: Db, ref: KeyRef & { fingerprint: string }, now: Date): Promise<IdempotencyClaim> {
  await db
    .deleteFrom('api_idempotency')
    .where('api_key_id', '=', ref.apiKeyId)
    .where('created_at', '<', new Date(now.getTime() - IDEMPOTENCY_TTL_MS))
    .execute();
  const inserted = await db
    .insertInto('api_idempotency')
    .values({ api_key_id: ref.apiKeyId, key: ref.key, fingerprint: ref.fingerprint, created_at: now })
    .onConflict((oc) => oc.columns(['api_key_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (inserted) return { kind: 'claimed' };
  const row = await db.selectFrom('api_idempotency').selectAll().where('api_key_id', '=', ref.apiKeyId).where('key', '=', ref.key).executeTakeFirst();
  // Released (the first request failed) between the two statements: this one may run.
  if (!row) return claimIdempotencyKey(db, ref, now);
  if (row.fingerprint !== ref.fingerprint) return { kind: 'mismatch' };
  if (row.status === null) {
    // A claim older than any request takes: its process stopped before answering; this repeat runs it.
    if (row.created_at.getTime() >= now.getTime() - ABANDONED_AFTER_MS) return { kind: 'in_progress' };
    const taken = await db
      .updateTable('api_idempotency')
      .set({ created_at: now })
      .where('api_key_id', '=', ref.apiKeyId)
      .where('key', '=', ref.key)
      .where('status', 'is', null)
      .where('created_at', '=', row.created_at)
      .returning('key')
      .executeTakeFirst();
    return taken ? { kind: 'claimed' } : { kind: 'in_progress' };
  }
  return { kind: 'replay', reply: { status: row.status, contentType: row.content_type, etag: row.etag, body: row.body ?? '' } };
}

/** Keeps the answer of the claimed request for its repeats. */
export async function completeIdempotencyKey(db: Db, ref: KeyRef, reply: StoredReply): Promise<void> {
  await db
    .updateTable('api_idempotency')
    .set({ status: reply.status, content_type: reply.contentType, etag: reply.etag, body: reply.body })
    .where('api_key_id', '=', ref.apiKeyId)
    .where('key', '=', ref.key)
    .execute();
}

/** Gives the key back: the request failed in a way a repeat may not (a server error), so a repeat runs it again. */
export async function releaseIdempotencyKey(db: Db, ref: KeyRef): Promise<void> {
  await db.deleteFrom('api_idempotency').where('api_key_id', '=', ref.apiKeyId).where('key', '=', ref.key).where('status', 'is', null).execute();
}
