import { describe, expect, it } from 'vitest';
import { dialogStateOf, filedMessageOf, newChat } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { CHANNELS, KEMEROVO, location, press } from '../../../test/bots/player.ts';
import type { TestDatabase } from '../../../test/database.ts';
import { createTranslator } from '../../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const DESCRIPTION = 'Во дворе дома по ул. Ленина, 5 не вывозят мусор уже неделю';

describe.each(CHANNELS)('%s: a description typed while the sector or category is chosen', (channel) => {
  const registered = async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    return chat;
  };

  it('is kept for the message: the list stays, and the description is not asked again', async () => {
    const chat = await registered();
    await chat.say('/new', DESCRIPTION);
    expect(chat.replyTexts).toEqual([t('ru', 'filing.text_kept_choose')]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'sector' });
    await chat.say(press('ЖКХ'));
    // A second text at the category step goes on with the first.
    await chat.say('Контейнеры переполнены.');
    expect(chat.replyTexts).toEqual([t('ru', 'filing.text_kept_choose')]);
    await chat.say(press('Благоустройство двора'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'location' });
    await chat.say(location(KEMEROVO.lat, KEMEROVO.lon), press(t('ru', 'filing.skip_photos')));
    expect(chat.replyTexts.at(-1)).toContain(DESCRIPTION);
    await chat.say(press(t('ru', 'filing.send')));
    expect(await filedMessageOf(db, chat)).toEqual({ text: `${DESCRIPTION}\nКонтейнеры переполнены.`, photos: 0 });
  });

  it("a sector's or a category's name typed chooses it; a text of no words still asks for a button", async () => {
    const chat = await registered();
    await chat.say('/new', '😡😡');
    expect(chat.replyTexts).toEqual([t('ru', 'dialog.use_buttons'), t('ru', 'filing.sector')]);
    await chat.say('дороги');
    expect(chat.replyTexts).toEqual([t('ru', 'filing.category')]);
    await chat.say('Ямы на дороге');
    expect(chat.replyTexts).toEqual([t('ru', 'filing.text', { max: 4000 })]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'text' });
  });

  it('changing the category from the summary: a typed text does not touch the description', async () => {
    const chat = await registered();
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма у школы.', location(KEMEROVO.lat, KEMEROVO.lon), press(t('ru', 'filing.skip_photos')));
    await chat.say(press(t('ru', 'filing.edit')), press(t('ru', 'filing.edit_category')));
    await chat.say('Совсем другой текст про двор');
    expect(chat.replyTexts).toEqual([t('ru', 'dialog.use_buttons'), t('ru', 'filing.sector')]);
    await chat.say(press('Дороги'), press('Ямы на дороге'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'summary' });
    await chat.say(press(t('ru', 'filing.send')));
    expect(await filedMessageOf(db, chat)).toEqual({ text: 'Яма у школы.', photos: 0 });
  });
});
