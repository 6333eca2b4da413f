import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundUpdates } from '../../core/metrics/metrics.ts';
import { SECRET_HEADER, TELEGRAM_WEBHOOK_PATH } from '../../http/webhooks/telegram.ts';
import { VK_WEBHOOK_PATH } from '../../http/webhooks/vk.ts';
import { createLogger } from '../../logger.ts';
import { BotHarness, TEST_VK_GROUP_ID, TEST_VK_SECRET, TEST_WEBHOOK_SECRET } from '../bots/harness.ts';
import { createTestDatabase, type TestDatabase } from '../database.ts';
import { startCommandUpdate } from '../telegram/updates.ts';
import { postAndVanish, until } from '../vanishing-client.ts';

// A messenger (or a proxy) that closes the connection while its webhook body is still arriving:
// over a real socket, as only a socket can go away mid-body.
let db: TestDatabase;
let harness: BotHarness;
const lines: Record<string, unknown>[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  harness = await BotHarness.start({ database: db, logger: createLogger('info', destination) });
});
afterAll(async () => {
  await harness?.close();
  await db?.close();
});

const vkEvent = (eventId: string, userId: number) => ({
  type: 'message_new',
  group_id: TEST_VK_GROUP_ID,
  event_id: eventId,
  v: '5.199',
  secret: TEST_VK_SECRET,
  object: {
    message: { date: 1764000000, from_id: userId, peer_id: userId, id: 0, out: 0, text: '/start', attachments: [], fwd_messages: [], conversation_message_id: 1 },
    client_info: { button_actions: ['text', 'callback'], keyboard: true, inline_keyboard: true, carousel: true, lang_id: 0 },
  },
});

const recorded = async (channel: 'tg' | 'vk', updateId: string) =>
  (await db.db.selectFrom('processed_update').select('update_id').where('channel', '=', channel).where('update_id', '=', updateId).executeTakeFirst()) !== undefined;

const aborted = async (channel: 'tg' | 'vk') => (await inboundUpdates.get()).values.find((v) => v.labels.channel === channel && v.labels.outcome === 'client_aborted')?.value ?? 0;

const cases = [
  { channel: 'vk', path: VK_WEBHOOK_PATH, headers: {} },
  { channel: 'tg', path: TELEGRAM_WEBHOOK_PATH, headers: { [SECRET_HEADER]: TEST_WEBHOOK_SECRET } },
] as const;

describe('a webhook whose sender closes the connection before the body is all sent', () => {
  for (const { channel, path, headers } of cases) {
    for (const framing of ['length', 'chunked'] as const) {
      it(`${channel}, body sent with ${framing === 'length' ? 'a Content-Length' : 'chunked encoding'}: not recorded, one warning line without a stack, counted, and the next request is served`, async () => {
        const seen = lines.length;
        const countedBefore = await aborted(channel);
        const n = Math.floor(Math.random() * 1_000_000);
        const updateId = channel === 'vk' ? `gone-${framing}-${n}` : String(930_000_000 + n);
        const update = channel === 'vk' ? vkEvent(updateId, 5_100_000 + n) : startCommandUpdate(Number(updateId), 6_200_000_000 + n, 'Анна');

        await postAndVanish({ url: harness.url, taken: () => harness.app.lifecycle.inFlight === 1 }, path, JSON.stringify(update), framing, headers);
        await until('the warning', () => lines.slice(seen).some((l) => l.path === path));

        const logged = lines.slice(seen).filter((l) => l.path === path || Number(l.level) >= 50);
        expect(logged).toHaveLength(1);
        expect(logged[0]).toMatchObject({ level: 40, msg: 'the client closed the connection before its request body arrived', path, cause: 'aborted' });
        expect(logged[0]).not.toHaveProperty('err');
        expect(JSON.stringify(logged[0])).not.toContain('    at ');
        expect(await aborted(channel)).toBe(countedBefore + 1);
        await until('the request to end', () => harness.app.lifecycle.inFlight === 0);
        expect(await recorded(channel, updateId)).toBe(false);

        // The same update sent whole (the messenger's retry) is handled as usual.
        const response = channel === 'vk' ? await harness.postVk(update) : await harness.post(update);
        expect(response.status).toBe(200);
        if (channel === 'vk') expect(await response.text()).toBe('ok');
        expect(await recorded(channel, updateId)).toBe(true);
        expect(lines.slice(seen).filter((l) => Number(l.level) >= 50)).toEqual([]);
      });
    }
  }
});
