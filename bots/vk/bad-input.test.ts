import { beforeEach, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../test/database.ts';
import { BotHarness, botHarnessPerFile, helpText } from '../../test/telegram/harness.ts';
import { KEMEROVO, MOSCOW } from '../../test/telegram/updates.ts';
import { loadVkFixture, newVkUser, VkConversation, vkFixturePath, type VkUser } from '../../test/vk/conversation.ts';
import { createTranslator } from '../i18n.ts';
import { VK_LIMITS } from './render.ts';

let db: TestDatabase;
let harness: BotHarness;
let user: VkUser;
let bot: VkConversation;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});
beforeEach(() => {
  user = newVkUser();
  bot = new VkConversation(harness, user);
});

const text = (value: string) => ({ type: 'message_new', object: { message: { text: value } } });
const press = (label: string) => ({ type: 'message_event', object: { payload: `$press:${label}` } });
const tap = (id: string) => ({ type: 'message_event', object: { payload: { b: id } } });
const attachment = (type: string, body: Record<string, unknown>) => ({ type: 'message_new', object: { message: { attachments: [{ type, [type]: body }] } } });
const geo = (latitude: number, longitude: number) => ({ type: 'message_new', object: { message: { geo: { type: 'point', coordinates: { latitude, longitude } } } } });
const registered = async () => {
  await bot.play(loadVkFixture(vkFixturePath('registration.json')).updates);
  return bot;
};
const stateOf = async (id: number) => db.db.selectFrom('dialog_state').select(['flow', 'step']).where('channel', '=', 'vk').where('external_id', '=', String(id)).executeTakeFirstOrThrow();
const toText = [text('/new'), press('Дороги'), press('Ямы на дороге')];

describe('VK: bad input gets a clear answer and changes nothing', () => {
  it('a sticker, a voice message or a document where text is expected', async () => {
    await (await registered()).play(toText);
    await bot.send(attachment('sticker', { product_id: 1, sticker_id: 9 }));
    expect(bot.replyTexts[0]).toBe(t('ru', 'filing.send_text'));
    await bot.send(attachment('audio_message', { id: 1, owner_id: user.id, duration: 3 }));
    expect(bot.replyTexts[0]).toBe(t('ru', 'filing.send_text'));
    await bot.send(attachment('doc', { id: 1, owner_id: user.id, title: 'жалоба.pdf' }));
    expect(bot.replyTexts[0]).toBe(t('ru', 'filing.send_text'));
    expect(await stateOf(user.id)).toEqual({ flow: 'filing', step: 'text' });
  });

  it('a 10,000-character text is refused with the limit', async () => {
    await (await registered()).play(toText);
    await bot.send(text('я'.repeat(10_000)));
    expect(bot.replyTexts[0]).toBe(t('ru', 'errors.TEXT_TOO_LONG', { max: 4000, length: 10_000 }));
    expect(await stateOf(user.id)).toEqual({ flow: 'filing', step: 'text' });
  });

  it('a location at 0,0 or outside every municipality gets a retry with the location button again', async () => {
    await (await registered()).play([...toText, text('Яма.')]);
    await bot.send(geo(0, 0));
    expect(bot.replyTexts[0]).toBe(t('ru', 'errors.INVALID_POINT'));
    await bot.send(geo(MOSCOW.lat, MOSCOW.lon));
    expect(bot.replyTexts[0]).toBe(t('ru', 'errors.OUTSIDE_MUNICIPALITY'));
    const retry = JSON.parse(bot.replies.at(-1)!.params.keyboard!) as { buttons: { action: { type: string } }[][] };
    expect(retry.buttons[0]![0]!.action.type).toBe('location');
    expect(await stateOf(user.id)).toEqual({ flow: 'filing', step: 'location' });
    await bot.send(text('ул. Весенняя, 12'));
    expect(bot.replyTexts[0]).toBe(t('ru', 'filing.send_location_hint'));
  });

  it('a tap on a keyboard from an earlier step is "out of date", not applied; every keyboard is within VK limits', async () => {
    await (await registered()).play([text('/new'), press('Дороги')]);
    const oldCategory = bot.findButton('Ямы на дороге');
    await bot.play([press('Ямы на дороге'), text('Яма у школы.')]);
    await bot.send(tap((JSON.parse(oldCategory.payload) as { b: string }).b));
    expect(bot.replyTexts[0]).toBe(t('ru', 'dialog.outdated'));
    expect(bot.replyTexts[1]).toBe(t('ru', 'filing.location'));
    expect(await stateOf(user.id)).toEqual({ flow: 'filing', step: 'location' });
    await bot.send(tap('zz:garbage'));
    expect(bot.replyTexts[0]).toBe(t('ru', 'dialog.outdated'));
    const keyboards = harness.vkFake.calls.filter((c) => c.params.keyboard).map((c) => JSON.parse(c.params.keyboard!) as { inline?: boolean; buttons: { action: { label?: string; payload?: string } }[][] });
    expect(keyboards.length).toBeGreaterThan(10);
    for (const k of keyboards) {
      const limits = k.inline ? VK_LIMITS.inline : VK_LIMITS.regular;
      expect(k.buttons.length).toBeLessThanOrEqual(limits.rows);
      expect(k.buttons.flat().length).toBeLessThanOrEqual(limits.total);
      for (const row of k.buttons) expect(row.length).toBeLessThanOrEqual(limits.perRow);
      for (const b of k.buttons.flat()) {
        expect((b.action.payload ?? '').length).toBeLessThanOrEqual(VK_LIMITS.payload);
        expect([...(b.action.label ?? '')].length).toBeLessThanOrEqual(VK_LIMITS.label);
      }
    }
  });

  it('a forwarded message and a shared wall post get the forwarded answer', async () => {
    await (await registered()).play(toText);
    await bot.send({ type: 'message_new', object: { message: { text: '', fwd_messages: [{ from_id: 1, text: 'чужой текст', date: 1764000000 }] } } });
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.forwarded_not_accepted')]);
    await bot.send(attachment('wall', { id: 5, owner_id: -1, text: 'пост' }));
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.forwarded_not_accepted')]);
    expect(await stateOf(user.id)).toEqual({ flow: 'filing', step: 'text' });
  });

  it('an unregistered resident cannot file', async () => {
    await bot.send(text('/new'));
    expect(bot.replyTexts).toEqual([t('ru', 'errors.CONSENT_REQUIRED')]);
    await bot.send(tap('!m:file'));
    expect(bot.replyTexts).toEqual([t('ru', 'errors.CONSENT_REQUIRED')]);
    await bot.send(text('Просто текст'));
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.start_hint')]);
  });

  it('the phone step offers only Skip in VK (no share-phone button exists there)', async () => {
    await bot.play([text('/start'), press('Русский'), press('Понятно, дальше'), press('✅ Согласен(на)')]);
    const keyboards = bot.replies.filter((c) => c.params.keyboard).map((c) => JSON.parse(c.params.keyboard!) as { buttons: { action: { type: string; label?: string } }[][] });
    expect(keyboards.flatMap((k) => k.buttons.flat().map((b) => b.action.label))).toEqual([t('ru', 'reg.skip')]);
    await bot.send(text('+79001234567'));
    expect(bot.replyTexts[0]).toBe(t('ru', 'reg.phone_wrong_input'));
    await bot.send(press('Пропустить'));
    expect(bot.replyTexts[0]).toBe(t('ru', 'reg.municipality'));
  });

  it('unknown input and unknown commands get a short hint, never silence', async () => {
    await registered();
    await bot.send(text('привет'));
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.hint'), t('ru', 'menu.main')]);
    await bot.send(text('/foo'));
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.unknown_command')]);
    await bot.send(attachment('sticker', { sticker_id: 1 }));
    expect(bot.replyTexts[0]).toBe(t('ru', 'dialog.hint_not_supported'));
  });
});

describe('VK: commands anywhere', () => {
  it('/cancel mid-filing drops the draft and shows the menu', async () => {
    await (await registered()).play([...toText, text('Яма.'), geo(KEMEROVO.lat, KEMEROVO.lon)]);
    await bot.send(text('/cancel'));
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.cancelled'), t('ru', 'menu.main')]);
    expect(await stateOf(user.id)).toEqual({ flow: 'idle', step: 'idle' });
  });

  it('/language switches mid-flow and the current step is shown again in the new language', async () => {
    await (await registered()).play(toText);
    await bot.send(text('/language'));
    await bot.send(press('English'));
    expect(bot.replyTexts).toEqual([t('en', 'dialog.language_set'), t('en', 'filing.text', { max: 4000 })]);
    await bot.send(text('/help'));
    expect(bot.replyTexts).toEqual([helpText(t, 'en')]);
  });
});
