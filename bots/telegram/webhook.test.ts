import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { createLogger } from '../../logger.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { Conversation, fixturePath, loadFixture } from '../../test/telegram/conversation.ts';
import { BotHarness, TEST_WEBHOOK_SECRET } from '../../test/bots/harness.ts';
import { newUser, text } from '../../test/telegram/updates.ts';
import { createTranslator } from '../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
beforeAll(async () => {
  db = await createTestDatabase();
  harness = await BotHarness.start({
    database: db,
    extraFeatures: [{ name: 'test', deepLinks: [{ prefix: 'boom_', open: () => Promise.reject(new Error('a bug in a deep-link handler')) }] }],
  });
});
afterAll(async () => {
  await harness?.close();
  await db?.close();
});

const count = async (table: 'processed_update' | 'resident' | 'start_payload' | 'dialog_state') =>
  Number((await db.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
const startUpdate = (updateId: number, user: ReturnType<typeof newUser>, body = '/start') => ({
  update_id: updateId,
  message: { message_id: 1, date: 1764000000, from: user, chat: { id: user.id, type: 'private', first_name: user.first_name }, text: body, entities: [{ type: 'bot_command', offset: 0, length: 6 }] },
});

describe('POST /webhooks/telegram', () => {
  it('refuses a wrong or missing secret with 403 and stores nothing', async () => {
    const before = { updates: await count('processed_update'), residents: await count('resident'), calls: harness.fake.calls.length };
    const user = newUser();
    for (const secret of ['wrong-secret', `${TEST_WEBHOOK_SECRET}x`, '', null]) {
      const response = await harness.post(startUpdate(700_000_001, user), secret);
      expect(response.status).toBe(403);
    }
    expect(await count('processed_update')).toBe(before.updates);
    expect(await count('resident')).toBe(before.residents);
    expect(harness.fake.calls.length).toBe(before.calls);
  });

  it('answers 400 to a body that is not an update, without touching the database', async () => {
    const before = await count('processed_update');
    for (const body of ['not json', JSON.stringify({ message: {} }), JSON.stringify({ update_id: 'x' })]) {
      const response = await fetch(`${harness.url}/webhooks/telegram`, { method: 'POST', headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': TEST_WEBHOOK_SECRET }, body });
      expect(response.status).toBe(400);
    }
    expect(await count('processed_update')).toBe(before);
  });

  it('refuses a body over 1 MB with 413 before reading it, by its length or as it streams; a chunked update within it is handled', async () => {
    const before = await count('processed_update');
    const user = newUser();
    const huge = JSON.stringify(startUpdate(700_000_050, user, `/start ${'x'.repeat(1024 * 1024)}`));
    const stream = (body: string) => new Blob([body]).stream();
    const headers = { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': TEST_WEBHOOK_SECRET };
    for (const body of [huge, stream(huge)]) {
      const response = await fetch(`${harness.url}/webhooks/telegram`, { method: 'POST', headers, body, duplex: 'half' } as RequestInit);
      expect(response.status).toBe(413);
    }
    expect(await count('processed_update')).toBe(before);
    // Chunked (no Content-Length): counted as it streams, then handled as any update.
    const response = await fetch(`${harness.url}/webhooks/telegram`, { method: 'POST', headers, body: stream(JSON.stringify(startUpdate(700_000_051, user))), duplex: 'half' } as RequestInit);
    expect(response.status).toBe(200);
    expect(await count('processed_update')).toBe(before + 1);
    await harness.fake.waitFor(() => harness.fake.textsTo(user.id).length > 0);
    expect(harness.fake.textsTo(user.id)[0]).toContain('Выберите язык');
  });

  it('a handler error rolls back, is recorded as processed once, answers 200 and apologises; a retry is not handled again', async () => {
    const user = newUser();
    const payloadsBefore = await count('start_payload');
    const conversation = new Conversation(harness, user);
    const update = startUpdate(700_000_100, user, '/start boom_1');
    expect(await conversation.send(update)).toBe(200);
    expect(conversation.replyTexts).toEqual([t('ru', 'errors.unexpected')]);
    // Rolled back: no payload, no resident; recorded as processed so Telegram's retry is a no-op.
    expect(await count('start_payload')).toBe(payloadsBefore);
    expect(await db.db.selectFrom('resident_identity').select('id').where('external_id', '=', String(user.id)).execute()).toEqual([]);
    expect(await db.db.selectFrom('processed_update').select('update_id').where('update_id', '=', '700000100').execute()).toHaveLength(1);
    expect(await conversation.send(update)).toBe(200);
    expect(conversation.replies).toEqual([]);
  });

  it('a re-delivered update changes nothing: no reply, and not even the resident\'s last-seen time (the touch sent with the lock is rolled back)', async () => {
    const user = newUser();
    const conversation = new Conversation(harness, user);
    const update = startUpdate(700_000_150, user);
    expect(await conversation.send(update)).toBe(200);
    expect(conversation.replyTexts[0]).toContain('Выберите язык');
    const seen = () => db.db.selectFrom('resident_identity').select('last_seen_at').where('channel', '=', 'tg').where('external_id', '=', String(user.id)).executeTakeFirstOrThrow();
    const state = () => db.db.selectFrom('dialog_state').select(['flow', 'step', 'version', 'updated_at']).where('channel', '=', 'tg').where('external_id', '=', String(user.id)).executeTakeFirstOrThrow();
    const before = { seen: await seen(), state: await state() };
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await conversation.send(update)).toBe(200);
    expect(conversation.replies).toEqual([]);
    expect({ seen: await seen(), state: await state() }).toEqual(before);
  });

  it('answers a button press in the webhook response (Telegram makes that call), not through the outbox', async () => {
    const user = newUser();
    const chat = { id: user.id, type: 'private', first_name: user.first_name };
    const press = (updateId: number, queryId: string, inChat: object) => ({
      update_id: updateId,
      callback_query: { id: queryId, from: user, chat_instance: '1', data: '!m:help', message: { message_id: 9, date: 1764000000, chat: inChat, text: 'меню' } },
    });
    const post = (update: object) =>
      fetch(`${harness.url}/webhooks/telegram`, { method: 'POST', headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': TEST_WEBHOOK_SECRET }, body: JSON.stringify(update) });
    const outboxAnswers = async () =>
      (await db.db.selectFrom('outbox').select('payload').where('chat_id', '=', String(user.id)).execute()).filter((row) => (row.payload as { answer?: unknown }).answer !== undefined);

    const handled = await post(press(700_000_160, 'press-160', chat));
    expect(handled.status).toBe(200);
    expect(await handled.json()).toEqual({ method: 'answerCallbackQuery', callback_query_id: 'press-160' });
    await harness.repliesSent();
    expect(harness.fake.textsTo(user.id).length + harness.fake.callsOf('editMessageText', user.id).length).toBeGreaterThan(0);
    expect(harness.fake.callsOf('answerCallbackQuery').filter((c) => c.params.callback_query_id === 'press-160')).toEqual([]);
    expect(await outboxAnswers()).toEqual([]);

    // A press the bot does not act on (in a group) still gets its answer, and writes no outbox row.
    const group = { id: -100_777, type: 'supergroup', title: 'Двор' };
    const ignored = await post(press(700_000_161, 'press-161', group));
    expect(await ignored.json()).toEqual({ method: 'answerCallbackQuery', callback_query_id: 'press-161' });
    expect(await db.db.selectFrom('outbox').select('id').where('chat_id', '=', String(group.id)).execute()).toEqual([]);

    // A re-delivery is acknowledged without effect, the answer included; a plain message is answered with ok.
    const again = await post(press(700_000_160, 'press-160', chat));
    expect(await again.json()).toEqual({ ok: true });
    expect(await (await post(startUpdate(700_000_162, user))).json()).toEqual({ ok: true });
  });

  it('keeps /start payloads (deep links) and goes on with registration', async () => {
    const user = newUser();
    const conversation = new Conversation(harness, user);
    await conversation.send(startUpdate(700_000_200, user, '/start qr_kemerovo_park'));
    expect(conversation.replyTexts[0]).toContain('Выберите язык');
    const rows = await db.db.selectFrom('start_payload').selectAll().where('external_id', '=', String(user.id)).execute();
    expect(rows.map((r) => [r.channel, r.payload])).toEqual([['tg', 'qr_kemerovo_park']]);
  });

  it('a resident who blocked the bot is marked unreachable and nothing crashes', async () => {
    const user = newUser();
    const conversation = new Conversation(harness, user);
    await conversation.play(loadFixture(fixturePath('registration.json')).updates);
    harness.fake.block(user.id);
    expect(await conversation.send(text('/help'))).toBe(200);
    const identity = await db.db.selectFrom('resident_identity').selectAll().where('external_id', '=', String(user.id)).executeTakeFirstOrThrow();
    expect(identity.unreachable_at).not.toBeNull();
    expect(harness.fake.rejected.some((c) => String(c.params.chat_id) === String(user.id))).toBe(true);
    // The app keeps serving others.
    const other = new Conversation(harness, newUser());
    await other.send(text('/start'));
    expect(other.replyTexts[0]).toContain('Выберите язык');
  });

  it('a my_chat_member "kicked" update marks the identity unreachable', async () => {
    const user = newUser();
    const conversation = new Conversation(harness, user);
    await conversation.send(text('/start'));
    await harness.post({
      update_id: 700_000_300,
      my_chat_member: {
        chat: { id: user.id, type: 'private', first_name: user.first_name },
        from: user,
        date: 1764000000,
        old_chat_member: { status: 'member', user: { id: 7000000001, is_bot: true, first_name: 'Otklik' } },
        new_chat_member: { status: 'kicked', user: { id: 7000000001, is_bot: true, first_name: 'Otklik' }, until_date: 0 },
      },
    });
    const identity = await db.db.selectFrom('resident_identity').selectAll().where('external_id', '=', String(user.id)).executeTakeFirstOrThrow();
    expect(identity.unreachable_at).not.toBeNull();
  });

  it('in a group answers only /start, with a hint to write privately, and stores no resident', async () => {
    const user = newUser();
    const group = { id: -1001234567890, type: 'supergroup', title: 'Двор на Весенней' };
    const residents = await count('resident');
    const before = harness.fake.calls.length;
    await harness.post({ update_id: 700_000_400, message: { message_id: 5, date: 1764000000, from: user, chat: group, text: '/start@otklik_test_bot', entities: [{ type: 'bot_command', offset: 0, length: 22 }] } });
    await harness.post({ update_id: 700_000_401, message: { message_id: 6, date: 1764000000, from: user, chat: group, text: 'всем привет' } });
    await harness.post({ update_id: 700_000_402, message: { message_id: 7, date: 1764000000, from: user, chat: group, text: '/start@other_bot', entities: [{ type: 'bot_command', offset: 0, length: 16 }] } });
    const calls = harness.fake.calls.slice(before);
    expect(calls.map((c) => [c.method, String(c.params.chat_id), c.params.text])).toEqual([['sendMessage', String(group.id), t('ru', 'dialog.group_only_private')]]);
    expect(await count('resident')).toBe(residents);
  });
});

describe('startup', () => {
  it('publishes the command menu of the registered features, Russian by default and English for English clients', () => {
    const published = harness.fake.callsOf('setMyCommands');
    expect(published.map((c) => c.params.language_code ?? 'default')).toEqual(['default', 'en']);
    const ru = published[0]!.params.commands as { command: string; description: string }[];
    expect(ru[0]).toEqual({ command: 'start', description: t('ru', 'commands.start') });
    expect(ru.map((c) => c.command)).toEqual(['start', 'new', 'my', 'privacy', 'mydata', 'link', 'notify', 'settings', 'menu', 'language', 'help', 'cancel', 'news', 'events', 'polls', 'ask', 'contests', 'nearby']);
    expect((published[1]!.params.commands as { description: string }[])[1]!.description).toBe(t('en', 'commands.new'));
  });

  it('webhook mode refuses to start without a secret', async () => {
    const config = loadConfig({ TELEGRAM_BOT_TOKEN: '1:x', TELEGRAM_MODE: 'webhook', LOG_LEVEL: 'silent' });
    await expect(buildApp({ config, logger: createLogger('silent'), database: db })).rejects.toThrow(/TELEGRAM_WEBHOOK_SECRET is required/);
  });

  it('has no webhook route when Telegram is off', async () => {
    const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), logger: createLogger('silent'), database: db });
    const response = await app.http.request('/webhooks/telegram', { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    await app.stop();
  });
});
