import { describe, expect, it } from 'vitest';
import { enqueue, PRIORITY } from '../../core/outbox/outbox.repository.ts';
import { botHarnessPerFile, type BotHarness } from '../../test/bots/harness.ts';
import { Conversation } from '../../test/telegram/conversation.ts';
import { newUser } from '../../test/telegram/updates.ts';
import { markedPayload, eventually } from '../../test/outbox.ts';
import type { TestDatabase } from '../../test/database.ts';

let db: TestDatabase;
let harness: BotHarness;
// The app's own sender sends every lane, at 20 messages a second (the fake enforces the same).
botHarnessPerFile(
  (opened, started) => {
    db = opened;
    harness = started;
  },
  { outbox: 'all', env: { OUTBOX_TG_PER_SECOND: '20', OUTBOX_TG_PER_CHAT_PER_SECOND: '1' } },
);

describe('replies paced behind a running broadcast', () => {
  it('overtake the broadcast, and a reply whose 429 asks to wait more than 5 s is sent after the wait, never dropped', { timeout: 60_000 }, async () => {
    harness.fake.limits = { perSecond: 20, perChatPerSecond: 1 };
    const broadcastSize = 100;
    const broadcast = await enqueue(
      db.db,
      Array.from({ length: broadcastSize }, (_, i) => ({
        channel: 'tg' as const,
        chatId: String(70_000 + i),
        recipientKind: 'chat' as const,
        kind: 'test:broadcast',
        payload: markedPayload(70_000 + i),
        priority: PRIORITY.broadcast,
      })),
    );
    harness.app.kickOutbox();
    await harness.fake.waitFor(() => harness.fake.callsOf('sendMessage').length >= 15, 10_000);

    const residents = Array.from({ length: 5 }, () => newUser('Анна'));
    const [first] = residents;
    // The first resident's reply hits a 429 asking for 6 s (the old code dropped such a reply).
    harness.fake.failNext({ status: 429, description: 'Too Many Requests: retry after 6', retryAfter: 6 }, { method: 'sendMessage', chatId: first!.id });
    const postedAt = Date.now();
    for (const user of residents) await new Conversation(harness, user).send({ message: { text: '/start' } });
    await eventually(async () => residents.every((u) => harness.fake.textsTo(u.id).length > 0), 30_000, 'every resident answered');

    const replies = await db.db.selectFrom('outbox').select(['chat_id', 'state', 'attempts', 'last_error']).where('kind', '=', 'reply').execute();
    expect(replies).toHaveLength(5);
    expect(replies.every((r) => r.state === 'sent')).toBe(true);
    const rateLimited = replies.find((r) => r.chat_id === String(first!.id))!;
    expect(rateLimited.last_error).toBeNull();
    expect(harness.fake.rejected.filter((c) => c.method === 'sendMessage' && String(c.params.chat_id) === String(first!.id))).toHaveLength(1);
    const firstReplyAt = Math.min(...harness.fake.callsOf('sendMessage', first!.id).map((c) => c.at));
    const refusedAt = harness.fake.rejected.find((c) => String(c.params.chat_id) === String(first!.id))!.at;
    expect(firstReplyAt - refusedAt).toBeGreaterThanOrEqual(6000 - 50);

    // The replies went out while the broadcast was still running: they overtook it.
    await eventually(
      async () => (await db.db.selectFrom('outbox').select('id').where('id', 'in', broadcast).where('state', '=', 'sent').execute()).length === broadcastSize,
      30_000,
      'the broadcast sent',
    );
    const lastBroadcastAt = Math.max(
      ...harness.fake
        .callsOf('sendMessage')
        .filter((c) => /#7\d{4}/.test(String(c.params.text)))
        .map((c) => c.at),
    );
    for (const user of residents) expect(Math.max(...harness.fake.callsOf('sendMessage', user.id).map((c) => c.at))).toBeLessThan(lastBroadcastAt);
    expect(postedAt).toBeLessThan(lastBroadcastAt);
    // Only the injected 429: the pacer kept the channel within its limit.
    expect(harness.fake.count429).toBe(1);
  });
});
