import type { Db } from '../db/types.ts';
import type { MessageStatus } from '../messages/message.table.ts';
import { REDACTED, redactPersonal } from './redact.ts';

/**
 * The public Open311 GeoReport v2 view of the platform (wiki.open311.org/GeoReport_v2): the
 * category directory as services, and published messages as service requests. Nothing here
 * carries an author's identity: no names, phone numbers, messenger ids or resident ids, and the
 * public texts go through redactPersonal. Unpublished messages do not exist for this view.
 */

/**
 * How a POSTed request is handled (the spec's service `type`). The POST is built on the
 * incident intake: a posted request becomes a triage item that a moderator accepts or rejects
 * like an open-source message; its id is returned at once ('realtime'). Change it here if that
 * intake answers differently.
 */
export const SERVICE_TYPE = 'realtime';

export interface Open311Service {
  service_code: string;
  service_name: string;
  description: string;
  metadata: boolean;
  type: string;
  keywords: string;
  group: string;
}

/** Active categories as services, grouped by their sector (the spec's `group`), in directory order. */
export async function listServices(db: Db): Promise<Open311Service[]> {
  const rows = await db
    .selectFrom('category')
    .innerJoin('sector', 'sector.id', 'category.sector_id')
    .select(['category.code', 'category.title_ru', 'category.title_en', 'sector.title_ru as sector_ru', 'sector.title_en as sector_en'])
    .where('category.active', '=', true)
    .orderBy('sector.position')
    .orderBy('category.position')
    .orderBy('category.id')
    .execute();
  return rows.map((r) => ({
    service_code: r.code,
    service_name: r.title_ru,
    description: `${r.sector_ru}: ${r.title_ru}`,
    // No extra attributes are asked for: no service definition call is needed.
    metadata: false,
    type: SERVICE_TYPE,
    keywords: [r.title_en, r.sector_en, r.sector_ru].join(', '),
    group: r.sector_ru,
  }));
}

/**
 * The codes among `codes` that name no category. One taken out of the directory (inactive) is no
 * longer a service, but its requests still carry its code: filtering by it is no error.
 */
export async function unknownServiceCodes(db: Db, codes: readonly string[]): Promise<string[]> {
  if (codes.length === 0) return [];
  const known = new Set((await db.selectFrom('category').select('code').where('code', 'in', codes).execute()).map((r) => r.code));
  return codes.filter((c) => !known.has(c));
}

/** A jurisdiction is a municipality, named by its OKTMO code; null when there is none such. */
export async function jurisdictionMunicipality(db: Db, jurisdictionId: string): Promise<number | null> {
  const row = await db.selectFrom('municipality').select('id').where('oktmo', '=', jurisdictionId).executeTakeFirst();
  return row?.id ?? null;
}

export type Open311Status = 'open' | 'closed';

/** new and in work are open; solved, explained and rejected are closed. */
export function open311Status(status: MessageStatus): Open311Status {
  return status === 'new' || status === 'in_work' ? 'open' : 'closed';
}

const STATUSES_OF: Record<Open311Status, MessageStatus[]> = { open: ['new', 'in_work'], closed: ['solved', 'explained', 'rejected'] };

export interface Open311Request {
  service_request_id: string;
  status: Open311Status;
  status_notes: string | null;
  service_name: string;
  service_code: string;
  description: string;
  agency_responsible: string | null;
  service_notice: null;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: null;
  address: string | null;
  address_id: null;
  zipcode: null;
  lat: number;
  long: number;
  media_url: null;
}

export interface RequestQuery {
  /** Exactly these (published) messages; the other filters but the jurisdiction are then ignored, as the spec says. */
  ids?: number[];
  serviceCodes?: string[];
  status?: Open311Status[];
  from?: Date;
  to?: Date;
  /** `to` itself is out of the range (the midnight after a day asked for as a date alone). */
  toExcluded?: boolean;
  municipalityId?: number;
  limit: number;
  /** Rows skipped before the first returned (a page past the first). */
  offset?: number;
}

/** Published messages as service requests, newest first. */
export async function listServiceRequests(db: Db, query: RequestQuery): Promise<Open311Request[]> {
  let q = db
    .selectFrom('message')
    .innerJoin('category', 'category.id', 'message.category_id')
    .leftJoin('executor', 'executor.id', 'message.executor_id')
    .leftJoin('resident', 'resident.id', 'message.author_id')
    .select([
      'message.id',
      'message.author_id',
      'message.open_source',
      'message.status',
      'message.text',
      'message.address',
      'message.lat',
      'message.lon',
      'message.created_at',
      'message.updated_at',
      'message.closed_at',
      'category.code',
      'category.title_ru',
      'executor.name as executor_name',
      'executor.kind as executor_kind',
      // Read only to be redacted from the public texts; never returned.
      'resident.display_name',
    ])
    .where('message.published', '=', true)
    // An open-source message accepted without a point is not a geo request.
    .where('message.lat', 'is not', null)
    .orderBy('message.created_at', 'desc')
    .orderBy('message.id', 'desc')
    .limit(query.limit)
    .offset(query.offset ?? 0);
  if (query.ids) {
    q = q.where('message.id', 'in', query.ids.length > 0 ? query.ids : [0]);
  } else {
    if (query.serviceCodes && query.serviceCodes.length > 0) q = q.where('category.code', 'in', query.serviceCodes);
    if (query.status && query.status.length > 0)
      q = q.where(
        'message.status',
        'in',
        query.status.flatMap((s) => STATUSES_OF[s]),
      );
    if (query.from) q = q.where('message.created_at', '>=', query.from);
    if (query.to) q = q.where('message.created_at', query.toExcluded ? '<' : '<=', query.to);
  }
  if (query.municipalityId !== undefined) q = q.where('message.municipality_id', '=', query.municipalityId);
  const rows = await q.execute();
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const authors = [...new Set(rows.map((r) => r.author_id).filter((id): id is number => id !== null))];
  // An open-source message has no resident: its author is named by the item it came from (a city app's first and last name, a page's poster).
  const sourced = rows.filter((r) => r.open_source).map((r) => r.id);
  const [answers, handles, sourceAuthors] = await Promise.all([
    db
      .selectFrom('answer')
      .select(['message_id', 'text', 'kind'])
      .where('message_id', 'in', ids)
      .where('state', 'in', ['approved', 'delivered'])
      .where('kind', 'in', ['final', 'intermediate'])
      .orderBy('approved_at', 'asc')
      .orderBy('id', 'asc')
      .execute(),
    authors.length > 0 ? db.selectFrom('resident_identity').select(['resident_id', 'username']).where('resident_id', 'in', authors).execute() : [],
    sourced.length > 0 ? db.selectFrom('incident').select(['message_id', 'author_name']).where('message_id', 'in', sourced).execute() : [],
  ]);
  const sourceAuthor = new Map(sourceAuthors.map((i) => [i.message_id, i.author_name]));
  // The public answer: the final one once closed, else the latest intermediate one.
  const notes = new Map<number, { text: string; final: boolean }>();
  for (const a of answers) {
    const current = notes.get(a.message_id);
    if (!current?.final || a.kind === 'final') notes.set(a.message_id, { text: a.text, final: a.kind === 'final' });
  }
  return rows.map((r) => {
    const names = [r.display_name, sourceAuthor.get(r.id), ...handles.filter((h) => h.resident_id === r.author_id).map((h) => h.username)];
    // A resident's message without its author: they withdrew consent and their names were destroyed,
    // so nothing can find them in the texts any more. The texts are withheld, the request stays.
    const erased = r.author_id === null && !r.open_source;
    const redact = (text: string) => (erased ? REDACTED : redactPersonal(text, names));
    const status = open311Status(r.status);
    const note = notes.get(r.id);
    return {
      service_request_id: String(r.id),
      status,
      status_notes: note ? redact(note.text) : null,
      service_name: r.title_ru,
      service_code: r.code,
      description: redact(r.text),
      // An executor of kind 'official' is a person: only organisations are named.
      agency_responsible: r.executor_kind === 'organisation' ? r.executor_name : null,
      service_notice: null,
      requested_datetime: r.created_at.toISOString(),
      updated_datetime: (status === 'closed' && r.closed_at ? r.closed_at : r.updated_at).toISOString(),
      expected_datetime: null,
      address: r.address === null ? null : redact(r.address),
      address_id: null,
      zipcode: null,
      lat: r.lat!,
      long: r.lon!,
      // Residents' photos may show faces, number plates and homes, and their consent covers the
      // platform, not anonymous reuse: no media leaves through the public view.
      media_url: null,
    };
  });
}
