import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { FakeTelegramApi } from '../../test/fakes/telegram-api.ts';
import { allSettled, clearOutbox, enqueueMarked, telegramSender } from '../../test/outbox.ts';
import { PRIORITY } from '../../core/outbox/outbox.repository.ts';
import { queueReplySavingState, type Reply, type TurnSave } from './reply.ts';
import type { OutboxSender } from './sender.ts';

/**
 * A turn's reply inserted already claimed by this instance's sender (no claim statement): only when
 * the chat has no earlier unsettled row to leave first, handed to the sender once committed, and
 * given back when the sender stopped meanwhile.
 */
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
  await clearOutbox(t.db);
});
afterAll(async () => {
  await api.stop();
  await t.close();
});

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
const row = (id: number) => t.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

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
