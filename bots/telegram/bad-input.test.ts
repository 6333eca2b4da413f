import { beforeEach, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../test/database.ts';
import { Conversation, fixturePath, loadFixture } from '../../test/telegram/conversation.ts';
import { BotHarness, botHarnessPerFile, helpText } from '../../test/telegram/harness.ts';
import { KEMEROVO, location, MOSCOW, newUser, photo, press, sticker, tap, text } from '../../test/telegram/updates.ts';
import { createTranslator } from '../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

let user: ReturnType<typeof newUser>;
let bot: Conversation;
async function registered(): Promise<Conversation> {
  await bot.play(loadFixture(fixturePath('registration.json')).updates);
  return bot;
}
beforeEach(() => {
  user = newUser();
  bot = new Conversation(harness, user);
});

const stateOf = async (id: number) => db.db.selectFrom('dialog_state').select(['flow', 'step']).where('external_id', '=', String(id)).executeTakeFirstOrThrow();
const messageCount = async () => Number((await db.db.selectFrom('message').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
const toText = [text('/new'), press('Дороги'), press('Ямы на дороге')];

describe('bad input gets a clear answer and changes nothing', () => {
  it('a sticker, a voice message or a document where text is expected', async () => {
    await (await registered()).play(toText);
    await bot.send(sticker());
    expect(bot.replyTexts[0]).toBe(t('ru', 'filing.send_text'));
    await bot.send({ message: { voice: { file_id: 'AwACvoice', file_unique_id: 'AgADvoice', duration: 3 } } });
    expect(bot.replyTexts[0]).toBe(t('ru', 'filing.send_text'));
    await bot.send({ message: { document: { file_id: 'BQACdoc', file_unique_id: 'AgADdoc', file_name: 'жалоба.pdf' } } });
    expect(bot.replyTexts[0]).toBe(t('ru', 'filing.send_text'));
    expect(await stateOf(user.id)).toEqual({ flow: 'filing', step: 'text' });
  });

  it('a 10,000-character text is refused with the limit', async () => {
    await (await registered()).play(toText);
    await bot.send(text('я'.repeat(10_000)));
    expect(bot.replyTexts[0]).toBe(t('ru', 'errors.TEXT_TOO_LONG', { max: 4000, length: 10_000 }));
    expect(await stateOf(user.id)).toEqual({ flow: 'filing', step: 'text' });
    await bot.send(text('   '));
    expect(bot.replyTexts[0]).toBe(t('ru', 'errors.TEXT_EMPTY'));
  });

  it('a location at 0,0 or outside every municipality gets a retry with the location button again', async () => {
    await (await registered()).play([...toText, text('Яма.')]);
    await bot.send(location(0, 0));
    expect(bot.replyTexts[0]).toBe(t('ru', 'errors.INVALID_POINT'));
    await bot.send(location(MOSCOW.lat, MOSCOW.lon));
    expect(bot.replyTexts[0]).toBe(t('ru', 'errors.OUTSIDE_MUNICIPALITY'));
    const retry = bot.replies.at(-1)!.params.reply_markup as { keyboard: { request_location?: boolean }[][] };
    expect(retry.keyboard[0]![0]!.request_location).toBe(true);
    expect(await stateOf(user.id)).toEqual({ flow: 'filing', step: 'location' });
    await bot.send(text('ул. Весенняя, 12'));
    expect(bot.replyTexts[0]).toBe(t('ru', 'filing.send_location_hint'));
  });

  it('a tap on a keyboard from an earlier step is "out of date", not applied', async () => {
    await (await registered()).play([text('/new'), press('Дороги')]);
    const oldCategory = bot.findButton('Ямы на дороге');
    await bot.play([press('Ямы на дороге'), text('Яма у школы.')]);
    await bot.send(tap(oldCategory.data));
    expect(bot.replyTexts[0]).toBe(t('ru', 'dialog.outdated'));
    expect(bot.replyTexts[1]).toBe(t('ru', 'filing.location'));
    expect(await stateOf(user.id)).toEqual({ flow: 'filing', step: 'location' });
    await bot.send(tap('zz:garbage'));
    expect(bot.replyTexts[0]).toBe(t('ru', 'dialog.outdated'));
    // Every button fits Telegram's 64-byte callback_data.
    const all = harness.fake.calls.flatMap((c) => ((c.params.reply_markup as { inline_keyboard?: { callback_data: string }[][] } | undefined)?.inline_keyboard ?? []).flat());
    expect(all.length).toBeGreaterThan(20);
    for (const b of all) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
  });

  it('an edited message and a forwarded message get their own answer', async () => {
    await (await registered()).play(toText);
    await bot.send({ edited_message: { message_id: 77, date: 1764000000, text: 'исправленный текст' } });
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.edited_ignored')]);
    await bot.send({ message: { text: 'чужой текст', forward_origin: { type: 'hidden_user', sender_user_name: 'Кто-то', date: 1764000000 } } });
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.forwarded_not_accepted')]);
    expect(await stateOf(user.id)).toEqual({ flow: 'filing', step: 'text' });
    // A live location moving (edited_message with a location) is ignored on purpose.
    await bot.send({ edited_message: { message_id: 78, date: 1764000000, location: { latitude: 55.36, longitude: 86.09, live_period: 900 } } });
    expect(bot.replies).toEqual([]);
  });

  it('an unregistered resident cannot file', async () => {
    await bot.send(text('/new'));
    expect(bot.replyTexts).toEqual([t('ru', 'errors.CONSENT_REQUIRED')]);
    await bot.send(tap('!m:file'));
    expect(bot.replyTexts).toEqual([t('ru', 'errors.CONSENT_REQUIRED')]);
    await bot.send(text('Просто текст'));
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.start_hint')]);
    expect(await stateOf(user.id)).toEqual({ flow: 'idle', step: 'idle' });
  });

  it('only the sender\'s own contact is accepted as a phone', async () => {
    await bot.play([text('/start'), press('Русский'), press('Понятно, дальше'), press('✅ Согласен(на)')]);
    await bot.send({ message: { contact: { phone_number: '+79990000000', first_name: 'Сосед', user_id: 42 } } });
    expect(bot.replyTexts[0]).toBe(t('ru', 'reg.contact_not_own'));
    await bot.send({ message: { contact: { phone_number: '+79990000001', first_name: 'Без id' } } });
    expect(bot.replyTexts[0]).toBe(t('ru', 'reg.contact_not_own'));
    const resident = await db.db.selectFrom('resident').innerJoin('resident_identity', 'resident_identity.resident_id', 'resident.id').select('phone').where('external_id', '=', String(user.id)).executeTakeFirstOrThrow();
    expect(resident.phone).toBeNull();
    await bot.send(press('Пропустить'));
    expect(bot.replyTexts[0]).toBe(t('ru', 'reg.municipality'));
  });

  it('unknown input and unknown commands get a short hint, never silence', async () => {
    await registered();
    await bot.send(text('привет'));
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.hint'), t('ru', 'menu.main')]);
    await bot.send(text('/foo'));
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.unknown_command')]);
    await bot.send(photo('lonely'));
    expect(bot.replyTexts[0]).toBe(t('ru', 'dialog.hint'));
    await bot.send(sticker());
    expect(bot.replyTexts[0]).toBe(t('ru', 'dialog.hint_not_supported'));
  });
});

describe('commands anywhere', () => {
  it('/cancel mid-filing drops the draft and shows the menu', async () => {
    const before = await messageCount();
    await (await registered()).play([...toText, text('Яма.'), location(KEMEROVO.lat, KEMEROVO.lon)]);
    await bot.send(text('/cancel'));
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.cancelled'), t('ru', 'menu.main')]);
    expect(await stateOf(user.id)).toEqual({ flow: 'idle', step: 'idle' });
    expect(await messageCount()).toBe(before);
    await bot.send(text('/cancel'));
    expect(bot.replyTexts[0]).toBe(t('ru', 'dialog.nothing_to_cancel'));
  });

  it('/language switches mid-flow and the current step is shown again in the new language', async () => {
    await (await registered()).play(toText);
    await bot.send(text('/language'));
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.choose_language')]);
    await bot.send(press('English'));
    expect(bot.replyTexts).toEqual([t('en', 'dialog.language_set'), t('en', 'filing.text', { max: 4000 })]);
    expect(await stateOf(user.id)).toEqual({ flow: 'filing', step: 'text' });
    const resident = await db.db.selectFrom('resident').innerJoin('resident_identity', 'resident_identity.resident_id', 'resident.id').select('language').where('external_id', '=', String(user.id)).executeTakeFirstOrThrow();
    expect(resident.language).toBe('en');
    await bot.send(text('/help'));
    expect(bot.replyTexts).toEqual([helpText(t, 'en')]);
  });
});
