import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { authenticate, issueKey, revokeKey } from './api-keys.service.ts';
import { scopeOf } from './scope.ts';
import { hashToken } from './tokens.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const at = (iso: string) => new Date(iso);

describe('API keys', () => {
  it('authenticates to the staff member\'s role and scope; stores only the hash', async () => {
    const executor = await t.db.selectFrom('staff').selectAll().where('role', '=', 'executor').orderBy('id').executeTakeFirstOrThrow();
    const { key, token } = await issueKey(t.db, { staffId: executor.id, createdBy: null }, at('2026-12-01T00:00:00Z'));
    const row = await t.db.selectFrom('api_key').selectAll().where('id', '=', key.id).executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashToken(token));
    const principal = await authenticate(t.db, token, at('2026-12-01T00:00:00Z'));
    expect(principal).toEqual({ staffId: executor.id, keyId: key.id, role: 'executor', municipalityId: executor.municipality_id, executorId: executor.executor_id });
    expect(scopeOf(principal)).toEqual({ municipalityId: executor.municipality_id, executorId: executor.executor_id });
  });

  it('refreshes last_used_at at most once a minute', async () => {
    const staff = await t.db.selectFrom('staff').select('id').where('role', '=', 'moderator').executeTakeFirstOrThrow();
    const { key, token } = await issueKey(t.db, { staffId: staff.id, createdBy: null }, at('2026-12-01T00:00:00Z'));
    const lastUsed = async () => (await t.db.selectFrom('api_key').select('last_used_at').where('id', '=', key.id).executeTakeFirstOrThrow()).last_used_at?.toISOString();
    await authenticate(t.db, token, at('2026-12-01T10:00:00Z'));
    await authenticate(t.db, token, at('2026-12-01T10:00:30Z'));
    expect(await lastUsed()).toBe('2026-12-01T10:00:00.000Z');
    await authenticate(t.db, token, at('2026-12-01T10:01:30Z'));
    expect(await lastUsed()).toBe('2026-12-01T10:01:30.000Z');
  });

  it('rejects unknown and revoked tokens alike', async () => {
    const staff = await t.db.selectFrom('staff').select('id').where('role', '=', 'curator').executeTakeFirstOrThrow();
    const { key, token } = await issueKey(t.db, { staffId: staff.id, createdBy: null }, at('2026-12-01T00:00:00Z'));
    await revokeKey(t.db, key.id, at('2026-12-02T00:00:00Z'));
    await expect(authenticate(t.db, token, at('2026-12-03T00:00:00Z'))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(authenticate(t.db, `${token}x`, at('2026-12-03T00:00:00Z'))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
