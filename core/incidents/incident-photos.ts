import { sql } from 'kysely';
import type { Db } from '../db/types.ts';
import { recordMedia } from '../media/media.repository.ts';
import { DomainError } from '../errors.ts';

/**
 * An open-source item's photos on VK's file servers, copied into the media store from intake on
 * (incident_photo, migration 2026-12-11T0400) by the filed-photo copier (bots/media/filing-photos.ts),
 * after the intake commits, as filing does for a resident's photos: VK signs its file URLs for a
 * limited time, and an item may wait days in the queue before triage. Acceptance gives the message
 * the copies made by then (photosAtAcceptance); the others go on from the message's own queue.
 */

/** Queues `urls` (already filtered to VK's file servers: copiablePhotos) for the copier at `now`. */
export async function queueIncidentPhotos(db: Db, incidentId: number, urls: readonly string[], now: Date): Promise<void> {
  if (urls.length === 0) return;
  await db
    .insertInto('incident_photo')
    .values(urls.map((url, position) => ({ incident_id: incidentId, source_url: url, position, copy_due_at: now })))
    .execute();
}

/** Copies made: each photo points at its copy and leaves the queue (a photo already settled, or gone at acceptance, is left alone). */
export async function recordIncidentCopies(db: Db, incidentId: number, copies: { photoId: number; mediaId: number }[]): Promise<number> {
  if (copies.length > 0) {
    // One statement for the batch (at most an item's ten photos), each photo pointing at its own copy.
    await sql`
      UPDATE incident_photo p SET media_id = c.media_id, copy_due_at = NULL, copy_error = NULL
      FROM unnest(${copies.map((c) => c.photoId)}::int[], ${copies.map((c) => c.mediaId)}::int[]) AS c(photo_id, media_id)
      WHERE p.id = c.photo_id AND p.incident_id = ${incidentId} AND p.media_id IS NULL`.execute(db);
  }
  // Nothing was sent without them: an item's photos reach officials only through its message.
  return 0;
}

/** A message_photo row of an accepted item, before its message id. */
export interface AcceptedPhoto {
  position: number;
  source_url: string;
  media_id: number | null;
  copy_due_at: Date | null;
  copy_attempts: number;
  copy_error: string | null;
}

/**
 * What the message accepted from an item gets of its queued photos, in order: a copy made (as a
 * media row of the message's municipality: the same stored bytes, so the municipality's officials
 * may open it), a photo given up as given up, and one still waiting queued anew for the message's
 * copier at `now` (its item row leaves the queue, so it is not downloaded twice). Null when the item
 * has no queued photos (taken in before the queue existed and not queued by its migration).
 */
export async function photosAtAcceptance(trx: Db, incidentId: number, municipalityId: number, now: Date): Promise<AcceptedPhoto[] | null> {
  const rows = await trx
    .selectFrom('incident_photo as p')
    .leftJoin('media as m', 'm.id', 'p.media_id')
    .select(['p.id', 'p.position', 'p.source_url', 'p.media_id', 'p.copy_due_at', 'p.copy_attempts', 'p.copy_error', 'm.municipality_id', 'm.sha256', 'm.mime', 'm.kind', 'm.size_bytes'])
    .where('p.incident_id', '=', incidentId)
    .orderBy('p.position')
    .forUpdate('p')
    .execute();
  if (rows.length === 0) return null;
  const photos: AcceptedPhoto[] = [];
  for (const row of rows) {
    const base = { position: row.position, source_url: row.source_url, copy_attempts: row.copy_attempts, copy_error: row.copy_error };
    if (row.media_id !== null && row.sha256 !== null) {
      const mediaId =
        row.municipality_id === municipalityId
          ? row.media_id
          : (await recordMedia(trx, { sha256: row.sha256, mime: row.mime!, kind: row.kind!, sizeBytes: Number(row.size_bytes) }, { municipalityId, origin: 'vk' })).id;
      photos.push({ ...base, media_id: mediaId, copy_due_at: null, copy_error: null });
    } else if (row.copy_due_at === null) {
      photos.push({ ...base, media_id: null, copy_due_at: null });
    } else {
      photos.push({ ...base, media_id: null, copy_due_at: now, copy_attempts: 0, copy_error: null });
      await trx.deleteFrom('incident_photo').where('id', '=', row.id).execute();
    }
  }
  return photos;
}

/** A dismissed item never becomes a message: its photos still waiting leave the queue (copies made stay with it). */
export async function dropQueuedIncidentPhotos(db: Db, incidentId: number): Promise<void> {
  await db.deleteFrom('incident_photo').where('incident_id', '=', incidentId).where('media_id', 'is', null).execute();
}

/**
 * VK's file servers: the only photo URLs of an item the server downloads (the wall and the monitored
 * pages give those; a URL another source sent through the API stays a link the console opens, never
 * fetched by the server).
 */
const VK_FILE_HOSTS = ['userapi.com', 'vk.com', 'vk.me', 'vkuserphoto.ru', 'vk-cdn.net'];

export function copiablePhotos(urls: readonly string[]): string[] {
  return urls.filter((url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    const host = parsed.hostname.toLowerCase();
    return parsed.protocol === 'https:' && parsed.port === '' && !parsed.username && !parsed.password && VK_FILE_HOSTS.some((h) => host === h || host.endsWith(`.${h}`));
  });
}

/**
 * Where an item's photo stands: its copy in the media store made (`copied`), still to be made
 * (`waiting`: queued, or being retried), given up (VK refused the file, or the attempts ran out), or
 * never to be made (`not_copied`: not on VK's file servers, or the item was triaged before its
 * photos were queued, or dismissed while they waited).
 */
export type IncidentPhotoState = 'copied' | 'waiting' | 'given_up' | 'not_copied';

export interface IncidentPhotoCopy {
  /** Its place in the item's `photos` (0-based). */
  position: number;
  sourceUrl: string;
  state: IncidentPhotoState;
  /** The copy (a media row), when `copied`. */
  mediaId: number | null;
  /** Why the last attempt failed (waiting for a retry, or given up). */
  error: string | null;
}

interface QueueRow {
  position: number;
  media_id: number | null;
  copy_due_at: Date | null;
  copy_error: string | null;
}

/** What the copies' state is read from: an item's id, its photo URLs and the message it became. */
export type IncidentPhotosOf = { id: number; photos: readonly string[]; messageId: number | null };

/**
 * Every photo of an item in order with its copy's state. The queue holds only the photos on VK's
 * file servers, numbered among themselves; after acceptance a photo still waiting went on in the
 * message's queue (message_photo, same number), and an item accepted before the queue existed has
 * its copies there only.
 */
export async function incidentPhotoCopies(db: Db, incident: IncidentPhotosOf): Promise<IncidentPhotoCopy[]> {
  return (await incidentPhotoCopiesOf(db, [incident])).get(incident.id) ?? [];
}

/**
 * incidentPhotoCopies for many items (a page of the triage queue, an item just triaged): one query
 * for all of them, the item's own queue and its message's read together, each row kept to the item
 * it belongs to (an item never sees another's rows, whatever its position numbers).
 */
export async function incidentPhotoCopiesOf(db: Db, incidents: readonly IncidentPhotosOf[]): Promise<Map<number, IncidentPhotoCopy[]>> {
  const copiable = incidents.filter((i) => copiablePhotos(i.photos).length > 0);
  const own = new Map<number, QueueRow[]>();
  const ofMessage = new Map<number, QueueRow[]>();
  if (copiable.length > 0) {
    const ids = copiable.map((i) => i.id);
    const messageIds = copiable.flatMap((i) => (i.messageId === null ? [] : [i.messageId]));
    const columns = ['position', 'media_id', 'copy_due_at', 'copy_error'] as const;
    const ownRows = db
      .selectFrom('incident_photo')
      .select([...columns, 'incident_id as owner', sql<boolean>`false`.as('of_message')])
      .where('incident_id', 'in', ids);
    const rows = await (messageIds.length === 0
      ? ownRows
      : ownRows.unionAll(
          db
            .selectFrom('message_photo')
            .select([...columns, 'message_id as owner', sql<boolean>`true`.as('of_message')])
            .where('message_id', 'in', messageIds)
            .where('comment_id', 'is', null),
        )
    ).execute();
    for (const row of rows) {
      const into = row.of_message ? ofMessage : own;
      into.set(row.owner, [...(into.get(row.owner) ?? []), row]);
    }
  }
  return new Map(incidents.map((i) => [i.id, photoStates(i, own.get(i.id) ?? [], i.messageId === null ? [] : (ofMessage.get(i.messageId) ?? []))]));
}

/** One item's photos from its queue rows and its message's (the item's own first: its copy or its state wins). */
function photoStates(incident: IncidentPhotosOf, own: readonly QueueRow[], message: readonly QueueRow[]): IncidentPhotoCopy[] {
  let queued = 0;
  return incident.photos.map((sourceUrl, position) => {
    if (copiablePhotos([sourceUrl]).length === 0) return { position, sourceUrl, state: 'not_copied', mediaId: null, error: null };
    const n = queued++;
    const rows = [own.find((r) => r.position === n), message.find((r) => r.position === n)].filter((r): r is QueueRow => r !== undefined);
    const copy = rows.find((r) => r.media_id !== null);
    if (copy) return { position, sourceUrl, state: 'copied', mediaId: copy.media_id, error: null };
    const waiting = rows.find((r) => r.copy_due_at !== null);
    if (waiting) return { position, sourceUrl, state: 'waiting', mediaId: null, error: waiting.copy_error };
    if (rows[0]) return { position, sourceUrl, state: 'given_up', mediaId: null, error: rows[0].copy_error };
    return { position, sourceUrl, state: 'not_copied', mediaId: null, error: null };
  });
}

/** The copy of the item's photo at `position`: PHOTO_NOT_FOUND past its photos, PHOTO_NOT_COPIED (with the state) without one. */
export async function incidentPhotoCopy(db: Db, incident: IncidentPhotosOf, position: number): Promise<number> {
  const photo = (await incidentPhotoCopies(db, incident))[position];
  if (!photo) throw new DomainError('PHOTO_NOT_FOUND', { incidentId: incident.id, position });
  if (photo.mediaId === null) throw new DomainError('PHOTO_NOT_COPIED', { incidentId: incident.id, position, state: photo.state });
  return photo.mediaId;
}
