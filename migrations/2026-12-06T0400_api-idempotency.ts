import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * `api_idempotency`: the admin API's `Idempotency-Key` (a POST sent again after a lost answer is
 * answered from here instead of running twice: a mailing sent to every subscriber once, not twice).
 * One row per key and API key: what the request was (method, path and body, hashed) and, once
 * answered, the answer; `status` null while the first request runs. Kept for a day.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    CREATE TABLE api_idempotency (
      api_key_id int NOT NULL REFERENCES api_key(id) ON DELETE CASCADE,
      key text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
      fingerprint text NOT NULL,
      status smallint,
      content_type text,
      etag text,
      body text,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (api_key_id, key)
    );
    CREATE INDEX api_idempotency_created_idx ON api_idempotency (api_key_id, created_at);
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, 'DROP TABLE api_idempotency;');
}
