import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { createLogger } from '../../logger.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { FakeTelegramApi } from '../../test/fakes/telegram-api.ts';
import { failedRecordAttempts, failUpdateRecords } from '../../test/db-faults.ts';
import { eventually } from '../../test/outbox.ts';
import { helpText, TEST_BOT_INFO, TEST_BOT_TOKEN } from '../../test/bots/harness.ts';
import { createTranslator } from '../i18n.ts';

let db: TestDatabase;
let fake: FakeTelegramApi;
let app: App;
const t = createTranslator();
beforeAll(async () => {
  db = await createTestDatabase();
  fake = await new FakeTelegramApi().start();
  app = await startPollingApp();
});

async function startPollingApp(): Promise<App> {
  const config = loadConfig({ TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN, TELEGRAM_MODE: 'polling', TELEGRAM_API_ROOT: fake.url, LOG_LEVEL: 'silent' });
  const started = await buildApp({ config, logger: createLogger('silent'), database: db, telegramBotInfo: TEST_BOT_INFO });
  await started.start();
  return started;
}
afterAll(async () => {
  await app?.stop();
  await fake?.stop();
  await db?.close();
});

describe('TELEGRAM_MODE=polling', () => {
  it('runs long-polled updates through the same pipeline and dedupe, with no webhook route', async () => {
    const user = { id: 6200000000001, is_bot: false, first_name: 'Лена', language_code: 'ru' };
    const start = { update_id: 42, message: { message_id: 1, date: 1764000000, from: user, chat: { id: user.id, type: 'private', first_name: 'Лена' }, text: '/start', entities: [{ type: 'bot_command', offset: 0, length: 6 }] } };
    fake.queueUpdates(start);
    await fake.waitFor(() => fake.callsOf('sendMessage', user.id).length === 1);
    expect(fake.textsTo(user.id)[0]).toBe(t('ru', 'reg.choose_language'));
    // The same update id again (e.g. after a crash before Telegram saw the offset): not handled twice.
    fake.queueUpdates({ ...start, update_id: 42 }, { ...start, update_id: 43, message: { ...start.message, message_id: 2, text: '/help', entities: [{ type: 'bot_command', offset: 0, length: 5 }] } });
    await fake.waitFor(() => fake.callsOf('sendMessage', user.id).length === 2);
    expect(fake.textsTo(user.id)).toEqual([t('ru', 'reg.choose_language'), helpText(t, 'ru')]);
    expect(fake.callsOf('deleteWebhook')).toHaveLength(1);
    expect((await app.http.request('/webhooks/telegram', { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('a button press is answered by the outbox (polling has no webhook response to carry the answer)', async () => {
    const user = { id: 6200000000003, is_bot: false, first_name: 'Рита', language_code: 'ru' };
    const chat = { id: user.id, type: 'private', first_name: 'Рита' };
    fake.queueUpdates({ update_id: 50, callback_query: { id: 'press-50', from: user, chat_instance: '1', data: '!m:help', message: { message_id: 7, date: 1764000000, chat, text: 'меню' } } });
    await fake.waitFor(() => fake.callsOf('answerCallbackQuery').some((c) => c.params.callback_query_id === 'press-50'));
    await fake.waitFor(() => fake.callsOf('sendMessage', user.id).length + fake.callsOf('editMessageText', user.id).length > 0);
  });

  it('an update that cannot be recorded is tried again and never confirmed, not even by a stop; once the database is back it is handled once', async () => {
    const user = { id: 6200000000002, is_bot: false, first_name: 'Оля', language_code: 'ru' };
    const update = { update_id: 60, message: { message_id: 1, date: 1764000000, from: user, chat: { id: user.id, type: 'private', first_name: 'Оля' }, text: '/start', entities: [{ type: 'bot_command', offset: 0, length: 6 }] } };
    const confirmedPast = (updateId: number) => fake.callsOf('getUpdates').some((c) => Number(c.params.offset ?? 0) > updateId);
    const restore = await failUpdateRecords(db.db);
    try {
      fake.queueUpdates(update);
      // Two tries (each: the handling, then the poison record) with a backoff pause between them.
      await eventually(async () => (await failedRecordAttempts(db.db)) >= 4, 10_000, 'a second try of the unrecorded update');
      expect(confirmedPast(60)).toBe(false);
      await app.stop();
      expect(confirmedPast(60)).toBe(false);
      expect(fake.textsTo(user.id)).toEqual([]);
    } finally {
      await restore();
    }
    app = await startPollingApp();
    await fake.waitFor(() => fake.textsTo(user.id).length === 1);
    expect(fake.textsTo(user.id)).toEqual([t('ru', 'reg.choose_language')]);
    await eventually(async () => confirmedPast(60), 10_000, 'the offset to move past the recorded update');
    expect(await db.db.selectFrom('processed_update').select('update_id').where('channel', '=', 'tg').where('update_id', '=', '60').execute()).toHaveLength(1);
  });
});
