import type { Selectable } from 'kysely';
import type { Actor } from '../actor.ts';
import { firstResponseDue } from '../alerts/deadlines.ts';
import { audienceOf, raiseToAudience } from '../alerts/fallback.ts';
import { seesMunicipality, type Scope } from '../access/scope.ts';
import { getCategory } from '../categories/category.repository.ts';
import { decodeCursor, encodeCursor, pageSize } from '../db/pagination.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { isValidPoint, type Point } from '../geo/geo.ts';
import { acceptMessage, routeExecutor } from '../messages/moderation.service.ts';
import { recordEvent, type Message } from '../messages/message.repository.ts';
import type { AnswerTarget } from '../messages/message.table.ts';
import { validText } from '../messages/text.ts';
import { findMunicipalityByPoint, getMunicipality } from '../municipalities/municipality.repository.ts';
import { storedCell } from '../stats/h3.ts';
import type { IncidentSourceKind, IncidentState, IncidentTable, SourceRef } from './incident.table.ts';
import { copiablePhotos, dropQueuedIncidentPhotos, photosAtAcceptance, queueIncidentPhotos } from './incident-photos.ts';
import { matchCount } from './stems.ts';
import { canonicalSourceUrl, validUrl } from './url.ts';

export interface Incident {
  id: number;
  municipalityId: number | null;
  source: IncidentSourceKind;
  sourceUrl: string;
  sourceRef: SourceRef;
  incidentSourceId: number | null;
  authorName: string | null;
  text: string;
  postedAt: Date;
  point: Point | null;
  photos: string[];
  suggestedCategoryId: number | null;
  state: IncidentState;
  dismissReason: string | null;
  messageId: number | null;
  triagedBy: number | null;
  triagedAt: Date | null;
  createdAt: Date;
}

export function toIncident(row: Selectable<IncidentTable>): Incident {
  return {
    id: row.id,
    municipalityId: row.municipality_id,
    source: row.source,
    sourceUrl: row.source_url,
    sourceRef: row.source_ref,
    incidentSourceId: row.incident_source_id,
    authorName: row.author_name,
    text: row.text,
    postedAt: row.posted_at,
    point: row.lat === null || row.lon === null ? null : { lat: row.lat, lon: row.lon },
    photos: row.photos,
    suggestedCategoryId: row.suggested_category_id,
    state: row.state,
    dismissReason: row.dismiss_reason,
    messageId: row.message_id,
    triagedBy: row.triaged_by,
    triagedAt: row.triaged_at,
    createdAt: row.created_at,
  };
}

export const MAX_INCIDENT_PHOTOS = 10;
export interface IntakeInput {
  /** null: the region's shared queue (e.g. the community's own wall); set at triage. */
  municipalityId: number | null;
  source: IncidentSourceKind;
  sourceUrl: string;
  sourceRef?: SourceRef;
  incidentSourceId?: number | null;
  authorName?: string | null;
  text: string;
  postedAt: Date;
  point?: Point | null;
  photos?: string[];
  suggestedCategoryId?: number | null;
}

/**
 * One open-source item into the triage queue, idempotent by its source URL: a second intake of
 * the same post (a retried webhook, a poll that overlaps, an integration sending again) returns the
 * first item and changes nothing. A new item raises the urgent alert to the curators and moderators.
 * With a `scope` (an official's intake), a URL whose item the scope cannot see (another
 * municipality took it in) is ALREADY_EXISTS, not that item.
 */
export function intakeIncident(db: Db, input: IntakeInput, now: Date, scope?: Scope): Promise<{ incident: Incident; created: boolean }> {
  return inTransaction(db, async (trx) => {
    // Open311 requests have no public URL: the façade names them itself (urn:otklik:open311:…).
    // Kept as given (an http-only site stays http), deduplicated by its canonical spelling.
    const sourceUrl = input.source === 'open311' ? input.sourceUrl : validUrl(input.sourceUrl, 'sourceUrl');
    const canonicalUrl = input.source === 'open311' ? sourceUrl : canonicalSourceUrl(sourceUrl);
    const text = validText(input.text);
    if (input.point && !isValidPoint(input.point)) throw new DomainError('INVALID_POINT', { field: 'point' });
    const photos = (input.photos ?? []).map((p, i) => validUrl(p, `photos[${i}]`));
    if (photos.length > MAX_INCIDENT_PHOTOS) throw new DomainError('TOO_MANY_PHOTOS', { max: MAX_INCIDENT_PHOTOS });
    if (Number.isNaN(input.postedAt.getTime())) throw new DomainError('VALIDATION', { field: 'postedAt', problem: 'not a date' });
    if (input.municipalityId !== null) await getMunicipality(trx, input.municipalityId);
    const authorName = input.authorName?.trim().slice(0, 200) || null;
    const suggested = input.suggestedCategoryId ?? (input.municipalityId === null ? null : await suggestCategory(trx, input.municipalityId, text));
    const row = await trx
      .insertInto('incident')
      .values({
        municipality_id: input.municipalityId,
        source: input.source,
        source_url: sourceUrl,
        canonical_url: canonicalUrl,
        source_ref: JSON.stringify(input.sourceRef ?? {}),
        incident_source_id: input.incidentSourceId ?? null,
        author_name: authorName,
        text,
        posted_at: input.postedAt,
        lat: input.point?.lat ?? null,
        lon: input.point?.lon ?? null,
        photos: JSON.stringify(photos),
        suggested_category_id: suggested,
        created_at: now,
      })
      .onConflict((oc) => oc.column('canonical_url').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) {
      const existing = toIncident(await trx.selectFrom('incident').selectAll().where('canonical_url', '=', canonicalUrl).executeTakeFirstOrThrow());
      if (scope && !visible(scope, existing)) throw new DomainError('ALREADY_EXISTS', { field: 'sourceUrl' });
      return { incident: existing, created: false };
    }
    const incident = toIncident(row);
    // Its photos on VK's file servers are copied after this commits (their URLs expire), not at triage.
    await queueIncidentPhotos(trx, incident.id, copiablePhotos(photos), now);
    await alertNewIncident(trx, incident, now);
    return { incident, created: true };
  });
}

/**
 * The urgent alert of a new item: the municipality's curators and moderators (every municipality's
 * for the region's queue). When none of them is reachable in a messenger, the regional curators get
 * it instead (audienceOf), naming the municipality, so a new item never reaches nobody.
 */
async function alertNewIncident(db: Db, incident: Incident, now: Date): Promise<void> {
  await raiseToAudience(
    db,
    await audienceOf(db, incident.municipalityId, ['curator', 'moderator']),
    {
      kind: 'alert.incident_new',
      key: 'incident.alert_new',
      params: {
        incidentId: incident.id,
        source: { $key: `incident.sources.${incident.source}` },
        // A city app's request has no public page: its urn:otklik:open311:… is no link for an official.
        url: incident.source === 'open311' ? { $key: 'incident.no_link_open311' } : incident.sourceUrl,
        text: incident.text.slice(0, 500),
      },
      dedupeKey: `incident:${incident.id}`,
    },
    now,
  );
}

/** The category whose active rule matches most keywords of the text in the municipality, if any. */
export async function suggestCategory(db: Db, municipalityId: number, text: string): Promise<number | null> {
  const rules = await db.selectFrom('incident_rule').select(['id', 'category_id', 'stems']).where('municipality_id', '=', municipalityId).where('active', '=', true).orderBy('id').execute();
  let best: { categoryId: number; score: number } | null = null;
  for (const rule of rules) {
    const score = matchCount(text, rule.stems);
    if (score > 0 && (!best || score > best.score)) best = { categoryId: rule.category_id, score };
  }
  return best?.categoryId ?? null;
}

/** Items of the scope: their municipality's, and the region's shared queue (municipality not set yet). */
function visible(scope: Scope, incident: Pick<Incident, 'municipalityId'>): boolean {
  return incident.municipalityId === null || seesMunicipality(scope, incident.municipalityId);
}

export async function getIncident(db: Db, scope: Scope, id: number, forUpdate = false): Promise<Incident> {
  let query = db.selectFrom('incident').selectAll().where('id', '=', id);
  if (forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row || !visible(scope, toIncident(row))) throw new DomainError('INCIDENT_NOT_FOUND', { id });
  return toIncident(row);
}

export interface IncidentFilter {
  state?: IncidentState;
  source?: IncidentSourceKind;
  municipalityId?: number;
  cursor?: string;
  limit?: number;
}

/** The triage queue, newest first, restricted to the scope (a requested municipality outside it is 404). */
export async function listIncidents(db: Db, scope: Scope, filter: IncidentFilter): Promise<{ items: Incident[]; nextCursor: string | null }> {
  if (filter.municipalityId !== undefined && !seesMunicipality(scope, filter.municipalityId)) throw new DomainError('MUNICIPALITY_NOT_FOUND', { id: filter.municipalityId });
  const limit = pageSize(filter.limit);
  let query = db
    .selectFrom('incident')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (filter.municipalityId !== undefined) query = query.where('municipality_id', '=', filter.municipalityId);
  else if (scope.municipalityId !== null) {
    const own = scope.municipalityId;
    query = query.where((eb) => eb.or([eb('municipality_id', '=', own), eb('municipality_id', 'is', null)]));
  }
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.source) query = query.where('source', '=', filter.source);
  if (filter.cursor !== undefined) query = query.where('id', '<', decodeCursor(filter.cursor).id);
  const rows = await query.execute();
  const items = rows.slice(0, limit).map(toIncident);
  return { items, nextCursor: rows.length > limit ? encodeCursor({ v: null, id: items.at(-1)!.id }) : null };
}

/** What the routing rules suggest for an item: the category from the keyword rules, the executor from the routing rules. */
export async function suggestionFor(db: Db, incident: Incident, municipalityId: number | null = incident.municipalityId): Promise<{ categoryId: number | null; executorId: number | null }> {
  if (municipalityId === null) return { categoryId: incident.suggestedCategoryId, executorId: null };
  const categoryId = incident.suggestedCategoryId ?? (await suggestCategory(db, municipalityId, incident.text));
  if (categoryId === null) return { categoryId: null, executorId: null };
  const executorId = await routeExecutor(db, municipalityId, categoryId).catch(() => null);
  return { categoryId, executorId };
}

/** Where answers to an item from this source can go: only our own community's wall takes our comments. */
export function answerTargetOf(source: IncidentSourceKind, ref: SourceRef): AnswerTarget {
  return source === 'vk_wall' && ref.ownerId !== undefined && ref.postId !== undefined ? 'source_comment' : 'by_hand';
}

export interface AcceptIncidentInput {
  incidentId: number;
  municipalityId: number;
  categoryId: number;
  point?: Point | null;
  /** Omit to route by the municipality's routing rules. */
  executorId?: number;
  actor: Actor;
}

/**
 * Triage accepts an item: it becomes an open-source message of the municipality (the one
 * lifecycle), taken into work at once with the executor, and the one-working-hour draft rule starts
 * (`first_response`). Without a point the message has none (it is then off the map).
 */
export function acceptIncident(db: Db, scope: Scope, input: AcceptIncidentInput, now: Date): Promise<{ incident: Incident; message: Message }> {
  return inTransaction(db, async (trx) => {
    const incident = await getIncident(trx, scope, input.incidentId, true);
    if (incident.state !== 'new') throw new DomainError('INCIDENT_NOT_NEW', { id: incident.id, state: incident.state });
    if (!seesMunicipality(scope, input.municipalityId)) throw new DomainError('MUNICIPALITY_NOT_FOUND', { id: input.municipalityId });
    const municipality = await getMunicipality(trx, input.municipalityId);
    const category = await getCategory(trx, input.categoryId);
    if (!category.active) throw new DomainError('CATEGORY_NOT_FOUND', { id: category.id });
    const point = input.point ?? incident.point;
    if (point) {
      if (!isValidPoint(point)) throw new DomainError('INVALID_POINT', { field: 'point' });
      const found = await findMunicipalityByPoint(trx, point).catch(() => null);
      if (found?.id !== municipality.id) throw new DomainError('OUTSIDE_MUNICIPALITY', { field: 'point', municipalityId: municipality.id });
    }
    const row = await trx
      .insertInto('message')
      .values({
        author_id: null,
        municipality_id: municipality.id,
        category_id: category.id,
        text: incident.text,
        lat: point?.lat ?? null,
        lon: point?.lon ?? null,
        channel: null,
        open_source: true,
        source: incident.source,
        source_url: incident.sourceUrl,
        answer_target: answerTargetOf(incident.source, incident.sourceRef),
        h3_r10: point ? storedCell(point) : null,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordEvent(trx, row.id, input.actor, { kind: 'filed', to: 'new', data: { incidentId: incident.id, source: incident.source, url: incident.sourceUrl } }, now);
    // The item's photos on VK's file servers become the message's before the card is composed: the
    // copies made since intake at once, the others queued for the filed-photo copier (the card shows
    // the copies made by then, later ones follow it).
    const queued = await photosAtAcceptance(trx, incident.id, municipality.id, now);
    const photos = queued ?? copiablePhotos(incident.photos).map((url, position) => ({ position, source_url: url, media_id: null, copy_due_at: now, copy_attempts: 0, copy_error: null }));
    if (photos.length > 0) {
      await trx
        .insertInto('message_photo')
        .values(photos.map((p) => ({ ...p, message_id: row.id, channel: 'vk' as const, file_id: null, file_unique_id: null })))
        .execute();
    }
    const message = await acceptMessage(trx, { messageId: row.id, executorId: input.executorId, actor: input.actor }, now);
    await trx
      .insertInto('first_response')
      .values({ message_id: message.id, accepted_at: now, due_at: firstResponseDue(municipality.calendar, now) })
      .execute();
    const updated = await trx
      .updateTable('incident')
      .set({ state: 'accepted', municipality_id: municipality.id, message_id: message.id, triaged_by: staffIdOf(input.actor), triaged_at: now })
      .where('id', '=', incident.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { incident: toIncident(updated), message };
  });
}

/** Triage dismisses an item with a reason: it stays in the queue's history and never becomes a message (no KPI counts it). */
export function dismissIncident(db: Db, scope: Scope, input: { incidentId: number; reason: string; actor: Actor }, now: Date): Promise<Incident> {
  return inTransaction(db, async (trx) => {
    const reason = input.reason?.trim();
    if (!reason) throw new DomainError('REASON_REQUIRED', { field: 'reason' });
    const incident = await getIncident(trx, scope, input.incidentId, true);
    if (incident.state !== 'new') throw new DomainError('INCIDENT_NOT_NEW', { id: incident.id, state: incident.state });
    const row = await trx
      .updateTable('incident')
      .set({ state: 'dismissed', dismiss_reason: reason.slice(0, 1000), triaged_by: staffIdOf(input.actor), triaged_at: now })
      .where('id', '=', incident.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await dropQueuedIncidentPhotos(trx, incident.id);
    return toIncident(row);
  });
}

const staffIdOf = (actor: Actor) => (actor.kind === 'staff' ? actor.staffId : null);
