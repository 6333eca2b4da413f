import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { storeMedia } from '../../core/media/media.repository.ts';
import { createDiskMediaStore } from '../../core/media/store.ts';
import { jpegBytes } from '../../test/media/files.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { FakeTelegramApi } from '../../test/fakes/telegram-api.ts';
import { allSettled, clearOutbox, enqueueMarked, eventually, markerOf, states, telegramSender } from '../../test/outbox.ts';
import { enqueue, PRIORITY } from '../../core/outbox/outbox.repository.ts';
import { listDead, retryDead } from '../../core/outbox/outbox.dead.ts';
import type { OutboxSender } from './sender.ts';
import { queueReplySavingState, type Reply, type TurnSave } from './reply.ts';

let t: TestDatabase;
let api: FakeTelegramApi;
let sender: OutboxSender | undefined;

beforeAll(async () => {
  t = await createTestDatabase({ seed: false });
  api = await new FakeTelegramApi().start();
});
afterEach(async () => {
  await sender?.stop();
  sender = undefined;
  api.reset();
  api.limits = {};
  await clearOutbox(t.db);
});
afterAll(async () => {
  await api.stop();
  await t.close();
});

const row = (id: number) => t.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('outbox sender on Telegram', () => {
  it('sends due rows once in the recipient language and marks them sent', async () => {
    const ids = await enqueueMarked(t.db, [{ chatId: 101, marker: 1 }, { chatId: 102, marker: 2 }, { chatId: -103, marker: 3 }]);
    sender = telegramSender(t.db, api.url);
    sender.start();
    await allSettled(t.db, ids);
    expect(await states(t.db, ids)).toEqual(['sent', 'sent', 'sent']);
    expect(api.textsTo(101)).toEqual(['Your message #1 was rejected. Reason: test']);
    expect(api.textsTo(-103)).toEqual(['Your message #3 was rejected. Reason: test']);
    expect(api.callsOf('sendMessage')).toHaveLength(3);
    const first = await row(ids[0]!);
    expect(first).toMatchObject({ attempts: 1, claimed_by: sender.instanceId, last_error: null });
    expect(first.sent_at).toBeInstanceOf(Date);
  });

  it('keeps to the configured limits: no 429 overall, per private chat and per group', async () => {
    api.limits = { perSecond: 20, perChatPerSecond: 1, perGroupPerMinute: 60 };
    const specs = [
      ...Array.from({ length: 40 }, (_, i) => ({ chatId: 1000 + i, marker: i })),
      ...[100, 101, 102].map((marker) => ({ chatId: 999, marker })),
      ...[200, 201, 202].map((marker) => ({ chatId: -998, marker })),
    ];
    const ids = await enqueueMarked(t.db, specs);
    sender = telegramSender(t.db, api.url, { limits: { perSecond: 20, perChatPerSecond: 1, perGroupPerMinute: 60 } });
    sender.start();
    await allSettled(t.db, ids, 20_000);
    expect(await states(t.db, ids)).toEqual(ids.map(() => 'sent'));
    expect(api.count429).toBe(0);
    for (const chat of [999, -998]) {
      const at = api.callsOf('sendMessage', chat).map((c) => c.at);
      expect(at).toHaveLength(3);
      expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(1000);
      expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(1000);
    }
  });

  it('on 429 waits retry_after for the row and pauses the whole channel; the attempt is not counted', async () => {
    api.failNext({ status: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 }, { chatId: 201 });
    const [limited] = await enqueueMarked(t.db, [{ chatId: 201, marker: 1 }]);
    sender = telegramSender(t.db, api.url);
    sender.start();
    await eventually(async () => api.rejected.length === 1, 5000, 'the 429');
    const refusedAt = api.rejected[0]!.at;
    const others = await enqueueMarked(t.db, [202, 203, 204].map((chatId, i) => ({ chatId, marker: 10 + i })));
    sender.kick();
    await allSettled(t.db, [limited!, ...others]);
    expect(await states(t.db, [limited!, ...others])).toEqual(['sent', 'sent', 'sent', 'sent']);
    // Nothing left during the pause, the limited row included.
    for (const call of api.callsOf('sendMessage')) expect(call.at - refusedAt).toBeGreaterThanOrEqual(990);
    expect(await row(limited!)).toMatchObject({ attempts: 1 });
  });

  it('a 429 whose retry_after outlasts the lease: the rows it holds meanwhile are not taken back and sent a second time', async () => {
    const ids = await enqueueMarked(
      t.db,
      Array.from({ length: 30 }, (_, i) => ({ chatId: 1_300 + i, marker: 1_300 + i })),
    );
    api.failNext({ status: 429, description: 'Too Many Requests: retry after 3', retryAfter: 3 });
    // The lease (its check runs every 375 ms here) is shorter than the flood wait Telegram asks for.
    sender = telegramSender(t.db, api.url, { settings: { leaseMs: 1500 } });
    sender.start();
    await allSettled(t.db, ids, 20_000);
    expect(api.count429).toBe(1);
    expect(await states(t.db, ids)).toEqual(ids.map(() => 'sent'));
    const markers = api.callsOf('sendMessage').map((c) => markerOf(String(c.params.text)));
    expect(markers.toSorted()).toEqual(ids.map((_, i) => 1_300 + i)); // each once
  });

  it('403: the row and the chat\'s later rows become unreachable and the identity is marked', async () => {
    const resident = await t.db.insertInto('resident').values({ language: 'en' }).returning('id').executeTakeFirstOrThrow();
    await t.db.insertInto('resident_identity').values({ resident_id: resident.id, channel: 'tg', external_id: '301', chat_id: '301' }).execute();
    api.block(301);
    const ids = await enqueueMarked(t.db, [
      { chatId: 301, marker: 1, residentId: resident.id },
      { chatId: 301, marker: 2, residentId: resident.id },
      { chatId: 302, marker: 3 },
    ]);
    sender = telegramSender(t.db, api.url);
    sender.start();
    await allSettled(t.db, ids);
    expect(await states(t.db, ids)).toEqual(['unreachable', 'unreachable', 'sent']);
    expect(api.rejected.filter((c) => String(c.params.chat_id) === '301')).toHaveLength(1);
    const identity = await t.db.selectFrom('resident_identity').select('unreachable_at').where('resident_id', '=', resident.id).executeTakeFirstOrThrow();
    expect(identity.unreachable_at).toBeInstanceOf(Date);
    expect((await row(ids[0]!)).last_error).toContain('403');
  });

  it('retries a 500 and a timeout with backoff, then sends each once', async () => {
    api.failNext({ status: 500, description: 'Internal Server Error' }, { chatId: 401 });
    api.failNext({ status: 502, description: 'Bad Gateway' }, { chatId: 401 });
    api.failNext({ status: 0, description: '', hang: true }, { chatId: 402 });
    const ids = await enqueueMarked(t.db, [{ chatId: 401, marker: 1 }, { chatId: 402, marker: 2 }]);
    sender = telegramSender(t.db, api.url, { timeoutMs: 300 });
    sender.start();
    await allSettled(t.db, ids);
    expect(await states(t.db, ids)).toEqual(['sent', 'sent']);
    expect(api.textsTo(401)).toHaveLength(1);
    expect(api.textsTo(402)).toHaveLength(1);
    expect((await row(ids[0]!)).attempts).toBe(3);
    expect((await row(ids[1]!)).attempts).toBe(2);
    // Backoff doubles: base 50 ms, then 100 ms (±20% jitter).
    const refused = api.rejected.filter((c) => String(c.params.chat_id) === '401').map((c) => c.at);
    const sentAt = api.callsOf('sendMessage', 401)[0]!.at;
    expect(refused[1]! - refused[0]!).toBeGreaterThanOrEqual(40);
    expect(sentAt - refused[1]!).toBeGreaterThanOrEqual(80);
  });

  it('400 is permanent: the row is dead at once, listed, and sent after retryDead', async () => {
    api.failNext({ status: 400, description: "Bad Request: can't parse entities" }, { chatId: 501 });
    const [id] = await enqueueMarked(t.db, [{ chatId: 501, marker: 1 }]);
    sender = telegramSender(t.db, api.url);
    sender.start();
    await allSettled(t.db, [id!]);
    expect(await row(id!)).toMatchObject({ state: 'dead', attempts: 1 });
    const dead = await listDead(t.db, { channel: 'tg' });
    expect(dead.map((d) => d.id)).toEqual([id]);
    expect(dead[0]!.lastError).toContain('400');
    expect(api.textsTo(501)).toEqual([]);

    expect(await retryDead(t.db, id!)).toBe(true);
    expect(await retryDead(t.db, id!)).toBe(false);
    sender.kick();
    await allSettled(t.db, [id!]);
    expect(await row(id!)).toMatchObject({ state: 'sent', attempts: 1 });
    expect(api.textsTo(501)).toHaveLength(1);
    expect(await listDead(t.db)).toEqual([]);
  });

  it('gives up after the configured attempts: dead, never sent', async () => {
    for (let i = 0; i < 4; i++) api.failNext({ status: 500, description: 'Internal Server Error' }, { chatId: 601 });
    const [id] = await enqueueMarked(t.db, [{ chatId: 601, marker: 1 }]);
    sender = telegramSender(t.db, api.url, { settings: { maxAttempts: 4 } });
    sender.start();
    await allSettled(t.db, [id!]);
    expect(await row(id!)).toMatchObject({ state: 'dead', attempts: 4 });
    expect(api.rejected).toHaveLength(4);
    expect(api.textsTo(601)).toEqual([]);
  });

  it('keeps one chat\'s rows in id order while one of them is retried and another rate limited', async () => {
    api.limits = { perChatPerSecond: 10 };
    const ids = await enqueueMarked(t.db, [1, 2, 3, 4, 5].map((marker) => ({ chatId: 701, marker })));
    sender = telegramSender(t.db, api.url, { limits: { perSecond: 100, perChatPerSecond: 10, perGroupPerMinute: 600 } });
    sender.start();
    await api.waitFor(() => api.textsTo(701).length >= 1);
    api.failNext({ status: 500, description: 'Internal Server Error' }, { chatId: 701 });
    await api.waitFor(() => api.textsTo(701).length >= 3);
    api.failNext({ status: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 }, { chatId: 701 });
    await allSettled(t.db, ids);
    expect(api.rejected).toHaveLength(2);
    expect(api.textsTo(701).map(markerOf)).toEqual([1, 2, 3, 4, 5]);
    expect(api.count429).toBe(1); // the injected one; the chat's own limit was never hit
  });

  it('sends notifications queued behind a big broadcast within a bound, ahead of the broadcast', async () => {
    const limits = { perSecond: 50, perChatPerSecond: 1, perGroupPerMinute: 20 };
    api.limits = limits;
    const broadcast = await enqueueMarked(t.db, Array.from({ length: 250 }, (_, i) => ({ chatId: 10_000 + i, marker: 10_000 + i, priority: PRIORITY.broadcast })));
    sender = telegramSender(t.db, api.url, { limits });
    sender.start();
    await api.waitFor(() => api.calls.length >= 50, 10_000);
    const enqueuedAt = Date.now();
    // Written by "another process": no kick, the poll finds them.
    const notices = await enqueueMarked(t.db, Array.from({ length: 5 }, (_, i) => ({ chatId: 20_000 + i, marker: 20_000 + i, priority: PRIORITY.notification })));
    await allSettled(t.db, notices, 10_000);
    for (const notice of [0, 1, 2, 3, 4]) {
      const index = api.calls.findIndex((c) => String(c.params.chat_id) === String(20_000 + notice));
      const call = api.calls[index]!;
      expect(call.at - enqueuedAt).toBeLessThan(3000);
      // At least a second and a half of broadcast was still waiting when it went out.
      expect(index).toBeLessThan(250 - 75);
    }
    await allSettled(t.db, broadcast, 20_000);
    expect(api.count429).toBe(0);
  });

  it('kick() sends a freshly committed row without waiting for the poll', async () => {
    sender = telegramSender(t.db, api.url, { settings: { pollMs: 60_000 } });
    sender.start();
    await new Promise((r) => setTimeout(r, 100)); // the first poll has run and found nothing
    const [id] = await enqueueMarked(t.db, [{ chatId: 801, marker: 1 }]);
    sender.kick();
    await allSettled(t.db, [id!], 5000);
    expect(api.textsTo(801)).toHaveLength(1);
  });

  it('sends photos and a place as parts, and a retry resumes after the parts already sent', async () => {
    api.failNext({ status: 500, description: 'Internal Server Error' }, { method: 'sendLocation' });
    const [id] = await enqueue(t.db, [
      {
        channel: 'tg',
        chatId: '901',
        recipientKind: 'chat',
        kind: 'test',
        priority: 1,
        payload: { key: 'notify.rejected', params: { messageId: 7, reason: 'test' }, language: 'en', photos: ['photo-file-1'], location: { lat: 55.35, lon: 86.08 } },
      },
    ]);
    sender = telegramSender(t.db, api.url, { limits: { perSecond: 100, perChatPerSecond: 10, perGroupPerMinute: 600 } });
    sender.start();
    await allSettled(t.db, [id!]);
    // photo, place, text: the failed place is retried, the photo is not sent again
    expect(await row(id!)).toMatchObject({ state: 'sent', attempts: 2, sent_parts: 3 });
    expect(api.callsOf('sendPhoto', 901)).toHaveLength(1);
    expect(api.callsOf('sendPhoto', 901)[0]!.params).toMatchObject({ photo: 'photo-file-1' });
    expect(api.textsTo(901).at(-1)).toBe('Your message #7 was rejected. Reason: test');
    expect(api.callsOf('sendLocation', 901)).toHaveLength(1);
    expect(api.callsOf('sendLocation', 901)[0]!.params).toMatchObject({ latitude: 55.35, longitude: 86.08 });
  });

  it('sends stored photos as one album: its answer (one message per photo) keeps their file ids, a 429 resends the album, a failed text after it does not', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'otklik-album-'));
    const media = { db: t.db, store: createDiskMediaStore(dir) };
    const limits = { maxImageBytes: 100_000, maxVideoBytes: 100_000 };
    const photos = [];
    for (const seed of [41, 42, 43]) photos.push(await storeMedia(t.db, media.store, { bytes: jpegBytes(2000 + seed, seed), municipalityId: null, origin: 'upload', limits }));
    api.failNext({ status: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 }, { method: 'sendMediaGroup' });
    api.failNext({ status: 500, description: 'Internal Server Error' }, { method: 'sendMessage', chatId: 911 });
    const payload = { key: 'notify.rejected', params: { messageId: 8, reason: 'test' }, language: 'en' };
    const [album, single] = await enqueue(t.db, [
      { channel: 'tg', chatId: '911', recipientKind: 'chat', kind: 'test', priority: 1, payload: { ...payload, media: photos.map((p) => p.id) } },
      { channel: 'tg', chatId: '912', recipientKind: 'chat', kind: 'test', priority: 1, payload: { ...payload, media: [photos[0]!.id] } },
    ]);
    const uploadsBefore = api.uploads.length;
    sender = telegramSender(t.db, api.url, { media, limits: { perSecond: 100, perChatPerSecond: 10, perGroupPerMinute: 600 } });
    sender.start();
    await allSettled(t.db, [album!, single!]);
    const uploads = api.uploads.slice(uploadsBefore);

    // The album, the 429 not counted; the text's 500 counted and retried without the album again.
    // The album counts one part per file (sent_parts 3 + the text), as when each file was a call.
    expect(await row(album!)).toMatchObject({ state: 'sent', attempts: 2, sent_parts: 4 });
    expect(api.rejected.filter((c) => String(c.params.chat_id) === '911').map((c) => c.method).sort()).toEqual(['sendMediaGroup', 'sendMessage']);
    const albums = api.callsOf('sendMediaGroup', 911);
    expect(albums).toHaveLength(1);
    const items = albums[0]!.params.media as { type: string; media: string }[];
    expect(items.map((i) => i.type)).toEqual(['photo', 'photo', 'photo']);
    expect(api.callsOf('sendMessage', 911).map((c) => c.params.text)).toEqual(['Your message #8 was rejected. Reason: test']);
    // Each file uploaded once (the album, or the other chat's single photo that may have gone first
    // while the album waited out its 429); the ids Telegram answered, album items included, are kept.
    expect(uploads.map((u) => u.size).sort()).toEqual(photos.map((p) => p.sizeBytes));
    expect(uploads.filter((u) => u.method === 'sendMediaGroup').length).toBeGreaterThanOrEqual(2);
    const kept = await t.db.selectFrom('media_upload').select(['sha256', 'file_ref']).where('channel', '=', 'tg').where('sha256', 'in', photos.map((p) => p.sha256)).execute();
    expect(photos.map((p) => kept.find((k) => k.sha256 === p.sha256)?.file_ref)).toEqual(photos.map((p) => uploads.find((u) => u.size === p.sizeBytes)!.fileId));
    expect(items.map((i) => i.media.startsWith('attach://') || kept.some((k) => k.file_ref === i.media))).toEqual([true, true, true]);
    // A single stored photo is no album.
    expect(api.callsOf('sendMediaGroup', 912)).toEqual([]);
    expect(api.callsOf('sendPhoto', 912).map((c) => c.params.photo)).toHaveLength(1);
  });

  it('a row that sent some of its stored files one by one (before albums) resumes with an album of the rest', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'otklik-album-'));
    const media = { db: t.db, store: createDiskMediaStore(dir) };
    const limits = { maxImageBytes: 100_000, maxVideoBytes: 100_000 };
    const photos = [];
    for (const seed of [51, 52, 53]) photos.push(await storeMedia(t.db, media.store, { bytes: jpegBytes(2100 + seed, seed), municipalityId: null, origin: 'upload', limits }));
    const payload = { key: 'notify.rejected', params: { messageId: 9, reason: 'test' }, language: 'en', media: photos.map((p) => p.id) };
    const [first, second] = await enqueue(t.db, [
      { channel: 'tg', chatId: '921', recipientKind: 'chat', kind: 'test', priority: 1, payload },
      { channel: 'tg', chatId: '922', recipientKind: 'chat', kind: 'test', priority: 1, payload },
    ]);
    // The first file went out as a call of its own; the second and third are left. The other row: all three, not the text.
    await t.db.updateTable('outbox').set({ sent_parts: 1 }).where('id', '=', first!).execute();
    await t.db.updateTable('outbox').set({ sent_parts: 3 }).where('id', '=', second!).execute();
    const uploadsBefore = api.uploads.length;
    sender = telegramSender(t.db, api.url, { media, limits: { perSecond: 100, perChatPerSecond: 10, perGroupPerMinute: 600 } });
    sender.start();
    await allSettled(t.db, [first!, second!]);
    expect(await row(first!)).toMatchObject({ state: 'sent', sent_parts: 4 });
    expect(api.callsOf('sendMediaGroup', 921).map((c) => (c.params.media as unknown[]).length)).toEqual([2]);
    expect(api.callsOf('sendPhoto', 921)).toEqual([]);
    expect(api.uploads.slice(uploadsBefore).map((u) => u.size)).toEqual(photos.slice(1).map((p) => p.sizeBytes));
    expect(api.callsOf('sendMessage', 921).map((c) => c.params.text)).toEqual(['Your message #9 was rejected. Reason: test']);
    expect(await row(second!)).toMatchObject({ state: 'sent', sent_parts: 4 });
    expect(api.calls.filter((c) => String(c.params.chat_id) === '922').map((c) => c.method)).toEqual(['sendMessage']);
  });
});

/**
 * A turn's reply inserted already claimed by this instance's sender (no claim statement): only when
 * the chat has no earlier unsettled row to leave first, handed to the sender once committed, and
 * given back when the sender stopped meanwhile.
 */
const save = (chatId: number): TurnSave => ({
  channel: 'tg',
  externalId: String(chatId),
  state: { flow: 'main', step: 'menu', data: {}, version: 1, replyKeyboard: false },
  now: new Date(),
});
const reply = (chatId: number, at = new Date('2026-12-01T03:00:00Z')): Reply => ({
  channel: 'tg',
  chatId: String(chatId),
  views: [{ key: 'dialog.group_only_private', params: { at } }],
  language: 'en',
});

describe('a reply claimed as it is inserted', () => {
  it('is inserted sending under the claimer with its first attempt, and returned as the sender would read it', async () => {
    const saved = await queueReplySavingState(t.db, save(501), reply(501), 'instance-a');
    expect(saved.kept).toBe(false); // no dialog state row for this chat: the reply goes to the chat
    const stored = await row(saved.claimed!.id);
    expect(stored).toMatchObject({ state: 'sending', claimed_by: 'instance-a', attempts: 1, sent_parts: 0, kind: 'reply', recipient_kind: 'chat' });
    expect(stored.claimed_at).toBeInstanceOf(Date);
    expect(saved.claimed).toEqual({
      id: stored.id,
      channel: stored.channel,
      chat_id: stored.chat_id,
      recipient_kind: stored.recipient_kind,
      resident_id: stored.resident_id,
      staff_id: stored.staff_id,
      kind: stored.kind,
      // The Date in the view's params is its ISO text, as in the table.
      payload: stored.payload,
      priority: stored.priority,
      attempts: stored.attempts,
      sent_parts: stored.sent_parts,
    });
  });

  it('waits pending when the chat has an earlier unsettled reply (that one leaves first), or when no sender may claim', async () => {
    const [earlier] = await enqueueMarked(t.db, [{ chatId: 502, marker: 1, priority: PRIORITY.reply }]);
    const behind = await queueReplySavingState(t.db, save(502), reply(502), 'instance-a');
    expect(behind.claimed).toBeUndefined();
    const rows = await t.db.selectFrom('outbox').select(['id', 'state', 'claimed_by', 'attempts']).where('chat_id', '=', '502').orderBy('id').execute();
    expect(rows).toEqual([
      { id: earlier, state: 'pending', claimed_by: null, attempts: 0 },
      { id: expect.any(Number), state: 'pending', claimed_by: null, attempts: 0 },
    ]);

    // A pending notification of the chat does not hold its reply back: replies overtake them.
    await enqueueMarked(t.db, [{ chatId: 506, marker: 2 }]);
    expect((await queueReplySavingState(t.db, save(506), reply(506), 'instance-a')).claimed).toBeDefined();

    const unclaimed = await queueReplySavingState(t.db, save(503), reply(503));
    expect(unclaimed.claimed).toBeUndefined();
    expect(await t.db.selectFrom('outbox').select(['state', 'claimed_by']).where('chat_id', '=', '503').execute()).toEqual([{ state: 'pending', claimed_by: null }]);
  });

  it('is sent by the sender it was handed to, without being claimed again', async () => {
    sender = telegramSender(t.db, api.url, { settings: { pollMs: 60_000 } });
    sender.start();
    const claimer = sender.claimer();
    expect(claimer).toBe(sender.instanceId);
    const saved = await queueReplySavingState(t.db, save(504), reply(504), claimer);
    sender.adopt(saved.claimed!);
    await allSettled(t.db, [saved.claimed!.id]);
    expect(await row(saved.claimed!.id)).toMatchObject({ state: 'sent', attempts: 1, claimed_by: sender.instanceId, last_error: null });
    expect(api.textsTo(504)).toHaveLength(1);
  });

  it('goes back to pending, its attempt given back, when its sender stopped before the commit; a stopped sender claims nothing', async () => {
    sender = telegramSender(t.db, api.url);
    sender.start();
    const saved = await queueReplySavingState(t.db, save(505), reply(505), sender.claimer());
    await sender.stop({ pause: true });
    expect(sender.claimer()).toBeUndefined();
    sender.adopt(saved.claimed!);
    let stored = await row(saved.claimed!.id);
    for (let i = 0; i < 50 && stored.state !== 'pending'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      stored = await row(saved.claimed!.id);
    }
    expect(stored).toMatchObject({ state: 'pending', claimed_by: null, attempts: 0 });
    expect(api.callsOf('sendMessage')).toHaveLength(0);
    // Leading again, the sender claims it as any pending row.
    sender.start();
    await allSettled(t.db, [saved.claimed!.id]);
    expect(api.textsTo(505)).toHaveLength(1);
  });
});
