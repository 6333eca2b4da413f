import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFirstResponseAlerts } from '../../../core/alerts/deadlines.ts';
import { consumeLinkCode, createLinkCode } from '../../../core/staff/link-codes.ts';
import { createApiHarness, type ApiHarness, type Town } from '../../../test/api-harness.ts';
import { TEST_BOT_INFO } from '../../../test/bots/harness.ts';
import { createTranslator } from '../../../bots/i18n.ts';

let h: ApiHarness;
let operatorStaffId: number;
beforeAll(async () => {
  h = await createApiHarness();
  operatorStaffId = (await h.request('GET', '/api/v1/me')).body.staff.id;
});
afterAll(() => h.close());

const HOUR = 3_600_000;
let nextChat = 8_100_000_000;

/** Links a Telegram account to a staff member through core, as /start staff_<code> does. */
async function link(staffId: number): Promise<string> {
  const { code } = await createLinkCode(h.t.db, { actorStaffId: operatorStaffId, staffId }, h.now());
  const chat = String(nextChat++);
  await consumeLinkCode(h.t.db, code, { channel: 'tg', externalId: chat, chatId: chat }, h.now());
  return chat;
}

async function accepted(town: Town = 'Kemerovo') {
  const m = await h.fileMessage(town);
  const res = await h.request('POST', `/api/v1/messages/${m.id}/accept`, { token: h.keys[town].moderator, body: {} });
  expect(res.status).toBe(200);
  return m;
}

const lastAudit = (action: string) => h.t.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id', 'desc').executeTakeFirstOrThrow();

describe('POST /staff/{id}/link-codes', () => {
  it('issues a one-time code with the bot\'s deep link; only its hash is stored and the audit never holds it', async () => {
    const res = await h.request('POST', `/api/v1/staff/${h.staff.Kemerovo.executor}/link-codes`, { body: {} });
    expect(res.status).toBe(201);
    const { code } = res.body;
    expect(code).toMatch(/^[a-z2-9]{16}$/);
    expect(res.body).toEqual({
      staffId: h.staff.Kemerovo.executor,
      code,
      deepLink: `https://t.me/${TEST_BOT_INFO.username}?start=staff_${code}`,
      deepLinks: { telegram: `https://t.me/${TEST_BOT_INFO.username}?start=staff_${code}`, vk: null },
      startCommand: `/start staff_${code}`,
      expiresAt: new Date(h.now().getTime() + 24 * HOUR).toISOString(),
    });
    const stored = await h.t.db.selectFrom('staff_link_code').selectAll().where('staff_id', '=', h.staff.Kemerovo.executor).where('used_at', 'is', null).execute();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(code);
    const audit = await lastAudit('staff.link_code');
    expect(audit).toMatchObject({ entity: 'staff', entity_id: String(h.staff.Kemerovo.executor), municipality_id: h.municipality.Kemerovo });
    expect(JSON.stringify(audit)).not.toContain(code);
  });

  it('gives the VK link (vk.me/club<group>?ref=staff_<code>) when VK is on, as deepLink when Telegram is off', async () => {
    const vk = { VK_GROUP_TOKEN: 'vk1.a.test', VK_GROUP_ID: '229000001', VK_SECRET: 'vk-secret', VK_CONFIRMATION_CODE: 'abc123', VK_API_BASE_URL: 'http://127.0.0.1:9/method' };
    for (const [env, telegramOn] of [
      [{ ...vk, TELEGRAM_BOT_TOKEN: '' }, false],
      [vk, true],
    ] as const) {
      const other = await createApiHarness(env);
      try {
        const res = await other.request('POST', `/api/v1/staff/${other.staff.Kemerovo.executor}/link-codes`, { body: {} });
        expect(res.status).toBe(201);
        const { code } = res.body;
        const links = { telegram: telegramOn ? `https://t.me/${TEST_BOT_INFO.username}?start=staff_${code}` : null, vk: `https://vk.me/club229000001?ref=staff_${code}` };
        expect(res.body).toMatchObject({ deepLink: links.telegram ?? links.vk, deepLinks: links, startCommand: `/start staff_${code}` });
      } finally {
        await other.close();
      }
    }
  });

  it('lets a curator issue codes for their own team and takes a lifetime within bounds', async () => {
    const res = await h.request('POST', `/api/v1/staff/${h.staff.Kemerovo.moderator}/link-codes`, { token: h.keys.Kemerovo.curator, body: { ttlHours: 2 } });
    expect(res.status).toBe(201);
    expect(res.body.expiresAt).toBe(new Date(h.now().getTime() + 2 * HOUR).toISOString());
    for (const ttlHours of [0, -1, 721]) {
      const bad = await h.request('POST', `/api/v1/staff/${h.staff.Kemerovo.moderator}/link-codes`, { token: h.keys.Kemerovo.curator, body: { ttlHours } });
      expect(bad.status).toBe(400);
    }
  });

  it('hides operators and other municipalities\' staff from a curator, and refuses deactivated staff', async () => {
    const operator = await h.request('POST', `/api/v1/staff/${operatorStaffId}/link-codes`, { token: h.keys.Kemerovo.curator, body: {} });
    expect(operator.status).toBe(404);
    const other = await h.request('POST', `/api/v1/staff/${h.staff.Belovo.executor}/link-codes`, { token: h.keys.Kemerovo.curator, body: {} });
    expect(other.status).toBe(404);
    const created = await h.request('POST', '/api/v1/staff', { body: { fullName: 'Уволенный', role: 'executor', municipalityId: h.municipality.Belovo, executorId: h.executors.Belovo.city } });
    expect(created.status).toBe(201);
    await h.request('PATCH', `/api/v1/staff/${created.body.id}`, { body: { active: false } });
    const inactive = await h.request('POST', `/api/v1/staff/${created.body.id}/link-codes`, { body: {} });
    // Listed by the console as deactivated: said so, not "not found".
    expect(inactive.status).toBe(422);
    expect(inactive.body.code).toBe('STAFF_INACTIVE');
    expect(await h.t.db.selectFrom('staff_link_code').select('id').where('staff_id', '=', created.body.id).execute()).toEqual([]);
    await h.request('PATCH', `/api/v1/staff/${created.body.id}`, { body: { active: true } });
    expect((await h.request('POST', `/api/v1/staff/${created.body.id}/link-codes`, { body: {} })).status).toBe(201);
    await h.request('PATCH', `/api/v1/staff/${created.body.id}`, { body: { active: false } }); // the tests below count Belovo's active staff
  });
});

describe('DELETE /staff/{id}/identities/{channel}', () => {
  it('unlinks a messenger (alerts then stay in the list only), audited; repeating it removes nothing', async () => {
    await link(h.staff.Belovo.utility_executor);
    const res = await h.request('DELETE', `/api/v1/staff/${h.staff.Belovo.utility_executor}/identities/tg`, { token: h.keys.Belovo.curator });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ removed: true });
    expect(await h.t.db.selectFrom('staff_identity').select('id').where('staff_id', '=', h.staff.Belovo.utility_executor).execute()).toEqual([]);
    expect(await lastAudit('staff.unlink')).toMatchObject({ entity_id: String(h.staff.Belovo.utility_executor), municipality_id: h.municipality.Belovo, data: { channel: 'tg', removed: true } });
    const again = await h.request('DELETE', `/api/v1/staff/${h.staff.Belovo.utility_executor}/identities/tg`, { token: h.keys.Belovo.curator });
    expect(again.body).toEqual({ removed: false });
    const badChannel = await h.request('DELETE', `/api/v1/staff/${h.staff.Belovo.utility_executor}/identities/sms`, { token: h.keys.Belovo.curator });
    expect(badChannel.status).toBe(400);
  });
});

describe('GET /alerts', () => {
  it('shows a municipality\'s alerts to its officials, an executor only their own, and says whether a messenger got them', async () => {
    await link(h.staff.Novokuznetsk.executor);
    const m = await accepted('Novokuznetsk');
    const curator = await h.request('GET', `/api/v1/alerts?messageId=${m.id}`, { token: h.keys.Novokuznetsk.curator });
    expect(curator.status).toBe(200);
    // Newest first: the executor's assignment, then the new-message card (issue 18 item 13; no messenger linked) of the
    // moderator and, none of them being reachable, of the curator (core/alerts/new-message.ts moderationFallback).
    expect(curator.body.items).toEqual([
      expect.objectContaining({ staffId: h.staff.Novokuznetsk.executor, staffRole: 'executor', municipalityId: h.municipality.Novokuznetsk, kind: 'alert.assigned', messageId: m.id, key: 'alert.assigned', queued: true, delivery: 'pending' }),
      expect.objectContaining({ staffId: h.staff.Novokuznetsk.curator, staffRole: 'curator', kind: 'alert.new_message', messageId: m.id, queued: false, delivery: null }),
      expect.objectContaining({ staffId: h.staff.Novokuznetsk.moderator, staffRole: 'moderator', kind: 'alert.new_message', messageId: m.id, queued: false, delivery: null }),
    ]);
    expect(curator.body.items[0].params).toMatchObject({ messageId: m.id, text: m.text });
    const responsible = await h.request('GET', `/api/v1/alerts?messageId=${m.id}`, { token: h.keys.Novokuznetsk.responsible });
    expect(responsible.body.items).toHaveLength(3);
    const own = await h.request('GET', '/api/v1/alerts', { token: h.keys.Novokuznetsk.executor });
    expect(own.body.items.length).toBeGreaterThan(0);
    expect(own.body.items.every((a: { staffId: number }) => a.staffId === h.staff.Novokuznetsk.executor)).toBe(true);
    const colleague = await h.request('GET', '/api/v1/alerts', { token: h.keys.Novokuznetsk.utility_executor });
    expect(colleague.body.items).toEqual([]);
    const peek = await h.request('GET', `/api/v1/alerts?staffId=${h.staff.Novokuznetsk.executor}`, { token: h.keys.Novokuznetsk.utility_executor });
    expect(peek.status).toBe(404);
    const elsewhere = await h.request('GET', `/api/v1/alerts?messageId=${m.id}`, { token: h.keys.Kemerovo.curator });
    expect(elsewhere.body.items).toEqual([]);
    const otherStaff = await h.request('GET', `/api/v1/alerts?staffId=${h.staff.Novokuznetsk.executor}`, { token: h.keys.Kemerovo.curator });
    expect(otherStaff.status).toBe(404);
  });

  it('lists an alert for an official without a messenger as not queued', async () => {
    const m = await accepted('Belovo');
    const res = await h.request('GET', `/api/v1/alerts?kind=alert.assigned&messageId=${m.id}`);
    expect(res.body.items).toEqual([expect.objectContaining({ staffId: h.staff.Belovo.executor, queued: false })]);
  });

  it('pages newest first', async () => {
    await accepted('Kemerovo');
    await accepted('Kemerovo');
    const first = await h.request('GET', `/api/v1/alerts?municipalityId=${h.municipality.Kemerovo}&limit=1`);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await h.request('GET', `/api/v1/alerts?municipalityId=${h.municipality.Kemerovo}&limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0].id).toBeLessThan(first.body.items[0].id);
    const bad = await h.request('GET', '/api/v1/alerts?cursor=not-a-cursor');
    expect(bad.status).toBe(400);
  });
});

describe('GET /jobs/runs', () => {
  it('lists runs newest first with filters, and the latest run of each job', async () => {
    const at = (hours: number) => new Date(h.now().getTime() - hours * HOUR);
    await h.t.db
      .insertInto('job_run')
      .values([
        { job: 'overdue', instance: 'a', started_at: at(3), finished_at: at(3), outcome: 'ok', counts: JSON.stringify({ messages: 2, alerts: 5, queued: 4 }), error: null },
        { job: 'digest', instance: 'a', started_at: at(2), finished_at: at(2), outcome: 'error', counts: JSON.stringify({}), error: 'boom' },
        { job: 'overdue', instance: 'b', started_at: at(1), finished_at: at(1), outcome: 'skipped', counts: JSON.stringify({}), error: null },
      ])
      .execute();
    const all = await h.request('GET', '/api/v1/jobs/runs');
    expect(all.status).toBe(200);
    const ours = all.body.items.filter((r: { instance: string | null }) => r.instance === 'a' || r.instance === 'b');
    expect(ours.map((r: { job: string; outcome: string }) => `${r.job}:${r.outcome}`)).toEqual(['overdue:skipped', 'digest:error', 'overdue:ok']);
    expect(ours[2]).toMatchObject({ counts: { messages: 2, alerts: 5, queued: 4 }, startedAt: at(3).toISOString() });
    const errors = await h.request('GET', '/api/v1/jobs/runs?outcome=error');
    expect(errors.body.items.map((r: { job: string; error: string }) => [r.job, r.error])).toEqual([['digest', 'boom']]);
    const since = await h.request('GET', `/api/v1/jobs/runs?job=overdue&since=${encodeURIComponent(at(2).toISOString())}`);
    expect(since.body.items.map((r: { instance: string }) => r.instance)).toEqual(['b']);
    const latest = await h.request('GET', '/api/v1/jobs/runs?latest=true');
    const byJob = Object.fromEntries(latest.body.items.map((r: { job: string; outcome: string }) => [r.job, r.outcome]));
    expect(byJob).toMatchObject({ overdue: 'skipped', digest: 'error' });
    expect(latest.body.nextCursor).toBeNull();
  });
});

describe('POST /messages/{id}/urgent', () => {
  it('marks a new message urgent once (history and audit); its executor\'s card then asks for a draft within the hour', async () => {
    const m = await h.fileMessage('Kemerovo');
    const res = await h.request('POST', `/api/v1/messages/${m.id}/urgent`, { token: h.keys.Kemerovo.moderator });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: m.id, urgent: true, version: m.version + 1 });
    expect(res.headers.get('etag')).toBe(`"${m.version + 1}"`);
    expect(await lastAudit('message.mark_urgent')).toMatchObject({ entity_id: String(m.id), municipality_id: h.municipality.Kemerovo });
    const again = await h.request('POST', `/api/v1/messages/${m.id}/urgent`, { token: h.keys.Kemerovo.moderator });
    expect(again.body.version).toBe(m.version + 1);
    const events = await h.t.db.selectFrom('message_event').select(['kind', 'actor_id']).where('message_id', '=', m.id).where('kind', '=', 'marked_urgent').execute();
    expect(events).toEqual([{ kind: 'marked_urgent', actor_id: h.staff.Kemerovo.moderator }]);

    await h.request('POST', `/api/v1/messages/${m.id}/accept`, { token: h.keys.Kemerovo.moderator, body: {} });
    const [card] = await h.t.db.selectFrom('staff_alert').select('params').where('message_id', '=', m.id).where('kind', '=', 'alert.assigned').execute();
    expect(card!.params).toMatchObject({ context: 'urgent' });
  });

  it('brings a message in work under the one-working-hour rule (curator marks it); closed or stale versions are refused', async () => {
    const m = await accepted('Belovo');
    const marked = await h.request('POST', `/api/v1/messages/${m.id}/urgent`, { token: h.keys.Belovo.curator });
    expect(marked.status).toBe(200);
    // 2026-12-01 10:00 local (Tuesday): no draft by 11:00 local means alerts to the executor and the curators.
    const counts = await runFirstResponseAlerts(h.t.db, new Date(h.now().getTime() + 2 * HOUR));
    expect(counts.messages).toBeGreaterThanOrEqual(1);
    const late = await h.t.db.selectFrom('staff_alert').select(['staff_id', 'params']).where('message_id', '=', m.id).where('kind', '=', 'alert.first_response_late').execute();
    expect(late.map((a) => a.staff_id).sort()).toEqual([h.staff.Belovo.executor, h.staff.Belovo.curator].sort());
    expect(late[0]!.params).toMatchObject({ context: 'urgent' });

    const stale = await h.request('POST', `/api/v1/messages/${m.id}/urgent`, { token: h.keys.Belovo.curator, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('CONCURRENT_CHANGE');
    const rejected = await h.fileMessage('Belovo');
    await h.request('POST', `/api/v1/messages/${rejected.id}/reject`, { token: h.keys.Belovo.moderator, body: { reason: 'спам' } });
    const closed = await h.request('POST', `/api/v1/messages/${rejected.id}/urgent`, { token: h.keys.Belovo.moderator });
    expect(closed.status).toBe(409);
    expect(closed.body.code).toBe('ILLEGAL_TRANSITION');
  });
});

describe('a message in work marked urgent', () => {
  it("gives its executor the hour from the marking, with a card saying so and when it ends, not a late alert for an hour that ran out days ago", async () => {
    const m = await accepted('Novokuznetsk');
    const start = h.now();
    // A day later (Wednesday 2 December 2026, 10:00 in Novokuznetsk) the curator marks it urgent.
    h.advance(24 * HOUR);
    try {
      const marked = await h.request('POST', `/api/v1/messages/${m.id}/urgent`, { token: h.keys.Novokuznetsk.curator });
      expect(marked.status).toBe(200);
      const cards = await h.t.db.selectFrom('staff_alert').select(['staff_id', 'key', 'params']).where('message_id', '=', m.id).where('kind', '=', 'alert.assigned').orderBy('id').execute();
      expect(cards.at(-1)!.params).toMatchObject({ messageId: m.id, context: 'marked_urgent', due: '02.12.2026 11:00' });
      expect(cards.at(-1)!.staff_id).toBe(cards[0]!.staff_id);
      const t9n = createTranslator();
      expect(t9n('ru', 'alert.assigned', cards.at(-1)!.params)).toMatch(new RegExp(`^Сообщение №${m.id} отмечено как срочное\\.\\n.*не позднее 1 рабочего часа \\(до 02\\.12\\.2026 11:00\\)`));
      expect(t9n('en', 'alert.assigned', cards.at(-1)!.params)).toMatch(new RegExp(`^Message #${m.id} has been marked urgent\\.\\n.*within 1 working hour \\(by 02\\.12\\.2026 11:00\\)`));

      const lateAlerts = () => h.t.db.selectFrom('staff_alert').select('params').where('message_id', '=', m.id).where('kind', '=', 'alert.first_response_late').execute();
      await runFirstResponseAlerts(h.t.db, new Date(h.now().getTime() + 10 * 60_000));
      expect(await lateAlerts()).toEqual([]);
      await runFirstResponseAlerts(h.t.db, new Date(h.now().getTime() + HOUR + 60_000));
      const late = await lateAlerts();
      expect(late.length).toBeGreaterThan(0);
      expect(late[0]!.params).toMatchObject({ due: '02.12.2026 11:00', context: 'urgent' });
    } finally {
      h.advance(start.getTime() - h.now().getTime());
    }
  });
});
