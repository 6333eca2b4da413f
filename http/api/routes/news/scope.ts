import { requireMunicipality, type Scope } from '../../../../core/access/scope.ts';
import type { Db } from '../../../../core/db/types.ts';
import { getEvent, type AfishaEvent } from '../../../../core/news/events.service.ts';
import { getNews, type NewsItem } from '../../../../core/news/news.service.ts';

/** A news item the scope may see: its municipality's (regional items are the operators'); otherwise 404. */
export async function newsInScope(db: Db, scope: Scope, id: number): Promise<NewsItem> {
  const item = await getNews(db, id);
  requireMunicipality(scope, item.municipalityId, 'NEWS_NOT_FOUND', id);
  return item;
}

export async function eventInScope(db: Db, scope: Scope, id: number): Promise<AfishaEvent> {
  const event = await getEvent(db, id);
  requireMunicipality(scope, event.municipalityId, 'EVENT_NOT_FOUND', id);
  return event;
}
