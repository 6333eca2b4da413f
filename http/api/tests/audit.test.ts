import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

describe('GET /audit', () => {
  it('records who, with which key and request, what and where, for every write', async () => {
    const m = await h.fileMessage('Belovo');
    const accepted = await h.request('POST', `/api/v1/messages/${m.id}/accept`, { token: h.keys.Belovo.moderator, body: {} });
    const staff = await h.request('POST', '/api/v1/staff', { body: { fullName: 'Секретное Имя', role: 'moderator', municipalityId: h.municipality.Belovo } });
    const keyRow = await h.t.db.selectFrom('api_key').select('id').where('staff_id', '=', h.staff.Belovo.moderator).executeTakeFirstOrThrow();

    const res = await h.request('GET', `/api/v1/audit?municipalityId=${h.municipality.Belovo}`, { token: h.keys.Belovo.curator });
    expect(res.status).toBe(200);
    const [created, accept] = res.body.items;
    expect(accept).toMatchObject({
      action: 'message.accept',
      entity: 'message',
      entityId: String(m.id),
      staffId: h.staff.Belovo.moderator,
      apiKeyId: keyRow.id,
      requestId: accepted.headers.get('x-request-id'),
      municipalityId: h.municipality.Belovo,
      createdAt: h.now().toISOString(),
    });
    expect(created).toMatchObject({ action: 'staff.create', entityId: String(staff.body.id), data: { role: 'moderator' } });
    expect(JSON.stringify(res.body)).not.toContain('Секретное Имя');
  });

  it('filters, pages newest first, and keeps curators to their municipality', async () => {
    for (let i = 0; i < 3; i++) await h.request('PATCH', `/api/v1/executors/${h.executors.Novokuznetsk.city}`, { token: h.keys.Novokuznetsk.curator, body: { name: `Администрация ${i}` } });
    const page1 = await h.request('GET', '/api/v1/audit?action=executor.update&limit=2', { token: h.keys.Novokuznetsk.curator });
    const page2 = await h.request('GET', `/api/v1/audit?action=executor.update&limit=2&cursor=${page1.body.nextCursor}`, { token: h.keys.Novokuznetsk.curator });
    const ids = [...page1.body.items, ...page2.body.items].map((e: { id: number }) => e.id);
    expect(ids).toHaveLength(3);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(page2.body.nextCursor).toBeNull();

    const kemerovoCurator = await h.request('GET', '/api/v1/audit?limit=100', { token: h.keys.Kemerovo.curator });
    expect(kemerovoCurator.body.items.every((e: { municipalityId: number }) => e.municipalityId === h.municipality.Kemerovo)).toBe(true);
    const operator = await h.request('GET', '/api/v1/audit?limit=100');
    expect(operator.body.items.some((e: { municipalityId: number }) => e.municipalityId === h.municipality.Novokuznetsk)).toBe(true);
  });

  it('writes nothing when the change fails', async () => {
    const before = await h.request('GET', '/api/v1/audit?limit=100');
    const m = await h.fileMessage('Belovo');
    const failed = await h.request('POST', `/api/v1/messages/${m.id}/reject`, { token: h.keys.Belovo.moderator, body: { reason: ' ' } });
    expect(failed.status).toBe(400);
    const after = await h.request('GET', '/api/v1/audit?limit=100');
    expect(after.body.items).toEqual(before.body.items);
  });
});
