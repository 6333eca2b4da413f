import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '../../../core/db/types.ts';
import { enqueue, PRIORITY } from '../../../core/outbox/outbox.repository.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { announce, cancelBroadcast, expandBatch } from '../../../core/broadcasts/broadcasts.ts';
import { registeredResident } from '../../../test/residents.ts';

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

const SECRET = 'Иванов Иван, ул. Ленина 1';

/** A row that stopped for good, as the sender leaves it after a permanent refusal. */
async function deadRow(channel: Channel = 'tg'): Promise<number> {
  const [id] = await enqueue(h.t.db, [
    { channel, chatId: '424242', recipientKind: 'resident', kind: 'notify.rejected', payload: { key: 'notify.rejected', params: { reason: SECRET } }, priority: PRIORITY.notification },
  ]);
  await h.t.db.updateTable('outbox').set({ state: 'dead', attempts: 4, last_error: 'Forbidden: bot was blocked by the user' }).where('id', '=', id!).execute();
  return id!;
}

const row = (id: number) => h.t.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const deadIds = async (query = '') => ((await h.request('GET', `/api/v1/outbox/dead${query}`)).body.items as { id: number }[]).map((r) => r.id);

describe('GET /outbox/dead', () => {
  it('lists dead rows newest first without payload or chat id, filters by channel and pages by cursor', async () => {
    const tg = await deadRow('tg');
    const vk = await deadRow('vk');
    const [pending] = await enqueue(h.t.db, [{ channel: 'tg', chatId: '1', recipientKind: 'resident', kind: 'notify.rejected', payload: { key: 'notify.rejected' }, priority: PRIORITY.notification }]);

    const res = await h.request('GET', '/api/v1/outbox/dead');
    expect(res.status).toBe(200);
    const ids = res.body.items.map((r: { id: number }) => r.id);
    expect(ids).toEqual(expect.arrayContaining([tg, vk]));
    expect(ids).not.toContain(pending);
    expect(ids.indexOf(vk)).toBeLessThan(ids.indexOf(tg));
    const item = res.body.items.find((r: { id: number }) => r.id === tg);
    expect(item).toEqual({
      id: tg,
      channel: 'tg',
      recipientKind: 'resident',
      residentId: null,
      staffId: null,
      kind: 'notify.rejected',
      priority: PRIORITY.notification,
      attempts: 4,
      lastError: 'Forbidden: bot was blocked by the user',
      createdAt: expect.any(String),
    });
    expect(res.text).not.toContain(SECRET);
    expect(res.text).not.toContain('424242');

    expect(await deadIds('?channel=vk')).toEqual(expect.arrayContaining([vk]));
    expect(await deadIds('?channel=vk')).not.toContain(tg);
    expect(await deadIds('?channel=tg')).not.toContain(vk);

    const first = await h.request('GET', '/api/v1/outbox/dead?limit=1');
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await h.request('GET', `/api/v1/outbox/dead?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].id).toBeLessThan(first.body.items[0].id);
  });

  it('refuses bad filters, a forged cursor and unknown parameters', async () => {
    for (const query of ['?channel=max', '?limit=0', '?limit=101', '?stauts=dead']) {
      const res = await h.request('GET', `/api/v1/outbox/dead${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.code).toBe('VALIDATION');
    }
    const cursor = await h.request('GET', '/api/v1/outbox/dead?cursor=not-a-cursor');
    expect(cursor.status).toBe(400);
    expect(cursor.body.code).toBe('INVALID_CURSOR');
  });
});

describe('POST /outbox/{id}/retry', () => {
  it('gives a dead row a fresh set of attempts, due now; it leaves the list and the audit log has it', async () => {
    const id = await deadRow();
    const res = await h.request('POST', `/api/v1/outbox/${id}/retry`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id, state: 'pending' });
    const after = await row(id);
    expect(after).toMatchObject({ state: 'pending', attempts: 0, claimed_by: null, claimed_at: null });
    expect(after.payload).toMatchObject({ params: { reason: SECRET } });
    expect(await deadIds()).not.toContain(id);
    const audit = await h.t.db.selectFrom('audit_log').selectAll().where('action', '=', 'outbox.retry').where('entity_id', '=', String(id)).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entity: 'outbox', municipality_id: null, api_key_id: expect.any(Number) });
    expect(JSON.stringify(audit)).not.toContain(SECRET);
  });

  it('takes an empty JSON body, and refuses one that names anything', async () => {
    const id = await deadRow();
    const bad = await h.request('POST', `/api/v1/outbox/${id}/retry`, { body: { state: 'sent' } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION');
    expect((await row(id)).state).toBe('dead');
    const ok = await h.request('POST', `/api/v1/outbox/${id}/retry`, { body: {} });
    expect(ok.status).toBe(200);
  });

  it('answers 409 OUTBOX_NOT_DEAD for a row that is not dead (a second retry, a pending row) and changes nothing', async () => {
    const id = await deadRow();
    expect((await h.request('POST', `/api/v1/outbox/${id}/retry`)).status).toBe(200);
    const audits = async () => (await h.t.db.selectFrom('audit_log').select('id').where('action', '=', 'outbox.retry').where('entity_id', '=', String(id)).execute()).length;
    expect(await audits()).toBe(1);
    await h.t.db.updateTable('outbox').set({ attempts: 2 }).where('id', '=', id).execute();

    const again = await h.request('POST', `/api/v1/outbox/${id}/retry`);
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toBe('application/problem+json');
    expect(again.body).toMatchObject({ code: 'OUTBOX_NOT_DEAD', details: { id, state: 'pending' } });
    expect(await row(id)).toMatchObject({ state: 'pending', attempts: 2 });
    expect(await audits()).toBe(1);

    await h.t.db.updateTable('outbox').set({ state: 'sent' }).where('id', '=', id).execute();
    const sent = await h.request('POST', `/api/v1/outbox/${id}/retry`);
    expect(sent.status).toBe(409);
    expect(sent.body.details.state).toBe('sent');
  });

  it('answers 409 OUTBOX_BROADCAST_CANCELLED for a dead row of a cancelled broadcast, the row kept as it was', async () => {
    await registeredResident(h.t.db, { municipalityId: h.municipality.Belovo });
    const broadcastId = await announce(h.t.db, { audience: { municipalityId: h.municipality.Belovo, topic: 'news' }, message: { key: 'broadcast.official', params: { text: 'Withdrawn' } } });
    while (!(await expandBatch(h.t.db, broadcastId, 100)).done);
    const { id } = await h.t.db.selectFrom('outbox').select('id').where('broadcast_id', '=', broadcastId).executeTakeFirstOrThrow();
    await h.t.db.updateTable('outbox').set({ state: 'dead', attempts: 4, last_error: 'Too Many Requests' }).where('id', '=', id).execute();
    expect(await cancelBroadcast(h.t.db, broadcastId, new Date())).toBe(true);
    const before = await row(id);

    const res = await h.request('POST', `/api/v1/outbox/${id}/retry`);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'OUTBOX_BROADCAST_CANCELLED', details: { id, broadcastId } });
    expect(res.body.detail).toContain('cancelled');
    expect(await row(id)).toEqual(before);
    expect(await deadIds()).toContain(id);
    expect(await h.t.db.selectFrom('audit_log').select('id').where('action', '=', 'outbox.retry').where('entity_id', '=', String(id)).execute()).toEqual([]);
  });

  it('answers 404 OUTBOX_NOT_FOUND for an unknown id', async () => {
    const res = await h.request('POST', '/api/v1/outbox/99999999/retry');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('OUTBOX_NOT_FOUND');
  });
});

describe('waking the sender', () => {
  it('sends a retried row at once, not at the next poll: the app kicks the outbox after the write commits', async () => {
    // The senders poll only every ten minutes here: a row that leaves within seconds was woken by the request.
    const live = await createApiHarness({ OUTBOX_POLL_MS: '600000', CRON_ENABLED: 'false' });
    try {
      const [id] = await enqueue(live.t.db, [
        { channel: 'tg', chatId: '515151', recipientKind: 'chat', kind: 'notify.rejected', payload: { key: 'notify.rejected', params: { messageId: 7, reason: 'test' }, language: 'en' }, priority: PRIORITY.notification },
      ]);
      await live.t.db.updateTable('outbox').set({ state: 'dead', attempts: 8, next_attempt_at: new Date('2000-01-01T00:00:00Z') }).where('id', '=', id!).execute();
      // Started after the row is dead, so the first poll cannot take it before it died.
      await live.app.start();
      const res = await live.request('POST', `/api/v1/outbox/${id}/retry`);
      expect(res.status).toBe(200);
      await expect.poll(() => live.telegram.callsOf('sendMessage', '515151').length, { timeout: 5000, interval: 50 }).toBe(1);
      await expect.poll(async () => (await live.t.db.selectFrom('outbox').select('state').where('id', '=', id!).executeTakeFirstOrThrow()).state, { timeout: 5000 }).toBe('sent');
    } finally {
      await live.close();
    }
  });
});

describe('access', () => {
  it('is for operators only: other roles get 403, no key 401', async () => {
    const id = await deadRow();
    expect((await h.request('GET', '/api/v1/outbox/dead', { token: null })).status).toBe(401);
    expect((await h.request('POST', `/api/v1/outbox/${id}/retry`, { token: null })).status).toBe(401);
    for (const role of ['curator', 'moderator', 'executor', 'responsible'] as const) {
      const list = await h.request('GET', '/api/v1/outbox/dead', { token: h.keys.Kemerovo[role] });
      expect(list.status, role).toBe(403);
      expect(list.body.code).toBe('FORBIDDEN');
      const retry = await h.request('POST', `/api/v1/outbox/${id}/retry`, { token: h.keys.Kemerovo[role] });
      expect(retry.status, role).toBe(403);
    }
    expect((await row(id)).state).toBe('dead');
  });
});
