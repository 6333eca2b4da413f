import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../../core/access/tokens.ts';
import { issueLoginCode, signInWithCode } from '../../../core/console/sessions.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

describe('staff', () => {
  it('creates a moderator, issues a key shown once, and the key works with that scope', async () => {
    const created = await h.request('POST', '/api/v1/staff', { body: { fullName: 'Иванова Анна', role: 'moderator', municipalityId: h.municipality.Belovo } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ role: 'moderator', municipalityId: h.municipality.Belovo, executorId: null, active: true });
    const issued = await h.request('POST', `/api/v1/staff/${created.body.id}/keys`, { body: { label: 'ноутбук' } });
    expect(issued.status).toBe(201);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    expect(issued.body.token).toMatch(/^otk_[\w-]{43}$/);
    expect(issued.body.key.prefix).toBe(issued.body.token.slice(0, 8));
    const stored = await h.t.db.selectFrom('api_key').selectAll().where('id', '=', issued.body.key.id).executeTakeFirstOrThrow();
    expect(stored.token_hash).toBe(hashToken(issued.body.token));
    expect(JSON.stringify(stored)).not.toContain(issued.body.token);
    const me = await h.request('GET', '/api/v1/me', { token: issued.body.token });
    expect(me.body.staff.id).toBe(created.body.id);
    expect(me.body.permissions).toContain('messages.moderate');
    expect(me.body.permissions).not.toContain('keys.manage');
    const listed = await h.request('GET', `/api/v1/keys?staffId=${created.body.id}`);
    expect(listed.body.items).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.token);
    expect(listed.body.items[0].lastUsedAt).toBe(h.now().toISOString());
  });

  it('enforces the role rules of staff: scope, executor organisation', async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ fullName: 'X', role: 'curator' }, 400, 'VALIDATION'],
      [{ fullName: 'X', role: 'operator', municipalityId: h.municipality.Belovo }, 400, 'VALIDATION'],
      [{ fullName: 'X', role: 'executor', municipalityId: h.municipality.Belovo }, 400, 'VALIDATION'],
      [{ fullName: 'X', role: 'moderator', municipalityId: h.municipality.Belovo, executorId: h.executors.Belovo.city }, 400, 'VALIDATION'],
      [{ fullName: 'X', role: 'executor', municipalityId: h.municipality.Belovo, executorId: h.executors.Kemerovo.city }, 422, 'EXECUTOR_OUT_OF_SCOPE'],
      [{ fullName: 'X', role: 'moderator', municipalityId: 9999 }, 404, 'MUNICIPALITY_NOT_FOUND'],
    ];
    for (const [body, status, code] of cases) {
      const res = await h.request('POST', '/api/v1/staff', { body });
      expect([res.status, res.body.code], JSON.stringify(body)).toEqual([status, code]);
    }
    const executor = await h.request('POST', '/api/v1/staff', { body: { fullName: 'Петров', role: 'executor', municipalityId: h.municipality.Belovo, executorId: h.executors.Belovo.utility } });
    expect(executor.body.executorId).toBe(h.executors.Belovo.utility);
  });

  it('lists staff: a curator sees its municipality only, with cursor pages', async () => {
    const first = await h.request('GET', '/api/v1/staff?limit=2', { token: h.keys.Belovo.curator });
    expect(first.body.items).toHaveLength(2);
    const second = await h.request('GET', `/api/v1/staff?limit=100&cursor=${first.body.nextCursor}`, { token: h.keys.Belovo.curator });
    const all = [...first.body.items, ...second.body.items];
    expect(all.every((s: { municipalityId: number }) => s.municipalityId === h.municipality.Belovo)).toBe(true);
    expect(new Set(all.map((s: { id: number }) => s.id)).size).toBe(all.length);
    expect((await h.request('GET', `/api/v1/staff/${h.staff.Kemerovo.curator}`, { token: h.keys.Belovo.curator })).status).toBe(404);
  });

  it("lists only the staff named by ids (at most 100), past the first page of the list, within the key's scope", async () => {
    // More staff than one page, so the wanted ones are past the first 100.
    const made: number[] = [];
    for (let i = 0; i < 101; i++) made.push((await h.request('POST', '/api/v1/staff', { body: { fullName: `Сотрудник ${i}`, role: 'moderator', municipalityId: h.municipality.Belovo } })).body.id);
    const wanted = [made[100]!, h.staff.Kemerovo.curator, made[0]!];
    const first = await h.request('GET', '/api/v1/staff?limit=100');
    expect(first.body.items.map((s: { id: number }) => s.id)).not.toContain(made[100]);
    const named = await h.request('GET', `/api/v1/staff?ids=${wanted.join(',')}&limit=100`);
    expect(named.status).toBe(200);
    expect(named.body.items.map((s: { id: number }) => s.id)).toEqual([...wanted].sort((a, b) => a - b));
    expect(named.body.items.find((s: { id: number }) => s.id === made[100]).fullName).toBe('Сотрудник 100');
    // A Belovo curator naming a Kemerovo official gets only Belovo's; a missing id is left out.
    const scoped = await h.request('GET', `/api/v1/staff?ids=${[...wanted, 99_999_999].join(',')}`, { token: h.keys.Belovo.curator });
    expect(scoped.body.items.map((s: { id: number }) => s.id)).toEqual([made[0], made[100]]);
    // Combined with the other filters (AND).
    const none = await h.request('GET', `/api/v1/staff?ids=${made[0]}&role=curator`);
    expect(none.body.items).toEqual([]);
  });

  it('refuses ids that are not a comma-separated list of 1 to 100 ids (400), and ids to those who may not list staff (403)', async () => {
    const hundredAndOne = Array.from({ length: 101 }, (_, i) => i + 1).join(',');
    for (const raw of ['', 'abc', '1,,2', '1,abc', '01', '1;2', '0', hundredAndOne]) {
      const res = await h.request('GET', `/api/v1/staff?ids=${raw}`);
      expect([res.status, res.body.code], raw).toEqual([400, 'VALIDATION']);
    }
    expect((await h.request('GET', `/api/v1/staff?ids=${Array.from({ length: 100 }, (_, i) => i + 1).join(',')}`)).status).toBe(200);
    const moderator = await h.request('GET', `/api/v1/staff?ids=${h.staff.Kemerovo.curator}`, { token: h.keys.Kemerovo.moderator });
    expect(moderator.status).toBe(403);
  });

  it("a staff member's card says their alert mode and which messengers are linked (no account ids); PATCH changes the mode", async () => {
    const created = await h.request('POST', '/api/v1/staff', { body: { fullName: 'Петрова Ольга', role: 'moderator', municipalityId: h.municipality.Belovo } });
    expect(created.body.newMessageAlerts).toBe('immediate');
    await h.t.db.insertInto('staff_identity').values({ staff_id: created.body.id, channel: 'vk', external_id: '777001', chat_id: '777001', linked_at: h.now() }).execute();
    const card = await h.request('GET', `/api/v1/staff/${created.body.id}`);
    expect(card.body.identities).toEqual([{ channel: 'vk', linkedAt: h.now().toISOString(), unreachable: false }]);
    expect(JSON.stringify(card.body)).not.toContain('777001');
    const changed = await h.request('PATCH', `/api/v1/staff/${created.body.id}`, { body: { newMessageAlerts: 'hourly' } });
    expect(changed.body.newMessageAlerts).toBe('hourly');
    await h.request('DELETE', `/api/v1/staff/${created.body.id}/identities/vk`);
    expect((await h.request('GET', `/api/v1/staff/${created.body.id}`)).body.identities).toEqual([]);
  });

  it('deactivating a staff member stops their keys at once', async () => {
    const s = await h.request('POST', '/api/v1/staff', { body: { fullName: 'Сидоров', role: 'responsible', municipalityId: h.municipality.Belovo } });
    const key = await h.request('POST', `/api/v1/staff/${s.body.id}/keys`, { body: {} });
    expect((await h.request('GET', '/api/v1/me', { token: key.body.token })).status).toBe(200);
    await h.request('PATCH', `/api/v1/staff/${s.body.id}`, { body: { active: false } });
    expect((await h.request('GET', '/api/v1/me', { token: key.body.token })).status).toBe(401);
    const noKey = await h.request('POST', `/api/v1/staff/${s.body.id}/keys`, { body: {} });
    expect(noKey.status).toBe(400);
  });
});

describe('the last operator, under concurrent requests', () => {
  // A harness of its own: the rounds leave either operator (or key) the surviving one.
  let g: ApiHarness;
  beforeAll(async () => {
    g = await createApiHarness();
  });
  afterAll(() => g.close());

  it('two operators deactivating each other at the same moment leave one of them able to sign in', async () => {
    const bootstrap = await g.t.db.selectFrom('api_key').select(['id', 'staff_id']).where('token_hash', '=', hashToken(g.operator)).executeTakeFirstOrThrow();
    const other = await g.request('POST', '/api/v1/staff', { body: { fullName: 'Оператор-напарник', role: 'operator' } });
    const otherKey = await g.request('POST', `/api/v1/staff/${other.body.id}/keys`, { body: {} });
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([
        g.request('PATCH', `/api/v1/staff/${other.body.id}`, { body: { active: false } }),
        g.request('PATCH', `/api/v1/staff/${bootstrap.staff_id}`, { token: otherKey.body.token, body: { active: false } }),
      ]);
      // One wins; the other is refused as the last operator, or finds its own key already dead (401).
      expect([a.status, b.status].filter((s) => s === 200)).toHaveLength(1);
      expect([a.status, b.status].every((s) => [200, 401, 422].includes(s))).toBe(true);
      // The one still active brings the other back for the next round.
      const survivor = a.status === 200 ? g.operator : otherKey.body.token;
      const back = await g.request('PATCH', `/api/v1/staff/${a.status === 200 ? other.body.id : bootstrap.staff_id}`, { token: survivor, body: { active: true } });
      expect(back.status).toBe(200);
    }
    // Two keys of the last operator revoked at once: one of them survives.
    await g.request('PATCH', `/api/v1/staff/${other.body.id}`, { body: { active: false } });
    const spare = await g.request('POST', `/api/v1/staff/${bootstrap.staff_id}/keys`, { body: {} });
    const [x, y] = await Promise.all([g.request('POST', `/api/v1/keys/${bootstrap.id}/revoke`, { token: spare.body.token }), g.request('POST', `/api/v1/keys/${spare.body.key.id}/revoke`)]);
    expect([x.status, y.status].filter((s) => s === 200)).toHaveLength(1);
    expect([x.status, y.status].every((s) => [200, 401, 422].includes(s))).toBe(true);
    const alive = x.status === 200 ? spare.body.token : g.operator;
    expect((await g.request('GET', '/api/v1/me', { token: alive })).status).toBe(200);
  });
});

describe('console sessions', () => {
  it("an operator ending an official's session is in the audit log of the official's municipality, once", async () => {
    const { code } = await issueLoginCode(h.t.db, h.staff.Kemerovo.moderator, h.now());
    const session = await signInWithCode(h.t.db, { code, client: 'staff-keys-test' }, h.now());
    // Each listed session says whether it is the one the request came with.
    const own = await h.request('GET', '/api/v1/sessions', { token: session.token });
    expect(own.body.items).toMatchObject([{ id: session.keyId, current: true }]);
    const everyone = await h.request('GET', '/api/v1/sessions');
    expect(everyone.body.items.find((s: { id: number }) => s.id === session.keyId)).toMatchObject({ current: false });
    const ended = await h.request('POST', `/api/v1/sessions/${session.keyId}/revoke`);
    expect(ended.status).toBe(204);
    expect((await h.request('GET', '/api/v1/me', { token: session.token })).status).toBe(401);
    const curator = await h.request('GET', `/api/v1/audit?action=session.revoke&entityId=${session.keyId}`, { token: h.keys.Kemerovo.curator });
    expect(curator.body.items).toMatchObject([{ action: 'session.revoke', entity: 'api_key', municipalityId: h.municipality.Kemerovo, data: { staffId: h.staff.Kemerovo.moderator } }]);
    // Ending it again changes nothing and writes nothing.
    expect((await h.request('POST', `/api/v1/sessions/${session.keyId}/revoke`)).status).toBe(204);
    const all = await h.request('GET', `/api/v1/audit?action=session.revoke&entityId=${session.keyId}`);
    expect(all.body.items).toHaveLength(1);
  });
});

describe('keys', () => {
  it('revokes a key at once, idempotently', async () => {
    const key = await h.request('POST', `/api/v1/staff/${h.staff.Belovo.moderator}/keys`, { body: {} });
    expect((await h.request('GET', '/api/v1/me', { token: key.body.token })).status).toBe(200);
    const revoked = await h.request('POST', `/api/v1/keys/${key.body.key.id}/revoke`);
    expect(revoked.body.revokedAt).toBe(h.now().toISOString());
    const again = await h.request('POST', `/api/v1/keys/${key.body.key.id}/revoke`);
    expect(again.status).toBe(200);
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
    // A repeat changes nothing, so the audit log holds the one revocation only.
    const audit = await h.t.db.selectFrom('audit_log').select('action').where('entity', '=', 'api_key').where('entity_id', '=', String(key.body.key.id)).execute();
    expect(audit.map((a) => a.action).filter((a) => a === 'api_key.revoke')).toEqual(['api_key.revoke']);
    expect((await h.request('GET', '/api/v1/me', { token: key.body.token })).status).toBe(401);
    const active = await h.request('GET', `/api/v1/keys?staffId=${h.staff.Belovo.moderator}&active=true`);
    expect(active.body.items.map((k: { id: number }) => k.id)).not.toContain(key.body.key.id);
  });

  it('never lets the last operator lock the platform out', async () => {
    const bootstrapKey = await h.t.db.selectFrom('api_key').select(['id', 'staff_id']).where('token_hash', '=', hashToken(h.operator)).executeTakeFirstOrThrow();
    const last = await h.request('POST', `/api/v1/keys/${bootstrapKey.id}/revoke`);
    expect(last.status).toBe(422);
    expect(last.body.code).toBe('LAST_OPERATOR');
    const deactivate = await h.request('PATCH', `/api/v1/staff/${bootstrapKey.staff_id}`, { body: { active: false } });
    expect(deactivate.body.code).toBe('LAST_OPERATOR');

    const second = await h.request('POST', '/api/v1/staff', { body: { fullName: 'Второй оператор', role: 'operator' } });
    const secondKey = await h.request('POST', `/api/v1/staff/${second.body.id}/keys`, { body: {} });
    expect((await h.request('POST', `/api/v1/keys/${bootstrapKey.id}/revoke`, { token: secondKey.body.token })).status).toBe(200);
    expect((await h.request('GET', '/api/v1/me', { token: h.operator })).status).toBe(401);
  });
});
