import { listCategories, titleIn } from '../../../core/categories/category.repository.ts';
import { isClosed } from '../../../core/messages/lifecycle.ts';
import { getMessageCard } from '../../../core/messages/message.queries.ts';
import type { Message } from '../../../core/messages/message.repository.ts';
import type { MessageStatus } from '../../../core/messages/message.table.ts';
import { getMunicipality } from '../../../core/municipalities/municipality.repository.ts';
import { executorNames } from '../../../core/staff/executor.service.ts';
import type { StepContext } from '../../dialogs/flow.ts';
import { excerpt, formatDate } from '../../dialogs/format.ts';
import { local, type Button, type View } from '../../dialogs/view.ts';
import { ratingRow } from './actions.ts';

export const statusText = (status: MessageStatus) => local(`my.status_${status}`);
/** A message merged with another at moderation reads as its notice said («объединено»), not «отклонено». */
const statusOf = (message: Pick<Message, 'status' | 'duplicateOf'>) =>
  message.status === 'rejected' && message.duplicateOf !== null ? local('my.status_merged', { originalId: message.duplicateOf }) : statusText(message.status);

export async function categoryTitles(c: StepContext): Promise<Map<number, string>> {
  return new Map((await listCategories(c.db)).map((cat) => [cat.id, titleIn(cat, c.language)]));
}

export function listItemLine(message: Message, category: string, date: string): { key: string; params: Record<string, unknown> } {
  return { key: 'my.list_item', params: { messageId: message.id, status: statusOf(message), category, date } };
}

/**
 * One message as its author sees it: status, text, then its history in time order (accepted
 * with the executor, handed to another executor, approved intermediate answers and clarification requests, the final
 * answer, comments, the rating). Drafts officials have not approved are never shown. `photos: false`
 * leaves out the photos (the card shown again right under them, after a comment).
 */
export async function messageCardView(c: StepContext, messageId: number, actions: Button[][], options: { photos?: boolean } = {}): Promise<View[]> {
  const card = await getMessageCard(c.db, messageId, { visibleToResident: true });
  const { message } = card;
  const [titles, municipality] = await Promise.all([categoryTitles(c), getMunicipality(c.db, message.municipalityId)]);
  const date = (d: Date) => formatDate(d, c.language, municipality.timeZone);
  const history: { at: Date; key: string; params: Record<string, unknown> }[] = [];
  // Each acceptance and re-routing names the body that took the message then (the organisation, never a person).
  const executorIds = card.events.flatMap((e) => [e.kind === 'accepted' ? e.data.executorId : e.kind === 'routed' ? e.data.to : undefined]).filter((id): id is number => Number.isSafeInteger(id));
  const executors = await executorNames(c.db, executorIds);
  const executorName = (id: unknown) => executors.get(id as number) ?? card.executorName ?? '—';
  for (const event of card.events) {
    if (event.kind === 'accepted') history.push({ at: event.createdAt, key: 'my.h_accepted', params: { date: date(event.createdAt), executor: executorName(event.data.executorId) } });
    if (event.kind === 'routed') history.push({ at: event.createdAt, key: 'my.h_routed', params: { date: date(event.createdAt), executor: executorName(event.data.to) } });
    if (event.kind === 'rejected') history.push({ at: event.createdAt, key: 'my.h_rejected', params: { date: date(event.createdAt), reason: event.reason ?? '—' } });
    if (event.kind === 'reopened') history.push({ at: event.createdAt, key: 'my.h_reopened', params: { date: date(event.createdAt), reason: event.reason ?? '—' } });
    if (event.kind === 'duplicate') history.push({ at: event.createdAt, key: 'my.h_duplicate', params: { date: date(event.createdAt), originalId: event.data.originalId } });
  }
  for (const answer of card.answers) {
    const at = answer.approvedAt ?? answer.createdAt;
    const params = { date: date(at), text: excerpt(answer.text, 700) };
    if (answer.kind === 'final') history.push({ at, key: 'my.h_final', params: { ...params, resolution: local(`notify.resolution_${answer.resolution ?? 'solved'}`) } });
    else history.push({ at, key: answer.kind === 'intermediate' ? 'my.h_intermediate' : 'my.h_clarification', params });
  }
  for (const comment of card.comments) {
    const key = comment.authorKind === 'resident' ? (comment.residentId === c.resident.id ? 'my.h_comment_mine' : 'my.h_comment_resident') : 'my.h_comment_official';
    history.push({ at: comment.createdAt, key, params: { date: date(comment.createdAt), text: excerpt(comment.text, 500) } });
  }
  // The author's own rating, and what they wrote after a low one (the dispute the curators got); nobody else's card says "your rating".
  if (card.rating && message.authorId === c.resident.id) {
    const { stars, complaint } = card.rating;
    history.push({ at: card.rating.createdAt, ...(complaint ? { key: 'my.h_rated_complaint', params: { stars, complaint: excerpt(complaint, 500) } } : { key: 'my.h_rated', params: { stars } }) });
  }
  history.sort((a, b) => a.at.getTime() - b.at.getTime());

  const canRate = message.authorId === c.resident.id && isClosed(message.status) && !card.rating;
  const photos = card.photos.flatMap((p) => (p.channel === c.from.channel && p.fileId !== null ? [p.fileId] : []));
  const view: View = {
    key: 'my.card',
    params: {
      messageId: message.id,
      status: statusOf(message),
      category: titles.get(message.categoryId) ?? '—',
      date: date(message.createdAt),
      text: excerpt(message.text, 1200),
      supporters: local('my.supporters', { count: card.supporters }),
    },
    lines: history.length > 0 ? [{ key: 'my.history' }, ...history.map(({ key, params }) => ({ key, params }))] : [],
    keyboard: { kind: 'inline', rows: [...(canRate ? [ratingRow(message.id)] : []), ...actions] },
  };
  return photos.length > 0 && options.photos !== false ? [{ key: 'my.card_photos', params: { messageId: message.id }, photos }, view] : [view];
}
