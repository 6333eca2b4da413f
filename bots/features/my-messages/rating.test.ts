import { describe, expect, it } from 'vitest';
import { dialogStateOf, newChat, residentOf, type Chat } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { CHANNELS, photos, photosWithText, press } from '../../../test/bots/player.ts';
import type { TestDatabase } from '../../../test/database.ts';
import { createTranslator } from '../../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

/** A resident whose message was answered finally; the answer's notification (with its stars) delivered. */
async function answered(chat: Chat): Promise<void> {
  await chat.playFixture('registration.json');
  await chat.playFixture('file-message.json');
  await chat.play([{ $staff: 'accept' }, { $staff: 'final_solved', text: 'Яма заделана.' }, { $deliver_outbox: true }]);
  expect(chat.replyTexts.join('\n')).toContain('Оцените');
}

const mainMenuShown = (chat: Chat) => chat.replyTexts.includes(t('ru', 'menu.main'));

describe.each(CHANNELS)('%s: ratings and refusals answer briefly, without sending the menu again', (channel) => {
  it('a 5 ★ tap: one short thanks, no main menu', async () => {
    const chat = newChat(harness, channel);
    await answered(chat);
    await chat.say(press('5 ★'));
    expect(chat.replyTexts).toEqual([t('ru', 'my.rated', { stars: 5 })]);
    expect(mainMenuShown(chat)).toBe(false);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
  });

  it('a second tap on the stars (a double tap, an old notification) says the rating given, once, no main menu', async () => {
    const chat = newChat(harness, channel);
    await answered(chat);
    await chat.say(press('5 ★'));
    await chat.say(press('5 ★'));
    expect(chat.replyTexts).toEqual([t('ru', 'my.already_rated', { stars: 5 })]);
    expect(chat.replyTexts[0]).toBe('Вы уже оценили это сообщение: 5 ★.');
    expect(mainMenuShown(chat)).toBe(false);
    await chat.say(press('1 ★'));
    expect(chat.replyTexts).toEqual([t('ru', 'my.already_rated', { stars: 5 })]);
    const rating = await db.db
      .selectFrom('rating')
      .select(['stars', 'flagged'])
      .where('resident_id', '=', await residentOf(db, chat))
      .executeTakeFirstOrThrow();
    expect(rating).toEqual({ stars: 5, flagged: false });
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
  });

  it('a 2 ★ tap asks what is wrong; Skip turns that question into a thanks in place, no menu', async () => {
    const chat = newChat(harness, channel);
    await answered(chat);
    await chat.say(press('2 ★'));
    expect(chat.replyTexts[0]).toBe(t('ru', 'my.rated_low', { stars: 2 }));
    expect(mainMenuShown(chat)).toBe(false);
    await chat.say(press(t('ru', 'reg.skip')));
    expect(chat.replyTexts).toEqual([t('ru', 'my.thanks')]);
    expect(chat.replyKinds()).toEqual(['edit']);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
  });

  it('a written complaint is thanked once, no menu', async () => {
    const chat = newChat(harness, channel);
    await answered(chat);
    await chat.say(press('1 ★'), 'Яма снова появилась.');
    expect(chat.replyTexts).toHaveLength(1);
    expect(chat.replyTexts[0]).toContain('передали ваш отзыв');
    expect(mainMenuShown(chat)).toBe(false);
    // The curators do get it: an alert with the text, as the low rating itself.
    const complaint = await db.db.selectFrom('staff_alert').select(['params']).where('kind', '=', 'alert.rating_complaint').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(complaint.params).toMatchObject({ stars: 1, text: 'Яма снова появилась.' });
    expect(t('ru', 'alert.rating_complaint', complaint.params)).toContain('Яма снова появилась.');
  });

  it('a complaint sent as a photo with its text (Telegram: a caption; VK: a text with a photo) takes the text and says the photo was not taken', async () => {
    const chat = newChat(harness, channel);
    await answered(chat);
    await chat.say(press('1 ★'));
    const complaint = 'Яма осталась, вот фото.';
    await chat.say(photosWithText(complaint, '457239018'));
    const rating = await db.db
      .selectFrom('rating')
      .select(['message_id', 'stars', 'complaint'])
      .where('resident_id', '=', await residentOf(db, chat))
      .executeTakeFirstOrThrow();
    expect(chat.replyTexts).toEqual([t('ru', 'my.complaint_saved', { messageId: rating.message_id }), t('ru', 'dialog.attachments_not_taken')]);
    expect(chat.replyTexts).not.toContain(t('ru', 'filing.send_text'));
    expect(rating).toMatchObject({ stars: 1, complaint });
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
  });

  it('a photo alone where the complaint or a comment is written is told that a photo is not taken there, not only stickers and files', async () => {
    const chat = newChat(harness, channel);
    await answered(chat);
    await chat.say(press('1 ★'));
    await chat.say(photos('457239019'));
    expect(chat.replyTexts[0]).toBe(t('ru', 'dialog.send_text_only'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'messages', step: 'complaint' });
    await chat.say(press(t('ru', 'reg.skip')), '/my', press('№'), press(t('ru', 'my.add_comment')));
    await chat.say(photos('457239020'));
    expect(chat.replyTexts[0]).toBe(t('ru', 'dialog.send_text_only'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'messages', step: 'comment' });
  });

  it('the card shows the resident what they wrote after a low rating, with the rating', async () => {
    const chat = newChat(harness, channel);
    await answered(chat);
    await chat.say(press('2 ★'), 'Яму засыпали щебнем, она снова появилась.');
    await chat.say('/my', press('№'));
    const card = chat.replyTexts.at(-1)!;
    expect(card).toContain(t('ru', 'my.h_rated_complaint', { stars: 2, complaint: 'Яму засыпали щебнем, она снова появилась.' }));
    expect(card).toContain('Ваша оценка: 2 ★. Что не так: Яму засыпали щебнем, она снова появилась.');
  });

  it('a neighbour who opens the author\'s published card sees no "your rating" and not what the author wrote', async () => {
    const chat = newChat(harness, channel);
    await answered(chat);
    await chat.play([{ $staff: 'publish' }]);
    await chat.say(press('1 ★'), 'Ничего не сделано, яма на месте.');
    const { message_id: messageId } = await db.db
      .selectFrom('rating')
      .select('message_id')
      .where('resident_id', '=', await residentOf(db, chat))
      .executeTakeFirstOrThrow();
    const neighbour = newChat(harness, channel, 'Пётр');
    await neighbour.playFixture('registration.json');
    await neighbour.say({ tap: `!o:${messageId}` });
    const card = neighbour.replyTexts.at(-1)!;
    expect(card).toContain(`Сообщение №${messageId}`);
    expect(card).not.toContain('Ваша оценка');
    expect(card).not.toContain('Ничего не сделано');
  });

  it('"keep my consent" in /privacy replaces the question in place, no menu', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/privacy', press(t('ru', 'privacy.withdraw')), press(t('ru', 'privacy.withdraw_no')));
    expect(chat.replyTexts).toEqual([t('ru', 'privacy.kept')]);
    expect(chat.replyKinds()).toEqual(['edit']);
  });
});
