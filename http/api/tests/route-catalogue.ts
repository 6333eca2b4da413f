import { jpegBytes } from '../../../test/media/files.ts';
import type { Permission } from '../../../core/access/permissions.ts';
import { enqueue, PRIORITY } from '../../../core/outbox/outbox.repository.ts';
import { issueLoginCode, signInWithCode } from '../../../core/console/sessions.ts';
import type { ApiHarness } from '../../../test/api-harness.ts';
import { addComment } from '../../../core/item-comments/comments.service.ts';
import { askQuestion } from '../../../core/polls/direct-line.ts';
import { recordIncidentCopies } from '../../../core/incidents/incident-photos.ts';
import { registeredResident } from '../../../test/residents.ts';

/** Ids of Kemerovo's resources that the security tests aim at. */
export interface Fixture {
  municipality: number;
  newMessage: number;
  otherNewMessage: number;
  answer: number;
  executor: number;
  category: number;
  routingRule: number;
  kpiResponsible: number;
  staff: number;
  key: number;
  /** A dead outbox row (a notification that stopped for good). */
  deadOutbox: number;
  /** A broadcast to Kemerovo's residents. */
  broadcast: number;
  /** A file uploaded for Kemerovo. */
  media: number;
  /** A draft news item, a draft event and a resident's comment on a published news item of Kemerovo. */
  news: number;
  event: number;
  itemComment: number;
  /** A web-console session of Kemerovo's moderator. */
  session: number;
  /** A draft poll of Kemerovo. */
  poll: number;
  /** A direct-line campaign of Kemerovo, collecting, with one resident's question. */
  directLine: number;
  directLineQuestion: number;
  /** An open-source item in Kemerovo's triage queue (its one photo copied), a monitored page and a keyword rule of Kemerovo. */
  incident: number;
  incidentSource: number;
  incidentRule: number;
  /** A Kemerovo contest with entries open, and a pending entry in it. */
  contest: number;
  contestEntry: number;
}

/** Everything that can change, counted before and after a batch of refused requests. */
const names = ['audit_log', 'message_event', 'answer', 'comment', 'staff', 'api_key', 'executor', 'routing_rule', 'kpi_responsible', 'municipality', 'category', 'outbox', 'incident', 'incident_source', 'incident_rule'] as const;

export async function footprint(h: ApiHarness) {
  const count = async (table: (typeof names)[number]) =>
    Number((await h.t.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const versions = await h.t.db.selectFrom('message').select(['id', 'version']).orderBy('id').execute();
  return { counts: await Promise.all(names.map(count)), versions };
}

export const FORGED_ID = 99_999_999;

/** Kemerovo resources of every kind the catalogue names, made through the API (and the outbox for a dead row). */
export async function buildFixture(h: ApiHarness): Promise<Fixture> {
  const newMessage = await h.fileMessage('Kemerovo', { photos: ['photo-a'] });
  const otherNewMessage = await h.fileMessage('Kemerovo');
  const inWork = await h.fileMessage('Kemerovo');
  await h.request('POST', `/api/v1/messages/${inWork.id}/accept`, { body: {} });
  const answer = await h.request('POST', `/api/v1/messages/${inWork.id}/answers`, { token: h.keys.Kemerovo.executor, body: { kind: 'intermediate', text: 'в работе' } });
  const kpi = await h.request('POST', '/api/v1/kpi-responsibles', { body: { municipalityId: h.municipality.Kemerovo, kpi: 7, staffId: h.staff.Kemerovo.curator } });
  const key = await h.request('POST', `/api/v1/staff/${h.staff.Kemerovo.responsible}/keys`, { body: {} });
  const [dead] = await enqueue(h.t.db, [{ channel: 'tg', chatId: '555', recipientKind: 'resident', kind: 'notify.rejected', payload: { key: 'notify.rejected' }, priority: PRIORITY.notification }]);
  await h.t.db.updateTable('outbox').set({ state: 'dead' }).where('id', '=', dead!).execute();
  const broadcast = await h.request('POST', '/api/v1/broadcasts', { body: { municipalityId: h.municipality.Kemerovo, topic: 'news', text: 'Новости города' } });
  const form = new FormData();
  form.append('file', new Blob([jpegBytes().slice().buffer], { type: 'image/jpeg' }), 'photo.jpg');
  const media = await h.request('POST', '/api/v1/media', { form, token: h.keys.Kemerovo.curator });
  const news = await h.request('POST', '/api/v1/news', { body: { municipalityId: h.municipality.Kemerovo, title: 'Новость', body: 'Текст' } });
  const event = await h.request('POST', '/api/v1/events', {
    body: {
      municipalityId: h.municipality.Kemerovo,
      kind: 'culture',
      title: 'Концерт',
      startsAt: '2026-12-20T18:00',
      endsAt: '2026-12-20T20:00',
      venue: { name: 'Филармония', address: 'пр. Советский, 68', lat: 55.3547, lon: 86.0873 },
    },
  });
  const commented = await h.request('POST', '/api/v1/news', { body: { municipalityId: h.municipality.Kemerovo, title: 'Обсуждаем', body: 'Текст' } });
  await h.request('POST', `/api/v1/news/${commented.body.id}/publish`, { body: {} });
  const commenter = await registeredResident(h.t.db, { municipalityId: h.municipality.Kemerovo, now: h.now() });
  const itemComment = await addComment(h.t.db, { residentId: commenter, residentMunicipalityId: h.municipality.Kemerovo, target: { kind: 'news', id: commented.body.id }, text: 'Комментарий' }, h.now());
  const { code } = await issueLoginCode(h.t.db, h.staff.Kemerovo.moderator, h.now());
  const session = await signInWithCode(h.t.db, { code, client: 'fixture' }, h.now());
  const poll = await h.request('POST', '/api/v1/polls', { body: pollBody(h.municipality.Kemerovo, h.now()) });
  const line = await h.request('POST', '/api/v1/direct-lines', { body: directLineBody(h.municipality.Kemerovo, h.now()) });
  const asker = await registeredResident(h.t.db, { municipalityId: h.municipality.Kemerovo, now: h.now() });
  const question = await askQuestion(h.t.db, { directLineId: line.body.id, residentId: asker, channel: 'tg', text: 'Когда починят дорогу?' }, h.now());
  const incident = await h.request('POST', '/api/v1/incidents', {
    body: {
      municipalityId: h.municipality.Kemerovo,
      source: 'web',
      sourceUrl: 'https://example.org/kemerovo/post-1',
      text: 'Во дворе яма',
      postedAt: '2026-11-30T10:00:00Z',
      photos: ['https://sun9-1.userapi.com/fixture-1.jpg'],
    },
  });
  // Its photo copied, as the copier records a download (the harness reaches no VK file server): the uploaded file's bytes.
  const queued = await h.t.db.selectFrom('incident_photo').select('id').where('incident_id', '=', incident.body.id).executeTakeFirstOrThrow();
  await recordIncidentCopies(h.t.db, incident.body.id, [{ photoId: queued.id, mediaId: media.body.id }]);
  const incidentSource = await h.request('POST', '/api/v1/incident-sources', { body: { municipalityId: h.municipality.Kemerovo, ownerId: -1001, name: 'Кемерово онлайн' } });
  const incidentRule = await h.request('POST', '/api/v1/incident-rules', { body: { municipalityId: h.municipality.Kemerovo, categoryId: await h.categoryId('roads.pothole'), keywords: ['яма'] } });
  const contest = await h.request('POST', '/api/v1/contests', { body: { municipalityId: h.municipality.Kemerovo, title: 'Фотоконкурс', entryKind: 'photo', drawingFormat: 'jury', winnersCount: 1 } });
  await h.t.db.updateTable('contest').set({ state: 'entries_open' }).where('id', '=', contest.body.id).execute();
  const entrant = await h.fileMessage('Kemerovo');
  const contestEntry = await h.t.db
    .insertInto('contest_entry')
    .values({ contest_id: contest.body.id, resident_id: entrant.authorId!, channel: 'tg', media_id: media.body.id, media_kind: 'photo', caption: 'зима' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const rule = await h.t.db.selectFrom('routing_rule').select('id').where('municipality_id', '=', h.municipality.Kemerovo).orderBy('id').executeTakeFirstOrThrow();
  return {
    municipality: h.municipality.Kemerovo,
    newMessage: newMessage.id,
    otherNewMessage: otherNewMessage.id,
    answer: answer.body.answer.id,
    executor: h.executors.Kemerovo.city,
    category: await h.categoryId('roads.lighting'),
    routingRule: rule.id,
    kpiResponsible: kpi.body.id,
    staff: h.staff.Kemerovo.moderator,
    key: key.body.key.id,
    deadOutbox: dead!,
    broadcast: broadcast.body.id,
    media: media.body.id,
    contest: contest.body.id,
    contestEntry: contestEntry.id,
    news: news.body.id,
    event: event.body.id,
    itemComment: itemComment.id,
    session: session.keyId,
    poll: poll.body.id,
    directLine: line.body.id,
    directLineQuestion: question.id,
    incident: incident.body.id,
    incidentSource: incidentSource.body.id,
    incidentRule: incidentRule.body.id,
  };
}

/** A valid poll body: two questions (single choice, free text), starting a day after `now`. */
export function pollBody(municipalityId: number | null, now: Date) {
  return {
    municipalityId,
    kind: 'poll',
    title: 'Благоустройство двора',
    startsAt: new Date(now.getTime() + 86_400_000).toISOString(),
    endsAt: new Date(now.getTime() + 8 * 86_400_000).toISOString(),
    questions: [
      { kind: 'single', text: 'Что сделать первым?', options: ['Детская площадка', 'Парковка'] },
      { kind: 'text', text: 'Ваши предложения' },
    ],
  };
}

/** A direct-line campaign collecting from an hour ago for two weeks. */
export function directLineBody(municipalityId: number, now: Date) {
  return {
    municipalityId,
    title: 'Прямая линия с главой города',
    headName: 'Глава города',
    collectFrom: new Date(now.getTime() - 3_600_000).toISOString(),
    collectTo: new Date(now.getTime() + 14 * 86_400_000).toISOString(),
    broadcastOn: '2026-12-20',
  };
}

export interface RouteCase {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** As in the OpenAPI document. */
  path: string;
  permission: Permission;
  /** A valid request at a Kemerovo resource; `id` replaces the path id (forged-id tests). */
  url(f: Fixture, id?: number): string;
  body?(f: Fixture): Record<string, unknown>;
  /**
   * How a key of another municipality (with a role that may call the route) fares on it:
   * 404 when the request names a Kemerovo id or municipality; 'global' when only operators may
   * call it, for shared directories and for the caller's own data. Lists without a municipality
   * filter are checked by the resource tests (they must hold nothing of Kemerovo).
   */
  crossScope: 'not_found' | 'global';
  /** Whether `url(f, FORGED_ID)` names a missing resource (404). */
  hasPathId: boolean;
}

const m = (f: Fixture) => f.municipality;

export const ROUTE_CASES: RouteCase[] = [
  { method: 'get', path: '/messages', permission: 'messages.read', url: (f) => `/api/v1/messages?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/messages/{id}', permission: 'messages.read', url: (f, id) => `/api/v1/messages/${id ?? f.newMessage}`, crossScope: 'not_found', hasPathId: true },
  { method: 'get', path: '/messages/{id}/photos/{index}', permission: 'messages.read', url: (f, id) => `/api/v1/messages/${id ?? f.newMessage}/photos/0`, crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/messages/{id}/accept', permission: 'messages.moderate', url: (f, id) => `/api/v1/messages/${id ?? f.newMessage}/accept`, body: () => ({}), crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/messages/{id}/reject', permission: 'messages.moderate', url: (f, id) => `/api/v1/messages/${id ?? f.newMessage}/reject`, body: () => ({ reason: 'spam' }), crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/messages/{id}/publish', permission: 'messages.moderate', url: (f, id) => `/api/v1/messages/${id ?? f.newMessage}/publish`, crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/messages/{id}/unpublish', permission: 'messages.moderate', url: (f, id) => `/api/v1/messages/${id ?? f.newMessage}/unpublish`, crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/messages/{id}/category', permission: 'messages.moderate', url: (f, id) => `/api/v1/messages/${id ?? f.newMessage}/category`, body: (f) => ({ categoryId: f.category }), crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/messages/{id}/urgent', permission: 'messages.mark_urgent', url: (f, id) => `/api/v1/messages/${id ?? f.newMessage}/urgent`, crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/messages/{id}/reopen', permission: 'answers.review', url: (f, id) => `/api/v1/messages/${id ?? f.newMessage}/reopen`, body: () => ({ reason: 'not solved' }), crossScope: 'not_found', hasPathId: true },
  { method: 'get', path: '/messages/{id}/suggestions', permission: 'messages.moderate', url: (f, id) => `/api/v1/messages/${id ?? f.newMessage}/suggestions`, crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/messages/{id}/duplicate', permission: 'messages.moderate', url: (f, id) => `/api/v1/messages/${id ?? f.newMessage}/duplicate`, body: (f) => ({ originalId: f.otherNewMessage }), crossScope: 'not_found', hasPathId: true },
  { method: 'get', path: '/answers', permission: 'messages.read', url: (f) => `/api/v1/answers?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  { method: 'post', path: '/messages/{id}/answers', permission: 'answers.draft', url: (f, id) => `/api/v1/messages/${id ?? f.newMessage}/answers`, body: () => ({ kind: 'intermediate', text: 'working on it' }), crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/answers/{id}/revise', permission: 'answers.draft', url: (f, id) => `/api/v1/answers/${id ?? f.answer}/revise`, body: () => ({ text: 'better text' }), crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/answers/{id}/approve', permission: 'answers.review', url: (f, id) => `/api/v1/answers/${id ?? f.answer}/approve`, crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/answers/{id}/return', permission: 'answers.review', url: (f, id) => `/api/v1/answers/${id ?? f.answer}/return`, body: () => ({ remark: 'fix it' }), crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/messages/{id}/comments', permission: 'comments.write', url: (f, id) => `/api/v1/messages/${id ?? f.newMessage}/comments`, body: () => ({ text: 'we are on it' }), crossScope: 'not_found', hasPathId: true },
  { method: 'get', path: '/municipalities', permission: 'directories.read', url: () => '/api/v1/municipalities', crossScope: 'global', hasPathId: false },
  { method: 'get', path: '/municipalities/{id}', permission: 'directories.read', url: (f, id) => `/api/v1/municipalities/${id ?? m(f)}`, crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/municipalities', permission: 'directories.write', url: () => '/api/v1/municipalities', body: () => ({ nameRu: 'Новый', nameEn: 'New', oktmo: '32999000', populationOver14: 1000 }), crossScope: 'global', hasPathId: false },
  { method: 'patch', path: '/municipalities/{id}', permission: 'directories.write', url: (f, id) => `/api/v1/municipalities/${id ?? m(f)}`, body: () => ({ answersNeedApproval: false }), crossScope: 'global', hasPathId: true },
  {
    method: 'put',
    path: '/municipalities/{id}/boundary',
    permission: 'directories.write',
    url: (f, id) => `/api/v1/municipalities/${id ?? m(f)}/boundary`,
    body: () => ({ type: 'Polygon', coordinates: [[[86, 55], [86.2, 55], [86.2, 55.5], [86, 55]]] }),
    crossScope: 'global',
    hasPathId: true,
  },
  { method: 'get', path: '/sectors', permission: 'directories.read', url: () => '/api/v1/sectors', crossScope: 'global', hasPathId: false },
  { method: 'get', path: '/categories', permission: 'directories.read', url: () => '/api/v1/categories', crossScope: 'global', hasPathId: false },
  { method: 'post', path: '/categories', permission: 'directories.write', url: () => '/api/v1/categories', body: () => ({ sectorId: 1, code: 'roads.bridge', titleRu: 'Мост', titleEn: 'Bridge' }), crossScope: 'global', hasPathId: false },
  { method: 'patch', path: '/categories/{id}', permission: 'directories.write', url: (f, id) => `/api/v1/categories/${id ?? f.category}`, body: () => ({ position: 3 }), crossScope: 'global', hasPathId: true },
  { method: 'get', path: '/executors', permission: 'directories.read', url: (f) => `/api/v1/executors?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  { method: 'post', path: '/executors', permission: 'municipality.team.write', url: () => '/api/v1/executors', body: (f) => ({ municipalityId: m(f), name: 'Водоканал', kind: 'organisation' }), crossScope: 'not_found', hasPathId: false },
  { method: 'patch', path: '/executors/{id}', permission: 'municipality.team.write', url: (f, id) => `/api/v1/executors/${id ?? f.executor}`, body: () => ({ name: 'Renamed' }), crossScope: 'not_found', hasPathId: true },
  { method: 'get', path: '/calendars', permission: 'directories.read', url: (f) => `/api/v1/calendars?year=2026&municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/routing-rules', permission: 'directories.read', url: (f) => `/api/v1/routing-rules?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  { method: 'put', path: '/routing-rules', permission: 'municipality.team.write', url: () => '/api/v1/routing-rules', body: (f) => ({ municipalityId: m(f), categoryId: f.category, executorId: f.executor }), crossScope: 'not_found', hasPathId: false },
  { method: 'delete', path: '/routing-rules/{id}', permission: 'municipality.team.write', url: (f, id) => `/api/v1/routing-rules/${id ?? f.routingRule}`, crossScope: 'not_found', hasPathId: true },
  { method: 'get', path: '/kpi-responsibles', permission: 'directories.read', url: (f) => `/api/v1/kpi-responsibles?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  { method: 'post', path: '/kpi-responsibles', permission: 'municipality.team.write', url: () => '/api/v1/kpi-responsibles', body: (f) => ({ municipalityId: m(f), kpi: 6, staffId: f.staff }), crossScope: 'not_found', hasPathId: false },
  { method: 'delete', path: '/kpi-responsibles/{id}', permission: 'municipality.team.write', url: (f, id) => `/api/v1/kpi-responsibles/${id ?? f.kpiResponsible}`, crossScope: 'not_found', hasPathId: true },
  { method: 'get', path: '/staff', permission: 'staff.read', url: (f) => `/api/v1/staff?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/staff/{id}', permission: 'staff.read', url: (f, id) => `/api/v1/staff/${id ?? f.staff}`, crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/staff', permission: 'staff.write', url: () => '/api/v1/staff', body: (f) => ({ fullName: 'Новый модератор', role: 'moderator', municipalityId: m(f) }), crossScope: 'global', hasPathId: false },
  { method: 'patch', path: '/staff/{id}', permission: 'staff.write', url: (f, id) => `/api/v1/staff/${id ?? f.staff}`, body: () => ({ language: 'en' }), crossScope: 'global', hasPathId: true },
  { method: 'post', path: '/staff/{id}/link-codes', permission: 'staff.link', url: (f, id) => `/api/v1/staff/${id ?? f.staff}/link-codes`, body: () => ({}), crossScope: 'not_found', hasPathId: true },
  { method: 'delete', path: '/staff/{id}/identities/{channel}', permission: 'staff.link', url: (f, id) => `/api/v1/staff/${id ?? f.staff}/identities/tg`, crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/staff/{id}/keys', permission: 'keys.manage', url: (f, id) => `/api/v1/staff/${id ?? f.staff}/keys`, body: () => ({ label: 'laptop' }), crossScope: 'global', hasPathId: true },
  { method: 'get', path: '/keys', permission: 'keys.manage', url: () => '/api/v1/keys', crossScope: 'global', hasPathId: false },
  { method: 'post', path: '/keys/{id}/revoke', permission: 'keys.manage', url: (f, id) => `/api/v1/keys/${id ?? f.key}/revoke`, crossScope: 'global', hasPathId: true },
  { method: 'get', path: '/audit', permission: 'audit.read', url: (f) => `/api/v1/audit?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/alerts', permission: 'alerts.read', url: (f) => `/api/v1/alerts?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/system/health', permission: 'system.read', url: () => '/api/v1/system/health', crossScope: 'global', hasPathId: false },
  { method: 'get', path: '/jobs/runs', permission: 'jobs.read', url: () => '/api/v1/jobs/runs', crossScope: 'global', hasPathId: false },
  { method: 'get', path: '/outbox/dead', permission: 'outbox.read', url: () => '/api/v1/outbox/dead', crossScope: 'global', hasPathId: false },
  { method: 'post', path: '/outbox/{id}/retry', permission: 'outbox.retry', url: (f, id) => `/api/v1/outbox/${id ?? f.deadOutbox}/retry`, body: () => ({}), crossScope: 'global', hasPathId: true },
  { method: 'get', path: '/broadcasts', permission: 'broadcasts.read', url: (f) => `/api/v1/broadcasts?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/broadcasts/{id}', permission: 'broadcasts.read', url: (f, id) => `/api/v1/broadcasts/${id ?? f.broadcast}`, crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/broadcasts', permission: 'broadcasts.send', url: () => '/api/v1/broadcasts', body: (f) => ({ municipalityId: m(f), topic: 'news', text: 'Announcement' }), crossScope: 'not_found', hasPathId: false },
  { method: 'post', path: '/broadcasts/{id}/cancel', permission: 'broadcasts.send', url: (f, id) => `/api/v1/broadcasts/${id ?? f.broadcast}/cancel`, body: () => ({}), crossScope: 'not_found', hasPathId: true },
  // Multipart: no JSON body to probe for unknown fields (the route refuses fields other than file and municipalityId itself).
  { method: 'post', path: '/media', permission: 'media.write', url: () => '/api/v1/media', crossScope: 'global', hasPathId: false },
  { method: 'get', path: '/media/{id}', permission: 'media.read', url: (f, id) => `/api/v1/media/${id ?? f.media}`, crossScope: 'not_found', hasPathId: true },
  { method: 'get', path: '/heatmap', permission: 'messages.read', url: (f) => `/api/v1/heatmap?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/stats/slices', permission: 'messages.read', url: (f) => `/api/v1/stats/slices?municipalityId=${m(f)}&groupBy=status`, crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/incidents', permission: 'incidents.triage', url: (f) => `/api/v1/incidents?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  {
    method: 'post',
    path: '/incidents',
    permission: 'incidents.triage',
    url: () => '/api/v1/incidents',
    body: (f) => ({ municipalityId: m(f), source: 'ok', sourceUrl: 'https://ok.ru/group/1/topic/2', text: 'Не горит фонарь', postedAt: '2026-11-30T10:00:00Z' }),
    crossScope: 'not_found',
    hasPathId: false,
  },
  { method: 'get', path: '/incidents/{id}', permission: 'incidents.triage', url: (f, id) => `/api/v1/incidents/${id ?? f.incident}`, crossScope: 'not_found', hasPathId: true },
  { method: 'get', path: '/incidents/{id}/photos/{position}', permission: 'incidents.triage', url: (f, id) => `/api/v1/incidents/${id ?? f.incident}/photos/0`, crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/incidents/{id}/accept', permission: 'incidents.triage', url: (f, id) => `/api/v1/incidents/${id ?? f.incident}/accept`, body: (f) => ({ municipalityId: m(f), categoryId: f.category }), crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/incidents/{id}/dismiss', permission: 'incidents.triage', url: (f, id) => `/api/v1/incidents/${id ?? f.incident}/dismiss`, body: () => ({ reason: 'not about the city' }), crossScope: 'not_found', hasPathId: true },
  { method: 'get', path: '/incident-sources', permission: 'incidents.configure', url: (f) => `/api/v1/incident-sources?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  { method: 'post', path: '/incident-sources', permission: 'incidents.configure', url: () => '/api/v1/incident-sources', body: (f) => ({ municipalityId: m(f), ownerId: -2002, name: 'Район' }), crossScope: 'not_found', hasPathId: false },
  { method: 'patch', path: '/incident-sources/{id}', permission: 'incidents.configure', url: (f, id) => `/api/v1/incident-sources/${id ?? f.incidentSource}`, body: () => ({ active: false }), crossScope: 'not_found', hasPathId: true },
  { method: 'delete', path: '/incident-sources/{id}', permission: 'incidents.configure', url: (f, id) => `/api/v1/incident-sources/${id ?? f.incidentSource}`, crossScope: 'not_found', hasPathId: true },
  { method: 'get', path: '/incident-rules', permission: 'incidents.configure', url: (f) => `/api/v1/incident-rules?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  { method: 'post', path: '/incident-rules', permission: 'incidents.configure', url: () => '/api/v1/incident-rules', body: (f) => ({ municipalityId: m(f), categoryId: f.category, keywords: ['фонарь'] }), crossScope: 'not_found', hasPathId: false },
  { method: 'patch', path: '/incident-rules/{id}', permission: 'incidents.configure', url: (f, id) => `/api/v1/incident-rules/${id ?? f.incidentRule}`, body: () => ({ active: false }), crossScope: 'not_found', hasPathId: true },
  { method: 'delete', path: '/incident-rules/{id}', permission: 'incidents.configure', url: (f, id) => `/api/v1/incident-rules/${id ?? f.incidentRule}`, crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/messages/{id}/published-reply', permission: 'incidents.publish', url: (f, id) => `/api/v1/messages/${id ?? f.newMessage}/published-reply`, body: () => ({ url: 'https://ok.ru/group/1/topic/2#reply' }), crossScope: 'not_found', hasPathId: true },
  { method: 'get', path: '/kpi', permission: 'kpi.read', url: (f) => `/api/v1/kpi?municipalityId=${m(f)}&period=2026-11`, crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/kpi/indicators', permission: 'kpi.read', url: () => '/api/v1/kpi/indicators', crossScope: 'global', hasPathId: false },
  { method: 'get', path: '/kpi/region', permission: 'kpi.region', url: () => '/api/v1/kpi/region?period=2026-11', crossScope: 'global', hasPathId: false },
  { method: 'post', path: '/kpi/recompute', permission: 'kpi.recompute', url: () => '/api/v1/kpi/recompute', body: (f) => ({ municipalityId: m(f), period: '2026-10' }), crossScope: 'not_found', hasPathId: false },
  {
    method: 'post',
    path: '/kpi/placements',
    permission: 'kpi.enter',
    url: () => '/api/v1/kpi/placements',
    body: (f) => ({ municipalityId: m(f), address: 'пр. Ленина, 1', startsOn: '2026-11-01', endsOn: '2027-01-31' }),
    crossScope: 'not_found',
    hasPathId: false,
  },
  { method: 'get', path: '/kpi/placements', permission: 'kpi.read', url: (f) => `/api/v1/kpi/placements?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  {
    method: 'post',
    path: '/kpi/publications',
    permission: 'kpi.enter',
    url: () => '/api/v1/kpi/publications',
    body: (f) => ({ municipalityId: m(f), url: `https://news.example/${Math.random()}`, outlet: 'Газета', publishedOn: '2026-11-20' }),
    crossScope: 'not_found',
    hasPathId: false,
  },
  { method: 'get', path: '/kpi/publications', permission: 'kpi.read', url: (f) => `/api/v1/kpi/publications?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/reports/monthly', permission: 'kpi.read', url: (f) => `/api/v1/reports/monthly?municipalityId=${m(f)}&period=2026-11`, crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/reports/open-sources', permission: 'kpi.read', url: (f) => `/api/v1/reports/open-sources?municipalityId=${m(f)}&period=2026-11`, crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/reports/monthly/tables', permission: 'kpi.read', url: (f) => `/api/v1/reports/monthly/tables?municipalityId=${m(f)}&period=2026-11`, crossScope: 'not_found', hasPathId: false },
  {
    method: 'get',
    path: '/reports/open-sources/tables',
    permission: 'kpi.read',
    url: (f) => `/api/v1/reports/open-sources/tables?municipalityId=${m(f)}&period=2026-11`,
    crossScope: 'not_found',
    hasPathId: false,
  },
  { method: 'get', path: '/ratings/executors', permission: 'kpi.read', url: (f) => `/api/v1/ratings/executors?municipalityId=${m(f)}&period=2026-11`, crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/ratings/municipalities', permission: 'kpi.read', url: (f) => `/api/v1/ratings/municipalities?municipalityId=${m(f)}&period=2026-11`, crossScope: 'not_found', hasPathId: false },
  { method: 'post', path: '/kpi-groups', permission: 'municipality.team.write', url: () => '/api/v1/kpi-groups', body: (f) => ({ municipalityId: m(f), name: `Группа ${Math.random()}`, staffIds: [f.staff], kpis: [2] }), crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/kpi-groups', permission: 'directories.read', url: (f) => `/api/v1/kpi-groups?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/me', permission: 'directories.read', url: () => '/api/v1/me', crossScope: 'global', hasPathId: false },
  { method: 'post', path: '/news', permission: 'news.write', url: () => '/api/v1/news', body: (f) => ({ municipalityId: m(f), title: 'Новость', body: 'Текст' }), crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/news', permission: 'news.read', url: (f) => `/api/v1/news?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/news/{id}', permission: 'news.read', url: (f, id) => `/api/v1/news/${id ?? f.news}`, crossScope: 'not_found', hasPathId: true },
  { method: 'patch', path: '/news/{id}', permission: 'news.write', url: (f, id) => `/api/v1/news/${id ?? f.news}`, body: () => ({ title: 'Правка' }), crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/news/{id}/publish', permission: 'news.write', url: (f, id) => `/api/v1/news/${id ?? f.news}/publish`, body: () => ({}), crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/news/{id}/archive', permission: 'news.write', url: (f, id) => `/api/v1/news/${id ?? f.news}/archive`, body: () => ({}), crossScope: 'not_found', hasPathId: true },
  {
    method: 'post',
    path: '/events',
    permission: 'news.write',
    url: () => '/api/v1/events',
    body: (f) => ({ municipalityId: m(f), kind: 'sport', title: 'Забег', startsAt: '2026-12-20T10:00', endsAt: '2026-12-20T12:00', venue: { name: 'Стадион', address: 'ул. Весенняя, 1', lat: 55.3547, lon: 86.0873 } }),
    crossScope: 'not_found',
    hasPathId: false,
  },
  { method: 'get', path: '/events', permission: 'news.read', url: (f) => `/api/v1/events?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/events/{id}', permission: 'news.read', url: (f, id) => `/api/v1/events/${id ?? f.event}`, crossScope: 'not_found', hasPathId: true },
  { method: 'patch', path: '/events/{id}', permission: 'news.write', url: (f, id) => `/api/v1/events/${id ?? f.event}`, body: () => ({ title: 'Правка' }), crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/events/{id}/publish', permission: 'news.write', url: (f, id) => `/api/v1/events/${id ?? f.event}/publish`, body: () => ({}), crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/events/{id}/cancel', permission: 'news.write', url: (f, id) => `/api/v1/events/${id ?? f.event}/cancel`, body: () => ({ reason: 'Погода' }), crossScope: 'not_found', hasPathId: true },
  { method: 'get', path: '/comments', permission: 'item_comments.moderate', url: (f) => `/api/v1/comments?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  { method: 'post', path: '/comments/{id}/hide', permission: 'item_comments.moderate', url: (f, id) => `/api/v1/comments/${id ?? f.itemComment}/hide`, body: () => ({ reason: 'Оскорбления' }), crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/comments/{id}/reply', permission: 'item_comments.moderate', url: (f, id) => `/api/v1/comments/${id ?? f.itemComment}/reply`, body: () => ({ text: 'Ответ' }), crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/comments/{id}/approve', permission: 'item_comments.moderate', url: (f, id) => `/api/v1/comments/${id ?? f.itemComment}/approve`, body: () => ({}), crossScope: 'not_found', hasPathId: true },
  { method: 'put', path: '/comments/policy', permission: 'item_comments.moderate', url: () => '/api/v1/comments/policy', body: (f) => ({ municipalityId: m(f), premoderation: false }), crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/sessions', permission: 'sessions.manage', url: () => '/api/v1/sessions', crossScope: 'global', hasPathId: false },
  { method: 'post', path: '/sessions/{id}/revoke', permission: 'sessions.manage', url: (f, id) => `/api/v1/sessions/${id ?? f.session}/revoke`, crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/polls', permission: 'polls.write', url: () => '/api/v1/polls', body: (f) => pollBody(m(f), new Date('2026-12-01T03:00:00Z')), crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/polls', permission: 'polls.read', url: (f) => `/api/v1/polls?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/polls/{id}', permission: 'polls.read', url: (f, id) => `/api/v1/polls/${id ?? f.poll}`, crossScope: 'not_found', hasPathId: true },
  { method: 'patch', path: '/polls/{id}', permission: 'polls.write', url: (f, id) => `/api/v1/polls/${id ?? f.poll}`, body: () => ({ title: 'Renamed' }), crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/polls/{id}/publish', permission: 'polls.write', url: (f, id) => `/api/v1/polls/${id ?? f.poll}/publish`, body: () => ({}), crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/polls/{id}/close', permission: 'polls.write', url: (f, id) => `/api/v1/polls/${id ?? f.poll}/close`, body: () => ({}), crossScope: 'not_found', hasPathId: true },
  { method: 'get', path: '/polls/{id}/results', permission: 'polls.read', url: (f, id) => `/api/v1/polls/${id ?? f.poll}/results`, crossScope: 'not_found', hasPathId: true },
  {
    method: 'post',
    path: '/polls/{id}/decision',
    permission: 'polls.write',
    url: (f, id) => `/api/v1/polls/${id ?? f.poll}/decision`,
    body: () => ({ decidedOn: '2026-12-01', text: 'Build the playground', decidedBy: 'Head of the city' }),
    crossScope: 'not_found',
    hasPathId: true,
  },
  { method: 'post', path: '/direct-lines', permission: 'direct_lines.write', url: () => '/api/v1/direct-lines', body: (f) => directLineBody(m(f), new Date('2026-12-01T03:00:00Z')), crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/direct-lines', permission: 'direct_lines.read', url: (f) => `/api/v1/direct-lines?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  { method: 'post', path: '/direct-lines/{id}/withdraw', permission: 'direct_lines.write', url: (f, id) => `/api/v1/direct-lines/${id ?? f.directLine}/withdraw`, body: () => ({}), crossScope: 'not_found', hasPathId: true },
  { method: 'get', path: '/direct-lines/{id}/questions', permission: 'direct_lines.read', url: (f, id) => `/api/v1/direct-lines/${id ?? f.directLine}/questions`, crossScope: 'not_found', hasPathId: true },
  {
    method: 'post',
    path: '/direct-lines/{id}/questions/{questionId}/answer',
    permission: 'direct_lines.write',
    url: (f, id) => `/api/v1/direct-lines/${id ?? f.directLine}/questions/${f.directLineQuestion}/answer`,
    body: () => ({ text: 'In spring' }),
    crossScope: 'not_found',
    hasPathId: true,
  },
  // Sector 1 is the seed directory's first sector.
  { method: 'post', path: '/sectors', permission: 'directories.write', url: () => '/api/v1/sectors', body: () => ({ code: 'tourism', titleRu: 'Туризм', titleEn: 'Tourism' }), crossScope: 'global', hasPathId: false },
  { method: 'post', path: '/messages/{id}/executor', permission: 'messages.moderate', url: (f, id) => `/api/v1/messages/${id ?? f.newMessage}/executor`, body: (f) => ({ executorId: f.executor }), crossScope: 'not_found', hasPathId: true },
  { method: 'get', path: '/me/queue', permission: 'directories.read', url: () => '/api/v1/me/queue', crossScope: 'global', hasPathId: false },
  { method: 'get', path: '/comments/unanswered', permission: 'messages.read', url: (f) => `/api/v1/comments/unanswered?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  { method: 'patch', path: '/sectors/{id}', permission: 'directories.write', url: (_f, id) => `/api/v1/sectors/${id ?? 1}`, body: () => ({ position: 3 }), crossScope: 'global', hasPathId: true },
  { method: 'post', path: '/contests', permission: 'contests.write', url: () => '/api/v1/contests', body: (f) => ({ municipalityId: m(f), title: 'Конкурс' }), crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/contests', permission: 'contests.read', url: (f) => `/api/v1/contests?municipalityId=${m(f)}`, crossScope: 'not_found', hasPathId: false },
  { method: 'get', path: '/contests/{id}', permission: 'contests.read', url: (f, id) => `/api/v1/contests/${id ?? f.contest}`, crossScope: 'not_found', hasPathId: true },
  { method: 'patch', path: '/contests/{id}', permission: 'contests.write', url: (f, id) => `/api/v1/contests/${id ?? f.contest}`, body: () => ({ topic: 'Зима' }), crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/contests/{id}/publish', permission: 'contests.write', url: (f, id) => `/api/v1/contests/${id ?? f.contest}/publish`, body: () => ({}), crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/contests/{id}/withdraw', permission: 'contests.write', url: (f, id) => `/api/v1/contests/${id ?? f.contest}/withdraw`, body: () => ({}), crossScope: 'not_found', hasPathId: true },
  { method: 'get', path: '/contests/{id}/entries', permission: 'contests.read', url: (f, id) => `/api/v1/contests/${id ?? f.contest}/entries`, crossScope: 'not_found', hasPathId: true },
  {
    method: 'post',
    path: '/contests/{id}/entries/{entryId}/accept',
    permission: 'contests.moderate',
    url: (f, id) => `/api/v1/contests/${id ?? f.contest}/entries/${f.contestEntry}/accept`,
    body: () => ({}),
    crossScope: 'not_found',
    hasPathId: true,
  },
  {
    method: 'post',
    path: '/contests/{id}/entries/{entryId}/reject',
    permission: 'contests.moderate',
    url: (f, id) => `/api/v1/contests/${id ?? f.contest}/entries/${f.contestEntry}/reject`,
    body: () => ({ reason: 'не по теме' }),
    crossScope: 'not_found',
    hasPathId: true,
  },
  { method: 'post', path: '/contests/{id}/winners', permission: 'contests.write', url: (f, id) => `/api/v1/contests/${id ?? f.contest}/winners`, body: (f) => ({ entryIds: [f.contestEntry] }), crossScope: 'not_found', hasPathId: true },
  { method: 'post', path: '/contests/{id}/draw', permission: 'contests.write', url: (f, id) => `/api/v1/contests/${id ?? f.contest}/draw`, body: () => ({}), crossScope: 'not_found', hasPathId: true },
  { method: 'get', path: '/contests/{id}/draw', permission: 'contests.read', url: (f, id) => `/api/v1/contests/${id ?? f.contest}/draw`, crossScope: 'not_found', hasPathId: true },
  { method: 'get', path: '/contests/{id}/results', permission: 'contests.read', url: (f, id) => `/api/v1/contests/${id ?? f.contest}/results`, crossScope: 'not_found', hasPathId: true },
];
