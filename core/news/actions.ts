import { actionId } from '../dialogs/action-id.ts';

/**
 * Action tags of the news and «Афиша» buttons, shared by the bot feature (bots/features/news) and
 * by core, which puts them on broadcast messages: `!nw:<id>` opens a news item, `!nc:<id>` starts
 * a comment on it, `!ev:<id>` opens an event, `!er:<id>` asks for its reminder, `!eu:<id>` turns it off.
 */
export const NEWS_TAGS = { openNews: 'nw', commentNews: 'nc', openEvent: 'ev', remind: 'er', unremind: 'eu' } as const;

export const openNewsId = (id: number) => actionId(NEWS_TAGS.openNews, id);
export const commentNewsId = (id: number) => actionId(NEWS_TAGS.commentNews, id);
export const openEventId = (id: number) => actionId(NEWS_TAGS.openEvent, id);
export const remindId = (id: number) => actionId(NEWS_TAGS.remind, id);
