import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { FakeVkApi } from '../../test/fakes/vk-api.ts';
import { allSettled, clearOutbox, enqueueMarked, eventually, markerOf, states, vkSender } from '../../test/outbox.ts';
import type { OutboxSender } from './sender.ts';
import { TransientRenderError } from './vk-transport.ts';

let t: TestDatabase;
let api: FakeVkApi;
let sender: OutboxSender | undefined;

beforeAll(async () => {
  t = await createTestDatabase({ seed: false });
  api = await new FakeVkApi().start();
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
const vkRows = (specs: { chatId: number; marker: number; staffId?: number }[]) => enqueueMarked(t.db, specs.map((s) => ({ ...s, channel: 'vk' as const })));

describe('outbox sender on VK', () => {
  it('sends messages.send with peer_id, the text and random_id = the row id', async () => {
    const ids = await vkRows([{ chatId: 5001, marker: 1 }, { chatId: 2_000_000_001, marker: 2 }]);
    sender = vkSender(t.db, api.apiBaseUrl);
    sender.start();
    await allSettled(t.db, ids);
    expect(await states(t.db, ids)).toEqual(['sent', 'sent']);
    const [first, second] = api.calls;
    expect(first!.method).toBe('messages.send');
    expect(first!.params).toMatchObject({ peer_id: '5001', random_id: String(ids[0]), message: 'Your message #1 was rejected. Reason: test', access_token: 'vk-test-token' });
    expect(second!.params).toMatchObject({ peer_id: '2000000001', random_id: String(ids[1]) });
  });

  it('a retry after a lost answer reuses the random_id, so VK shows the message once', async () => {
    api.failNext({ dropResponse: true }, { peerId: 5101 });
    const [id] = await vkRows([{ chatId: 5101, marker: 1 }]);
    sender = vkSender(t.db, api.apiBaseUrl, { timeoutMs: 300 });
    sender.start();
    await allSettled(t.db, [id!]);
    expect(await row(id!)).toMatchObject({ state: 'sent', attempts: 2 });
    expect(api.textsTo(5101)).toHaveLength(1);
    expect(api.duplicates).toHaveLength(1);
    expect(api.duplicates[0]!.params.random_id).toBe(String(id));
  });

  it('keeps to 20 requests per second without error 6', async () => {
    api.limits = { perSecond: 20 };
    const ids = await vkRows(Array.from({ length: 50 }, (_, i) => ({ chatId: 6000 + i, marker: i })));
    sender = vkSender(t.db, api.apiBaseUrl, { limits: { perSecond: 20, perChatPerSecond: 1, perGroupPerMinute: 20 } });
    sender.start();
    await allSettled(t.db, ids, 15_000);
    expect(await states(t.db, ids)).toEqual(ids.map(() => 'sent'));
    expect(api.countTooMany).toBe(0);
  });

  it('error 6 (too many requests): waits, pauses the channel, then sends without counting an attempt', async () => {
    api.failNext({ errorCode: 6, errorMsg: 'Too many requests per second' }, { peerId: 5201 });
    const [id] = await vkRows([{ chatId: 5201, marker: 1 }]);
    sender = vkSender(t.db, api.apiBaseUrl);
    sender.start();
    await allSettled(t.db, [id!]);
    expect(await row(id!)).toMatchObject({ state: 'sent', attempts: 1 });
    expect(api.calls[0]!.at - api.rejected[0]!.at).toBeGreaterThanOrEqual(990);
  });

  it('error 9 (flood control: too many messages to one user): only that row waits a minute, uncounted; the others go at once', async () => {
    api.failNext({ errorCode: 9, errorMsg: 'Flood control: too much messages sent to user' }, { peerId: 5251 });
    const [id] = await vkRows([{ chatId: 5251, marker: 1 }]);
    sender = vkSender(t.db, api.apiBaseUrl);
    sender.start();
    await eventually(async () => (await row(id!)).last_error !== null, 3000, 'the flooded row rescheduled');
    const flooded = await row(id!);
    expect(flooded).toMatchObject({ state: 'pending', attempts: 0 });
    expect(flooded.last_error).toContain('VK 9');
    expect(flooded.next_attempt_at.getTime() - api.rejected[0]!.at).toBeGreaterThan(50_000);
    // The other residents are not held back by one resident's limit (VK's per-second limit is error 6).
    const others = await vkRows([{ chatId: 5252, marker: 2 }, { chatId: 5253, marker: 3 }]);
    await allSettled(t.db, others, 3000);
    expect(await states(t.db, others)).toEqual(['sent', 'sent']);
    expect(api.textsTo(5251)).toEqual([]);
  });

  it('901 (messages not allowed): unreachable, the staff identity is marked, no retry', async () => {
    const municipality = await t.db
      .insertInto('municipality')
      .values({ name_ru: 'Тест', name_en: 'Test', oktmo: 'vk-test', population_over_14: 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const staff = await t.db.insertInto('staff').values({ full_name: 'Curator', role: 'curator', municipality_id: municipality.id }).returning('id').executeTakeFirstOrThrow();
    await t.db.insertInto('staff_identity').values({ staff_id: staff.id, channel: 'vk', external_id: '5301', chat_id: '5301' }).execute();
    api.block(5301);
    const [id] = await vkRows([{ chatId: 5301, marker: 1, staffId: staff.id }]);
    sender = vkSender(t.db, api.apiBaseUrl);
    sender.start();
    await allSettled(t.db, [id!]);
    expect(await row(id!)).toMatchObject({ state: 'unreachable', attempts: 1 });
    expect(api.rejected).toHaveLength(1);
    const identity = await t.db.selectFrom('staff_identity').select('unreachable_at').where('staff_id', '=', staff.id).executeTakeFirstOrThrow();
    expect(identity.unreachable_at).toBeInstanceOf(Date);
  });

  it('an HTTP 502, error 10 and a timeout are retried; error 100 is permanent', async () => {
    api.failNext({ httpStatus: 502 }, { peerId: 5401 });
    api.failNext({ errorCode: 10, errorMsg: 'Internal server error' }, { peerId: 5401 });
    api.failNext({ hang: true }, { peerId: 5402 });
    api.failNext({ errorCode: 100, errorMsg: 'One of the parameters specified was missing or invalid' }, { peerId: 5403 });
    const ids = await vkRows([{ chatId: 5401, marker: 1 }, { chatId: 5402, marker: 2 }, { chatId: 5403, marker: 3 }]);
    sender = vkSender(t.db, api.apiBaseUrl, { timeoutMs: 300 });
    sender.start();
    await allSettled(t.db, ids);
    expect(await states(t.db, ids)).toEqual(['sent', 'sent', 'dead']);
    expect((await row(ids[0]!)).attempts).toBe(3);
    expect((await row(ids[2]!)).last_error).toContain('VK 100');
    expect(api.textsTo(5401).map(markerOf)).toEqual([1]);
    expect(api.textsTo(5402)).toHaveLength(1);
  });

  it("a render that could not read the chat's app (the database) is retried; any other render failure is permanent", async () => {
    const [retried, broken] = await vkRows([{ chatId: 5501, marker: 1 }, { chatId: 5502, marker: 2 }]);
    let failures = 0;
    sender = vkSender(t.db, api.apiBaseUrl, {
      render: (r) => {
        if (r.chat_id === '5502') throw new Error('a bug in a view');
        if (failures++ === 0) throw new TransientRenderError("the chat's VK client could not be read or stored: connection refused");
        return [{ message: `marker ${String(r.payload.params?.messageId)}` }];
      },
    });
    sender.start();
    await allSettled(t.db, [retried!, broken!]);
    expect(await states(t.db, [retried!, broken!])).toEqual(['sent', 'dead']);
    expect((await row(retried!)).attempts).toBe(2);
    expect(api.textsTo(5501)).toEqual(['marker 1']);
    expect((await row(broken!)).last_error).toContain('a bug in a view');
    expect(api.textsTo(5502)).toEqual([]);
  });

  it('the fake drops a repeated random_id to the same peer but not to another peer', async () => {
    const send = (peerId: number, randomId: number) =>
      fetch(`${api.apiBaseUrl}/messages.send`, {
        method: 'POST',
        body: new URLSearchParams({ access_token: 't', v: '5.199', peer_id: String(peerId), random_id: String(randomId), message: 'x' }),
      }).then((r) => r.json() as Promise<{ response?: number; error?: { error_code: number } }>);
    const first = await send(1, 42);
    expect(await send(1, 42)).toEqual(first);
    expect((await send(2, 42)).response).not.toBe(first.response);
    expect(api.calls).toHaveLength(2);
    expect(api.duplicates).toHaveLength(1);
  });
});
