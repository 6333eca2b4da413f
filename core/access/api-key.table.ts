import type { Generated } from 'kysely';

export interface ApiKeyTable {
  id: Generated<number>;
  staff_id: number;
  label: Generated<string>;
  prefix: string;
  token_hash: string;
  created_by: number | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  /** `session`: a web-console session (core/console), which expires; `key`: an API key. */
  kind: Generated<'key' | 'session'>;
  expires_at: Date | null;
  /** A session opened with an API key: that key (revoking it ends the session). */
  opened_with: number | null;
}

/** A POST's `Idempotency-Key` (core/access/idempotency.ts): the request's fingerprint and, once answered, the answer. */
export interface ApiIdempotencyTable {
  api_key_id: number;
  key: string;
  fingerprint: string;
  /** null while the first request runs. */
  status: number | null;
  content_type: string | null;
  etag: string | null;
  body: string | null;
  created_at: Date;
}

export interface AccessTables {
  api_key: ApiKeyTable;
  api_idempotency: ApiIdempotencyTable;
}
