import { beforeAll, describe, expect, it } from 'vitest';
import { fileMessage } from '../../../core/messages/filing.service.ts';
import { acceptMessage, setPublished } from '../../../core/messages/moderation.service.ts';
import { type Chat, dialogStateOf, filedMessageId, newChat, perChannel, residentOf } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { CHANNELS, KEMEROVO, location, press, tap } from '../../../test/bots/player.ts';
import type { TestDatabase } from '../../../test/database.ts';
import { categoryId, demoStaffId, NOVOKUZNETSK_CENTER, registeredResident } from '../../../test/residents.ts';
import { createTranslator } from '../../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

/** Another resident's message at `point`, accepted and published by the moderator unless told otherwise. */
async function neighbourMessage(text: string, point: { lat: number; lon: number }, options: { municipality?: 'Kemerovo' | 'Novokuznetsk'; published?: boolean } = {}): Promise<number> {
  const municipalityId = db.demo.municipalities[options.municipality ?? 'Kemerovo'];
  const now = new Date();
  const author = await registeredResident(db.db, { municipalityId, now });
  const { message } = await fileMessage(db.db, { residentId: author, categoryId: await categoryId(db.db, 'roads.pothole'), text, point, channel: 'tg' }, now);
  const actor = { kind: 'staff' as const, staffId: await demoStaffId(db.db, municipalityId, 'moderator') };
  await acceptMessage(db.db, { messageId: message.id, actor }, now);
  if (options.published !== false) await setPublished(db.db, { messageId: message.id, published: true, actor }, now);
  return message.id;
}

const ids: Record<string, number> = {};
beforeAll(async () => {
  // 40 m from the point the resident shares; 5 km away but still in Kemerovo; unpublished next door; another municipality.
  ids.near = await neighbourMessage('Яма у остановки «Весенняя».', { lat: KEMEROVO.lat + 0.0003, lon: KEMEROVO.lon });
  ids.far = await neighbourMessage('Разбитый тротуар на окраине.', { lat: KEMEROVO.lat + 0.045, lon: KEMEROVO.lon });
  ids.hidden = await neighbourMessage('Неопубликованная яма.', { lat: KEMEROVO.lat, lon: KEMEROVO.lon + 0.0002 }, { published: false });
  ids.elsewhere = await neighbourMessage('Яма в Новокузнецке.', NOVOKUZNETSK_CENTER, { municipality: 'Novokuznetsk' });
});

const listed = (chat: Chat) => chat.replyTexts.join('\n');

describe.each(CHANNELS)('%s: problems near me', (channel) => {
  it('around a shared point: published messages with their status and distance; a card; "Me too" supports it', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/nearby');
    expect(chat.replyTexts[0]).toBe(t('ru', perChannel(channel, { tg: 'nearby.where', vk: 'nearby.where_vk' }), { radius: 1000 }));
    expect(chat.keyboards().some((k) => k.rows.flat().some((b) => b.request === 'location'))).toBe(true);

    await chat.say(location(KEMEROVO.lat, KEMEROVO.lon));
    const list = listed(chat);
    expect(list).toContain(`№${ids.near} — ${t('ru', 'my.status_in_work')}, Ямы на дороге, 33 м`);
    expect(list).toContain('Яма у остановки «Весенняя».');
    for (const hidden of [ids.far, ids.hidden, ids.elsewhere]) expect(list).not.toContain(`№${hidden} `);

    await chat.say(press(`№${ids.near}`));
    expect(chat.replyTexts[0]).toContain(`Сообщение №${ids.near} от `);
    expect(chat.replyTexts[0]).toContain(`Статус: ${t('ru', 'my.status_in_work')}`);
    await chat.say(press(t('ru', 'nearby.me_too')));
    const residentId = await residentOf(db, chat);
    expect(await db.db.selectFrom('support').select('message_id').where('resident_id', '=', residentId).execute()).toEqual([{ message_id: ids.near }]);
    expect(chat.replyTexts[0]).toContain(`Вы поддержали сообщение №${ids.near}`);
    // The card is edited in place: it now says the resident supports it, without the button.
    expect(chat.replyKinds().at(-1)).toBe('edit');
    expect(chat.replyTexts.at(-1)).toContain(t('ru', 'nearby.supporting'));
    expect(chat.keyboards().flatMap((k) => k.rows.flat().map((b) => b.label))).not.toContain(t('ru', 'nearby.me_too'));
  });

  it('from a computer (no location button): typed coordinates or a map link are the point, as when filing; other text gets the hint naming them', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/nearby');
    const hint = perChannel(channel, { tg: 'nearby.where_hint', vk: 'nearby.where_hint_vk' });
    await chat.say('рядом с домом');
    expect(chat.replyTexts[0]).toBe(t('ru', hint));
    expect(chat.replyTexts[0]).toContain('2ГИС');
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'nearby', step: 'where' });

    await chat.say(`${KEMEROVO.lat}, ${KEMEROVO.lon}`);
    expect(listed(chat)).toContain(`№${ids.near} — ${t('ru', 'my.status_in_work')}, Ямы на дороге, 33 м`);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'nearby', step: 'list' });

    // A Yandex Maps link (longitude first), from "Another place".
    await chat.say(press(t('ru', 'nearby.elsewhere')));
    await chat.say(`https://yandex.ru/maps/?ll=${KEMEROVO.lon}%2C${KEMEROVO.lat}&z=17`);
    expect(listed(chat)).toContain(`№${ids.near} — `);
    // A typed point outside every municipality is refused as a shared one is.
    await chat.say(press(t('ru', 'nearby.elsewhere')));
    await chat.say('55.7558, 37.6173');
    expect(chat.replyTexts[0]).toBe(t('ru', 'errors.OUTSIDE_MUNICIPALITY'));
  });

  it("in the resident's municipality: every published message there, none of other municipalities; from the menu entry", async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say(tap('!m:nearby'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'nearby', step: 'where' });
    await chat.say(press(t('ru', 'nearby.in_municipality')));
    const list = listed(chat);
    expect(list).toContain(`№${ids.near} — `);
    expect(list).toContain(`№${ids.far} — `);
    expect(list).not.toContain(`№${ids.hidden} `);
    expect(list).not.toContain(`№${ids.elsewhere} `);
    // An unpublished message's card cannot be opened with a forged button.
    const version = (await db.db.selectFrom('dialog_state').select('version').where('channel', '=', channel).where('external_id', '=', chat.externalId).executeTakeFirstOrThrow()).version;
    await chat.say(tap(`${version.toString(36)}:o:${ids.hidden}`));
    expect(chat.replyTexts[0]).toBe(t('ru', 'errors.MESSAGE_NOT_FOUND'));
  });

  it('the location button is taken away once the place is chosen, whichever way: the municipality, a typed point, a shared one; the list keeps its buttons', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/nearby');
    const regular = chat.keyboards().filter((k) => !k.inline);
    expect(regular.map((k) => k.rows.flat().map((b) => b.request))).toEqual([['location']]);

    // "In my municipality" is an inline button: the messenger leaves the location keyboard up unless
    // a reply takes it away, and the list's message has its own buttons: the engine's line does it.
    await chat.say(press(t('ru', 'nearby.in_municipality')));
    expect(chat.replyTexts[0]).toBe(t('ru', 'dialog.keyboard_gone'));
    const [removal, ...list] = chat.keyboards();
    expect(removal).toEqual({ inline: false, removed: true, rows: [] });
    expect(list.every((k) => k.inline)).toBe(true);
    expect(listed(chat)).toContain(`№${ids.far} — `);
    expect(chat.buttonLabels()).toContain(t('ru', 'menu.back_to_menu'));
    if (chat.channel === 'vk') expect(JSON.parse(chat.replies[0]!.params.keyboard!)).toEqual({ one_time: true, buttons: [] });
    else expect(chat.replies[0]!.params.reply_markup).toEqual({ remove_keyboard: true });

    // A point typed (a map link pasted on the phone) leaves it up as well.
    await chat.say(press(t('ru', 'nearby.elsewhere')));
    expect(chat.keyboards().some((k) => k.rows.flat().some((b) => b.request === 'location'))).toBe(true);
    await chat.say(`${KEMEROVO.lat}, ${KEMEROVO.lon}`);
    expect(chat.replyTexts[0]).toBe(t('ru', 'nearby.place_ok', { municipality: 'Кемеровский городской округ' }));
    expect(chat.keyboards()[0]).toEqual({ inline: false, removed: true, rows: [] });
    expect(listed(chat)).toContain(`№${ids.near} — `);

    // A shared point: the button was used, the same line takes the keyboard away for good.
    await chat.say(press(t('ru', 'nearby.elsewhere')), location(KEMEROVO.lat, KEMEROVO.lon));
    expect(chat.keyboards()[0]).toEqual({ inline: false, removed: true, rows: [] });
    // The list's own buttons now, with no location keyboard to take away again.
    await chat.say(press(`№${ids.near}`));
    expect(chat.keyboards().every((k) => k.inline)).toBe(true);
  });

  it("the fixture plays: the resident's own published message is listed around a point and in the municipality", async () => {
    const chat = newChat(harness, channel, 'Вера');
    await chat.playFixture('nearby.json');
    const own = await filedMessageId(db, chat);
    expect(listed(chat)).toContain(`№${own} — ${t('ru', 'my.status_in_work')}`);
  });

  it('the menu has the entry in row 20 next to "My messages"; an unregistered resident is asked to register', async () => {
    const stranger = newChat(harness, channel);
    await stranger.say('/nearby');
    expect(stranger.replyTexts).toEqual([t('ru', 'errors.CONSENT_REQUIRED')]);
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/menu');
    const rows = chat
      .keyboards()
      .at(-1)!
      .rows.map((row) => row.map((b) => b.id));
    const row = rows.find((r) => r.includes('!m:my'));
    // VK's menu layout (10 buttons at most, a "More…" overflow) is the menu's business; Telegram shows the row as declared.
    if (channel === 'tg') expect(row).toEqual(['!m:my', '!m:nearby']);
    else expect(rows.flat()).toContain('!m:my');
  });
});
