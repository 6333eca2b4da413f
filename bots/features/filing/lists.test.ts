import { describe, expect, it } from 'vitest';
import { dialogStateOf, newChat, perChannel, type Chat } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { CHANNELS, press } from '../../../test/bots/player.ts';
import type { TestDatabase } from '../../../test/database.ts';
import { createTranslator } from '../../i18n.ts';
import { VK_LIMITS } from '../../vk/render.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const next = t('ru', 'dialog.page_next');

/** The list is one message with one keyboard within the messenger's limits; its item labels (pager and `extra` left out). */
function onePage(chat: Chat, extra: string[]): string[] {
  expect(chat.replyTexts.filter((text) => text === '⋯')).toEqual([]);
  const inline = chat.keyboards().filter((k) => k.inline);
  expect(inline).toHaveLength(1);
  const rows = inline[0]!.rows;
  if (chat.channel === 'vk') {
    expect(rows.length).toBeLessThanOrEqual(VK_LIMITS.inline.rows);
    expect(rows.flat().length).toBeLessThanOrEqual(VK_LIMITS.inline.total);
  }
  const pager = /^(‹ Назад|Вперёд ›|\d+ из \d+)$/;
  return rows
    .flat()
    .map((b) => b.label)
    .filter((label) => !pager.test(label) && !extra.includes(label));
}

/** Pages through a list with "Вперёд ›", collecting every item label. */
async function wholeList(chat: Chat, extra: string[]): Promise<string[]> {
  const seen = [...onePage(chat, extra)];
  for (let i = 0; i < 20 && chat.keyboards().some((k) => k.rows.flat().some((b) => b.label === next)); i++) {
    await chat.say(press(next));
    // Paging edits the list in place (one message), never sends the rest as "⋯".
    expect(chat.replyKinds()).toEqual(['edit']);
    seen.push(...onePage(chat, extra));
  }
  return seen;
}

describe.each(CHANNELS)('%s: lists fit one message, the rest behind paging', (channel) => {
  it('sectors, categories and municipalities: every item reachable, each page one message within the limits', async () => {
    const chat = newChat(harness, channel);
    await chat.say('/start', press('Русский'), press('Понятно, дальше'), press('✅ Согласен(на)'), press('Пропустить'));
    const municipalities = await db.db.selectFrom('municipality').select('name_ru').execute();
    const shownMunicipalities = await wholeList(chat, []);
    expect(shownMunicipalities.sort()).toEqual(municipalities.map((m) => m.name_ru).sort());
    await chat.say(press('Кемеровский городской округ'));

    await chat.say('/new');
    const sectors = await db.db.selectFrom('sector').select('title_ru').execute();
    const cancel = t('ru', 'dialog.cancel');
    const shownSectors = await wholeList(chat, [cancel]);
    expect(shownSectors.sort()).toEqual(sectors.map((s) => s.title_ru).sort());
    // VK: 6 rows and 10 buttons → 6 sectors a page next to the pager and Cancel; Telegram 8.
    expect(shownSectors.length).toBe(sectors.length);

    // The sector with the most categories.
    const counts = await db.db
      .selectFrom('category')
      .innerJoin('sector', 'sector.id', 'category.sector_id')
      .select(['sector.title_ru', (eb) => eb.fn.countAll<number>().as('n')])
      .where('category.active', '=', true)
      .groupBy('sector.title_ru')
      .orderBy('n', 'desc')
      .execute();
    const biggest = counts[0]!;
    await chat.say('/cancel', '/new');
    while (!chat.keyboards().some((k) => k.rows.flat().some((b) => b.label === biggest.title_ru))) await chat.say(press(next));
    await chat.say(press(biggest.title_ru));
    const categories = await wholeList(chat, [cancel, t('ru', 'dialog.back')]);
    expect(categories).toHaveLength(Number(biggest.n));
  });

  it('the location prompt and its hint speak of this messenger’s way to send a place', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма у дома 5.');
    expect(chat.replyTexts).toEqual([t('ru', perChannel(channel, { tg: 'filing.location', vk: 'filing.location_vk' }))]);
    // Telegram's attach menu has "📎 → Location"; VK's does not, so its wording never mentions it.
    if (channel === 'vk') expect(chat.replyTexts[0]).not.toContain('📎');
    else expect(chat.replyTexts[0]).toContain('📎');
    await chat.say({ other: 'sticker' });
    expect(chat.replyTexts[0]).toBe(t('ru', perChannel(channel, { tg: 'filing.send_location_hint', vk: 'filing.send_location_hint_vk' })));
    if (channel === 'vk') expect(chat.replyTexts[0]).not.toContain('📎');
    // The location keyboard has no Cancel: the hint says how to leave, and it works.
    expect(chat.replyTexts[0]).toContain('/cancel');
    await chat.say('/cancel');
    expect(chat.replyTexts[0]).toBe(t('ru', 'dialog.cancelled'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
  });
});
