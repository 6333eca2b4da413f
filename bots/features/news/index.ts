import { positiveIdArg } from '../../../core/dialogs/action-id.ts';
import { countVisibleComments } from '../../../core/item-comments/comments.service.ts';
import { NEWS_TAGS } from '../../../core/news/actions.ts';
import { timeZoneOf } from '../../../core/news/local-time.ts';
import { feedItem, visibleNews, type NewsItem } from '../../../core/news/news.service.ts';
import { action, type BotFeature } from '../../dialogs/feature.ts';
import { reply, type StepContext } from '../../dialogs/flow.ts';
import { formatDate } from '../../dialogs/format.ts';
import type { Button, View } from '../../dialogs/view.ts';
import { listComments, writeComment } from '../item-comments/index.ts';
import { MAX_ROW_ID } from '../../../core/db/types.ts';
import { backToMenuButton, withMenuButton } from '../basics/back-to-menu.ts';
import { isRegistered, registrationRequired } from '../../dialogs/registration-check.ts';
import { startRegistration } from '../registration/index.ts';

const MAX_INDEX = 100_000;

/** `!nf:<index>`: the feed's item at `index` (0 is the newest); Previous / Next page through it in place. */
const feed = action<number>({
  tag: 'nf',
  encode: (index) => [index],
  decode: (args) => (args.length === 1 && /^(?:0|[1-9]\d{0,5})$/.test(args[0]!) && Number(args[0]) <= MAX_INDEX ? Number(args[0]) : undefined),
  async run(c, index) {
    return reply([{ ...(await feedView(c, index)), edit: true }]);
  },
});

/** `!nw:<id>`: one item (from an announcement or a deep link). */
const open = action<number>({
  tag: NEWS_TAGS.openNews,
  encode: (id) => [id],
  decode: (args) => (args.length === 1 ? positiveIdArg(args[0], MAX_ROW_ID) : undefined),
  run: (c, id) => itemReply(c, id),
});

/** `!nc:<id>`: the "Comment" button of a news announcement. */
const comment = action<number>({
  tag: NEWS_TAGS.commentNews,
  encode: (id) => [id],
  decode: (args) => (args.length === 1 ? positiveIdArg(args[0], MAX_ROW_ID) : undefined),
  run: (c, id) => writeComment.run(c, { kind: 'news', id }),
});

async function itemReply(c: StepContext, id: number) {
  const item = await visibleNews(c.db, id, c.resident.municipalityId);
  // A municipality's item from an old announcement, the consent withdrawn since: register first, it is not gone.
  if (!item) return reply([(await isRegistered(c)) ? withMenuButton('news.gone') : await registrationRequired(c)]);
  return reply([await cardView(c, item, [])]);
}

async function cardView(c: StepContext, item: NewsItem, pager: Button[], position?: { index: number; total: number }): Promise<View> {
  const zone = await timeZoneOf(c.db, item.municipalityId);
  const comments = await countVisibleComments(c.db, { kind: 'news', id: item.id });
  return {
    key: position ? 'news.card_paged' : 'news.card',
    params: {
      title: item.title,
      body: item.body,
      date: formatDate(item.publishedAt ?? item.createdAt, c.language, zone),
      link: item.link ? `\n\n${item.link}` : '',
      ...(position && { position: position.index + 1, total: position.total }),
    },
    ...(item.mediaIds.length > 0 && { media: item.mediaIds }),
    keyboard: {
      kind: 'inline',
      rows: [
        ...(pager.length > 0 ? [pager] : []),
        [listComments.button({ kind: 'news', id: item.id }, 'news.comments', { count: comments }), writeComment.button({ kind: 'news', id: item.id }, 'news.comment')],
        [backToMenuButton()],
      ],
    },
  };
}

/** No news (yet, or any more). Often edited in place of a card, whose buttons go with it: the ☰ Menu button is the way on. */
const emptyFeed = (): View => withMenuButton('news.empty');

/** The feed's screen at `index`: latest news of the resident's municipality and of the region, one per screen. */
async function feedView(c: StepContext, requested: number): Promise<View> {
  let { item, total } = await feedItem(c.db, c.resident.municipalityId, requested);
  if (total === 0) return emptyFeed();
  let index = requested;
  if (!item) {
    // Past the end (an older card's button, items archived since): the last item.
    index = total - 1;
    ({ item, total } = await feedItem(c.db, c.resident.municipalityId, index));
    // The feed emptied between the reads (the last items archived just then): empty all the same.
    if (!item) return emptyFeed();
  }
  const pager: Button[] = [];
  if (index > 0) pager.push(feed.button(index - 1, 'news.newer'));
  if (index < total - 1) pager.push(feed.button(index + 1, 'news.older'));
  return cardView(c, item, pager, { index, total });
}

const show = async (c: StepContext) => reply([await feedView(c, 0)]);

/** News: `/news` and the menu show the feed one item per screen; announcements and `/start news_<id>` open one item. */
export const news: BotFeature = {
  name: 'news',
  commands: [{ name: 'news', description: 'news.command', run: show }],
  menu: [{ id: 'news', label: 'news.menu', row: 22, column: 0, run: show }],
  actions: [feed, open, comment],
  deepLinks: [
    {
      prefix: 'news_',
      open: async (c, rest) => {
        const id = positiveIdArg(rest, MAX_ROW_ID);
        if (!id) return reply([withMenuButton('news.gone')]);
        // A visitor not registered yet (a poster, a shared link) sees only the region's items: one of a
        // municipality opens once they have registered (the link is kept, as a poll's is).
        if (!(await isRegistered(c)) && !(await visibleNews(c.db, id, c.resident.municipalityId))) return startRegistration(c, `news_${id}`);
        return itemReply(c, id);
      },
    },
  ],
};
