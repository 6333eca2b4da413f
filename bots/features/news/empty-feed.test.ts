import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveNews, createNews, publishNews } from '../../../core/news/news.service.ts';
import { registeredChat } from '../../../test/bots/chats.ts';
import { BotHarness } from '../../../test/bots/harness.ts';
import { CHANNELS, press } from '../../../test/bots/player.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/database.ts';
import { createTranslator } from '../../i18n.ts';

const t = createTranslator();
let db: TestDatabase;
let harness: BotHarness;

/** A count of the news feed (core/news/news.service.ts feedItem reads the count, then the item). */
const countsNews = (node: RootOperationNode) => node.kind === 'SelectQueryNode' && node.offset === undefined && JSON.stringify(node.from ?? {}).includes('"name":"news_item"');

/**
 * Armed, the next time the bot counts the feed, every published item is archived (an editor in the
 * console) before the bot reads on: the feed empties between the bot's reads, as it may at any time.
 */
let armed = false;
const counted = new Set<unknown>();
const archiveMidRead: KyselyPlugin = {
  transformQuery(args) {
    if (armed && countsNews(args.node)) counted.add(args.queryId);
    return args.node;
  },
  async transformResult(args) {
    if (!counted.delete(args.queryId) || !armed) return args.result;
    armed = false;
    const published = await db.db.selectFrom('news_item').select('id').where('state', '=', 'published').execute();
    await db.db.transaction().execute(async (trx) => {
      for (const { id } of published) await archiveNews(trx, id, new Date());
    });
    return args.result;
  },
};

beforeAll(async () => {
  db = await createTestDatabase();
  // The bots read through `prepared`; the test's own statements (db.db) are not watched.
  harness = await BotHarness.start({ database: { ...db, prepared: db.prepared.withPlugin(archiveMidRead) } });
});
afterAll(async () => {
  await harness?.close();
  await db?.close();
});

async function published(title: string) {
  const item = await createNews(
    db.db,
    { municipalityId: db.demo.municipalities.Kemerovo, title, body: 'Текст.', categoryId: null, mediaIds: [], link: null, pollId: null, publishAt: null, staffId: null },
    new Date(),
  );
  return publishNews(db.db, item.id, new Date(), null);
}

describe.each(CHANNELS)('%s: no news yet', (channel) => {
  it('/news says so with the ☰ Menu button', async () => {
    const { chat } = await registeredChat(db, harness, channel);
    await chat.say('/news');
    expect(chat.replyTexts).toEqual([t('ru', 'news.empty')]);
    expect(chat.buttonLabels()).toEqual([t('ru', 'menu.back_to_menu')]);
  });
});

describe.each(CHANNELS)('%s: the news feed emptied while the resident pages through it', (channel) => {
  it('"Older" pressed as the last items are archived: the empty screen with the ☰ Menu button, not a bare text in place of the card', async () => {
    const { chat } = await registeredChat(db, harness, channel);
    await published(`Ремонт моста ${channel}`);
    await published(`Ярмарка ${channel}`);
    await chat.say('/news');
    expect(chat.replyTexts[0]).toContain(`Ярмарка ${channel}`);

    armed = true;
    await chat.say(press(t('ru', 'news.older')));
    expect(armed).toBe(false);
    expect(chat.replyTexts).toEqual([t('ru', 'news.empty')]);
    expect(chat.replyKinds()).toEqual(['edit']);
    expect(chat.buttonLabels()).toEqual([t('ru', 'menu.back_to_menu')]);

    await chat.say(press(t('ru', 'menu.back_to_menu')));
    expect(chat.replyTexts).toEqual([t('ru', 'menu.main')]);
  });
});
