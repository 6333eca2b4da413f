import { sql, type Selectable } from 'kysely';
import { type Announcement, announce, reviseAnnouncement, stopAnnouncement } from '../broadcasts/broadcasts.ts';
import { changedFields } from '../audit/changes.ts';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { containsPoint, isValidPoint } from '../geo/geo.ts';
import { usableMedia } from '../media/media.repository.ts';
import { getMunicipality } from '../municipalities/municipality.repository.ts';
import { cancelUnsent, enqueue, PRIORITY } from '../outbox/outbox.repository.ts';
import { residentTarget } from '../notifications/notify.ts';
import { readerDate } from '../text/reader-date.ts';
import { openEventId, remindId } from './actions.ts';
import { periodRange, type AfishaPeriod } from './local-time.ts';
import type { AfishaEventTable, EventKind, EventState } from './news.table.ts';

/** A reminder goes out this long before the start. */
export const REMIND_BEFORE_MS = 3 * 60 * 60 * 1000;
/** A reminder queued later than this after its time (asked for late, or cron catching up) says "soon", not "in 3 hours". */
const LATE_REMINDER_MS = 5 * 60 * 1000;

export interface EventFields {
  kind: EventKind;
  title: string;
  description: string;
  startsAt: Date;
  endsAt: Date;
  venue: { name: string; address: string; lat: number; lon: number };
  ageLimit: number | null;
  price: string | null;
  organiser: string | null;
  photoMediaId: number | null;
  link: string | null;
}

/** An event: what staff write (its fields) and what the platform keeps about it. */
export interface AfishaEvent extends EventFields {
  id: number;
  municipalityId: number;
  state: EventState;
  publishedAt: Date | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
  broadcastId: number | null;
  createdByStaffId: number | null;
  createdAt: Date;
  updatedAt: Date;
}

function toEvent(row: Selectable<AfishaEventTable>): AfishaEvent {
  return {
    id: row.id,
    municipalityId: row.municipality_id,
    kind: row.kind,
    state: row.state,
    title: row.title,
    description: row.description,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    venue: { name: row.venue_name, address: row.venue_address, lat: row.venue_lat, lon: row.venue_lon },
    ageLimit: row.age_limit,
    price: row.price,
    organiser: row.organiser,
    photoMediaId: row.photo_media_id,
    link: row.link,
    publishedAt: row.published_at,
    cancelledAt: row.cancelled_at,
    cancelReason: row.cancel_reason,
    broadcastId: row.broadcast_id,
    createdByStaffId: row.created_by_staff_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** End after start, the venue inside the municipality's boundary, the photo an image of its scope. Throws VALIDATION with the field. */
async function checkEvent(db: Db, municipalityId: number, fields: EventFields): Promise<void> {
  if (fields.endsAt.getTime() <= fields.startsAt.getTime()) throw new DomainError('VALIDATION', { field: 'endsAt', problem: 'must be after startsAt' });
  const point = { lat: fields.venue.lat, lon: fields.venue.lon };
  if (!isValidPoint(point)) throw new DomainError('VALIDATION', { field: 'venue', problem: 'not a valid point' });
  const municipality = await getMunicipality(db, municipalityId);
  if (municipality.boundary && !containsPoint(municipality.boundary, point)) {
    throw new DomainError('VALIDATION', { field: 'venue', problem: 'the point is outside the municipality' });
  }
  if (fields.photoMediaId !== null) {
    const media = await usableMedia(db, municipalityId, fields.photoMediaId);
    if (media.kind !== 'image') throw new DomainError('VALIDATION', { field: 'photoMediaId', problem: 'an image, not a video' });
  }
}

export async function getEvent(db: Db, id: number): Promise<AfishaEvent> {
  const row = await db.selectFrom('afisha_event').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('EVENT_NOT_FOUND', { id });
  return toEvent(row);
}

async function lockEvent(db: Db, id: number): Promise<AfishaEvent> {
  const row = await db.selectFrom('afisha_event').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw new DomainError('EVENT_NOT_FOUND', { id });
  return toEvent(row);
}

function columns(f: Partial<EventFields>) {
  return {
    ...(f.kind !== undefined && { kind: f.kind }),
    ...(f.title !== undefined && { title: f.title }),
    ...(f.description !== undefined && { description: f.description }),
    ...(f.startsAt !== undefined && { starts_at: f.startsAt }),
    ...(f.endsAt !== undefined && { ends_at: f.endsAt }),
    ...(f.venue !== undefined && { venue_name: f.venue.name, venue_address: f.venue.address, venue_lat: f.venue.lat, venue_lon: f.venue.lon }),
    ...(f.ageLimit !== undefined && { age_limit: f.ageLimit }),
    ...(f.price !== undefined && { price: f.price }),
    ...(f.organiser !== undefined && { organiser: f.organiser }),
    ...(f.photoMediaId !== undefined && { photo_media_id: f.photoMediaId }),
    ...(f.link !== undefined && { link: f.link }),
  };
}

export async function createEvent(db: Db, input: EventFields & { municipalityId: number; staffId: number | null }, now: Date): Promise<AfishaEvent> {
  await checkEvent(db, input.municipalityId, input);
  const row = await db
    .insertInto('afisha_event')
    .values({
      municipality_id: input.municipalityId,
      kind: input.kind,
      title: input.title,
      description: input.description,
      starts_at: input.startsAt,
      ends_at: input.endsAt,
      venue_name: input.venue.name,
      venue_address: input.venue.address,
      venue_lat: input.venue.lat,
      venue_lon: input.venue.lon,
      age_limit: input.ageLimit,
      price: input.price,
      organiser: input.organiser,
      photo_media_id: input.photoMediaId,
      link: input.link,
      created_by_staff_id: input.staffId,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEvent(row);
}

/**
 * Edits an event (a cancelled one is read-only); the result is checked as a whole. A published
 * event's announcement not sent yet carries the edit; moved or at another venue, everyone who asked for a reminder is told.
 */
export async function updateEvent(db: Db, id: number, patch: Partial<EventFields>, now: Date): Promise<{ event: AfishaEvent; changed: string[] }> {
  const event = await lockEvent(db, id);
  if (event.state === 'cancelled') throw new DomainError('ILLEGAL_TRANSITION', { id, state: event.state, action: 'edit' });
  const merged: EventFields = { ...event, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as EventFields;
  // Only what differs from the event counts: nothing to change (no field given, or each as it is) is no write, and the route audits nothing.
  const changed = changedFields(event, patch);
  if (changed.length === 0) return { event, changed };
  await checkEvent(db, event.municipalityId, merged);
  const row = await db
    .updateTable('afisha_event')
    .set({ ...columns(patch), updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const updated = toEvent(row);
  const timeZone = (await getMunicipality(db, updated.municipalityId)).timeZone;
  // Residents its announcement has not reached yet get the edited card (a new time, venue …).
  if (event.state === 'published') await reviseAnnouncement(db, updated.broadcastId, eventAnnouncement(updated, timeZone));
  // A correction to an event that is over (or now dated in the past) is the record's, not news to those who asked for a reminder.
  const tell = event.state === 'published' && !isOver(event, now) && !isOver(updated, now);
  if (patch.startsAt && patch.startsAt.getTime() !== event.startsAt.getTime()) {
    // A new start time: every reminder is sent (again) before it, once.
    await requeueReminders(db, id);
    // Who asked for a reminder planned for the old time: told of the new one now, not 3 hours before it (the notice names the venue too).
    if (tell) await tellMoved(db, event, updated, timeZone);
  } else {
    if (tell && newPlace(event, updated)) {
      await tellFollowers(db, updated, {
        kind: 'event.venue_changed',
        key: 'events.venue_changed',
        params: { ...eventParams(updated, timeZone), was: `${event.venue.name}, ${event.venue.address}` },
        dedupeKey: (residentId) => `event-venue:${id}:${residentId}:${now.getTime()}`,
      });
    }
    if (event.state === 'published' && reminderDiffers(event, updated)) await refreshQueuedReminders(db, updated, now);
  }
  return { event: updated, changed };
}

/** What a reminder shows besides the time (a new time requeues every reminder anyway): the title and the place, its point included. */
const reminderDiffers = (before: AfishaEvent, after: AfishaEvent) =>
  before.title !== after.title || newPlace(before, after) || before.venue.lat !== after.venue.lat || before.venue.lon !== after.venue.lon;

/**
 * Reminders queued and not sent yet were rendered with the event as it was: each is dropped and
 * queued again at once as the event now is (it is due already; one being sent or sent stays).
 * Done here rather than at send time: the outbox renders stored payloads, and no other kind is re-read when sent.
 */
async function refreshQueuedReminders(db: Db, event: AfishaEvent, now: Date): Promise<void> {
  // Locked: a reminder turned off meanwhile is either gone here or has the new row cancelled (unremindMe waits).
  const queued = await db.selectFrom('event_reminder').select(['resident_id', 'outbox_id']).where('event_id', '=', event.id).where('outbox_id', 'is not', null).forUpdate().execute();
  // Only those the sender has not claimed: the state condition settles a race with it.
  const droppedIds = await cancelUnsent(
    db,
    queued.map((r) => r.outbox_id),
    'event edited',
  );
  for (const r of queued) {
    if (r.outbox_id !== null && droppedIds.has(r.outbox_id)) await queueReminder(db, event, r.resident_id, now, r.outbox_id);
  }
}

const isOver = (event: AfishaEvent, now: Date) => event.endsAt.getTime() <= now.getTime();

/** Another place by its name or address; a map point corrected alone is not (the reminder carries the point). */
const newPlace = (before: AfishaEvent, after: AfishaEvent) => before.venue.name !== after.venue.name || before.venue.address !== after.venue.address;

async function tellMoved(db: Db, before: AfishaEvent, after: AfishaEvent, timeZone: string): Promise<void> {
  await tellFollowers(db, after, {
    kind: 'event.moved',
    key: 'events.moved',
    params: { ...eventParams(after, timeZone), was: readerDate(before.startsAt, timeZone) },
    // The edit's time too: an event moved back to a time it had before is told again.
    dedupeKey: (residentId) => `event-moved:${after.id}:${residentId}:${after.startsAt.getTime()}:${after.updatedAt.getTime()}`,
  });
}

/** A notice of a change to everyone who asked for the event's reminder (its followers), with the venue as a location. */
async function tellFollowers(db: Db, event: AfishaEvent, notice: { kind: string; key: string; params: Record<string, unknown>; dedupeKey: (residentId: number) => string }): Promise<void> {
  const reminders = await db.selectFrom('event_reminder').select('resident_id').where('event_id', '=', event.id).execute();
  for (const r of reminders) {
    await queueForResident(db, r.resident_id, {
      kind: notice.kind,
      key: notice.key,
      params: notice.params,
      dedupeKey: notice.dedupeKey(r.resident_id),
      location: { lat: event.venue.lat, lon: event.venue.lon },
    });
  }
}

/**
 * A moved event's reminders all wait again for the new start − 3 h: one queued and not sent yet is
 * dropped (it names the old time), and one already sent for the old time does not stand for the new one.
 */
async function requeueReminders(db: Db, eventId: number): Promise<void> {
  const queued = await db.selectFrom('event_reminder').select('outbox_id').where('event_id', '=', eventId).where('outbox_id', 'is not', null).execute();
  await cancelUnsent(
    db,
    queued.map((r) => r.outbox_id),
    'event moved',
  );
  await db.updateTable('event_reminder').set({ queued_at: null, outbox_id: null }).where('event_id', '=', eventId).execute();
}

/** Its card fields for texts (announcement, reminder, feed). */
export function eventParams(event: AfishaEvent, timeZone: string): Record<string, unknown> {
  return {
    title: event.title,
    description: event.description,
    starts: readerDate(event.startsAt, timeZone),
    ends: readerDate(event.endsAt, timeZone),
    venue: event.venue.name,
    address: event.venue.address,
    age: event.ageLimit === null ? '' : `${event.ageLimit}+`,
    price: event.price ?? '',
    /** A locale reference (rendered in each reader's language) when free. */
    priceLabel: event.price ?? { $key: 'events.free' },
    organiser: event.organiser ?? '',
    link: event.link ?? '',
  };
}

/** What subscribers are sent: the card with the photo, the venue as a location (OutboxPayload.location), "Remind me" and "Details". */
function eventAnnouncement(event: AfishaEvent, timeZone: string): Announcement {
  return {
    // No description: no empty paragraph closing the message.
    key: event.description.trim() ? 'events.broadcast' : 'events.broadcast_brief',
    params: {
      ...eventParams(event, timeZone),
      kindLabel: { $key: `events.kind_${event.kind}` },
      // The age limit as the card shows it, a line of its own only when there is one.
      ageLine: event.ageLimit === null ? '' : { $key: 'events.broadcast_age', $params: { age: `${event.ageLimit}+` } },
    },
    ...(event.photoMediaId !== null && { media: [event.photoMediaId] }),
    keyboard: { kind: 'inline', rows: [[{ id: remindId(event.id), label: 'events.remind' }], [{ id: openEventId(event.id), label: 'events.details' }]] },
    location: { lat: event.venue.lat, lon: event.venue.lon },
  };
}

/**
 * Publishes a draft: state `published`, and a broadcast to the municipality's residents subscribed
 * to the kind's topic (`culture_events`, `sport_events`) with the photo, the venue as a location
 * and a "Remind me" button.
 */
export async function publishEvent(db: Db, id: number, now: Date, staffId: number | null): Promise<AfishaEvent> {
  const event = await lockEvent(db, id);
  if (event.state !== 'draft') throw new DomainError('ILLEGAL_TRANSITION', { id, state: event.state, action: 'publish' });
  if (event.endsAt.getTime() <= now.getTime()) throw new DomainError('VALIDATION', { field: 'endsAt', problem: 'the event is over' });
  const municipality = await getMunicipality(db, event.municipalityId);
  const broadcastId = await announce(db, {
    audience: { municipalityId: event.municipalityId, topic: event.kind === 'culture' ? 'culture_events' : 'sport_events' },
    message: eventAnnouncement(event, municipality.timeZone),
    kind: 'broadcast.event',
    source: `event:${event.id}`,
    createdByStaffId: staffId,
  });
  const row = await db
    .updateTable('afisha_event')
    .set({ state: 'published', published_at: now, broadcast_id: broadcastId, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEvent(row);
}

/**
 * Cancels an event: its announcement and reminders not yet sent are dropped, and every resident
 * who asked for one is told (a notice, at once), unless it is over. Returns the event and how many were told.
 */
export async function cancelEvent(db: Db, id: number, reason: string | null, now: Date): Promise<{ event: AfishaEvent; told: number }> {
  const event = await lockEvent(db, id);
  if (event.state === 'cancelled') throw new DomainError('ILLEGAL_TRANSITION', { id, state: event.state, action: 'cancel' });
  // Its announcement (with "Remind me") is not sent further.
  await stopAnnouncement(db, event.broadcastId, now);
  const row = await db.updateTable('afisha_event').set({ state: 'cancelled', cancelled_at: now, cancel_reason: reason, updated_at: now }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  const reminders = await db.selectFrom('event_reminder').select(['resident_id', 'outbox_id']).where('event_id', '=', id).execute();
  await cancelUnsent(
    db,
    reminders.map((r) => r.outbox_id),
    'event cancelled',
  );
  // Nothing left waits for the cron: mark every reminder settled.
  await db.updateTable('event_reminder').set({ queued_at: now }).where('event_id', '=', id).where('queued_at', 'is', null).execute();
  const municipality = await getMunicipality(db, event.municipalityId);
  let told = 0;
  // An event that is over is cancelled for the record: no one is told.
  for (const r of isOver(event, now) ? [] : reminders) {
    const ok = await queueForResident(db, r.resident_id, {
      kind: 'event.cancelled',
      key: 'events.cancelled',
      params: { title: event.title, starts: readerDate(event.startsAt, municipality.timeZone), reason: reason ?? '' },
      dedupeKey: `event-cancelled:${id}:${r.resident_id}`,
    });
    if (ok !== null) told++;
  }
  return { event: toEvent(row), told };
}

/** One outbox row for a resident where notices reach them (`residentTarget`), with a live consent; the row id or null. */
async function queueForResident(
  db: Db,
  residentId: number,
  row: { kind: string; key: string; params: Record<string, unknown>; dedupeKey: string; keyboard?: unknown; location?: { lat: number; lon: number } },
): Promise<number | null> {
  const target = await residentTarget(db, residentId);
  if (!target) return null;
  const [id] = await enqueue(db, [
    {
      channel: target.channel,
      chatId: target.chat_id,
      recipientKind: 'resident',
      residentId,
      kind: row.kind,
      payload: { key: row.key, params: row.params, language: target.language, ...(row.keyboard !== undefined && { keyboard: row.keyboard }), ...(row.location && { location: row.location }) },
      priority: PRIORITY.notification,
      dedupeKey: row.dedupeKey,
    },
  ]);
  return id ?? null;
}

/** `soon`: the event starts in less than 3 hours, the reminder is sent at once; `started` / `over`: too late for one. */
export type RemindResult = 'scheduled' | 'soon' | 'already' | 'started' | 'over' | 'cancelled' | 'unavailable';

/**
 * A resident's "Remind me": a reminder row, queued into the outbox by cron at start − 3 h (at
 * once when that time has passed but the event has not started). A second tap changes nothing.
 */
export async function remindMe(db: Db, eventId: number, residentId: number, now: Date): Promise<RemindResult> {
  const event = await db.selectFrom('afisha_event').selectAll().where('id', '=', eventId).executeTakeFirst();
  if (event?.state === 'cancelled') return 'cancelled';
  if (event?.state !== 'published') return 'unavailable';
  if (event.ends_at.getTime() <= now.getTime()) return 'over';
  if (event.starts_at.getTime() <= now.getTime()) return 'started';
  const inserted = await db
    .insertInto('event_reminder')
    .values({ event_id: eventId, resident_id: residentId, created_at: now })
    .onConflict((oc) => oc.columns(['event_id', 'resident_id']).doNothing())
    .returning('event_id')
    .executeTakeFirst();
  if (!inserted) return 'already';
  if (event.starts_at.getTime() - REMIND_BEFORE_MS > now.getTime()) return 'scheduled';
  await queueReminder(db, toEvent(event), residentId, now);
  return 'soon';
}

/** `off`: the reminder is deleted; `already_off`: there was none (a second tap, a stale button). */
export type UnremindResult = 'off' | 'already_off';

/**
 * A resident's "Don't remind me": their reminder row goes, so neither the reminder nor the event's
 * change notices (moved, another venue) reach them any more; one queued and not sent yet is dropped.
 */
export async function unremindMe(db: Db, eventId: number, residentId: number): Promise<UnremindResult> {
  // Waits for a cron run or an edit that has taken the row (both lock it), so the outbox row it queued is known here.
  const row = await db.deleteFrom('event_reminder').where('event_id', '=', eventId).where('resident_id', '=', residentId).returning('outbox_id').executeTakeFirst();
  if (!row) return 'already_off';
  await cancelUnsent(db, [row.outbox_id], 'reminder turned off');
  return 'off';
}

/** Whether the resident has the event's reminder on: its card offers "Don't remind me" then. */
export async function hasReminder(db: Db, eventId: number, residentId: number): Promise<boolean> {
  const row = await db.selectFrom('event_reminder').select('event_id').where('event_id', '=', eventId).where('resident_id', '=', residentId).executeTakeFirst();
  return row !== undefined;
}

/** `replaces`: the outbox row of the reminder this one renders again after an edit (its dedupe key differs even within the same millisecond). */
async function queueReminder(db: Db, event: AfishaEvent, residentId: number, now: Date, replaces?: number): Promise<void> {
  const municipality = await getMunicipality(db, event.municipalityId);
  const outboxId = await queueForResident(db, residentId, {
    kind: 'event.reminder',
    key: event.startsAt.getTime() - now.getTime() < REMIND_BEFORE_MS - LATE_REMINDER_MS ? 'events.reminder_soon' : 'events.reminder',
    params: eventParams(event, municipality.timeZone),
    location: { lat: event.venue.lat, lon: event.venue.lon },
    // Unique per queueing (a moved event queues anew); the reminder row, locked and marked, keeps it to once.
    dedupeKey: `event-reminder:${event.id}:${residentId}:${event.startsAt.getTime()}:${now.getTime()}${replaces === undefined ? '' : `:r${replaces}`}`,
  });
  await db.updateTable('event_reminder').set({ queued_at: now, outbox_id: outboxId }).where('event_id', '=', event.id).where('resident_id', '=', residentId).execute();
}

/**
 * Cron job body (in the job's transaction, under its advisory lock): queues the reminders whose
 * time (start − 3 h) has come, for published events not yet started; each behind a savepoint.
 */
export async function queueDueReminders(trx: Db, now: Date): Promise<{ queued: number; failed: number }> {
  const due = await trx
    .selectFrom('event_reminder as er')
    .innerJoin('afisha_event as e', 'e.id', 'er.event_id')
    .select(['er.event_id', 'er.resident_id'])
    .where('er.queued_at', 'is', null)
    .where('e.state', '=', 'published')
    .where('e.starts_at', '<=', new Date(now.getTime() + REMIND_BEFORE_MS))
    .where('e.starts_at', '>', now)
    .orderBy('e.starts_at')
    .limit(2000)
    // Locked till the run commits: a reminder turned off meanwhile is not queued, and one queued is cancelled by who turns it off (unremindMe waits).
    .forUpdate('er')
    .skipLocked()
    .execute();
  let queued = 0;
  let failed = 0;
  const events = new Map<number, AfishaEvent>();
  for (const r of due) {
    await sql`SAVEPOINT event_reminder`.execute(trx);
    try {
      if (!events.has(r.event_id)) events.set(r.event_id, await getEvent(trx, r.event_id));
      await queueReminder(trx, events.get(r.event_id)!, r.resident_id, now);
      await sql`RELEASE SAVEPOINT event_reminder`.execute(trx);
      queued++;
    } catch {
      await sql`ROLLBACK TO SAVEPOINT event_reminder`.execute(trx);
      failed++;
    }
  }
  return { queued, failed };
}

export interface EventFilter {
  municipalityIds?: number[];
  kind?: EventKind;
  state?: EventState;
  /** Events overlapping [from, to). */
  from?: Date;
  to?: Date;
  beforeId?: number;
  limit: number;
}

export async function listEvents(db: Db, filter: EventFilter): Promise<AfishaEvent[]> {
  let query = db.selectFrom('afisha_event').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.municipalityIds) query = query.where('municipality_id', 'in', filter.municipalityIds.length > 0 ? filter.municipalityIds : [-1]);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.from) query = query.where('ends_at', '>', filter.from);
  if (filter.to) query = query.where('starts_at', '<', filter.to);
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  return (await query.execute()).map(toEvent);
}

/**
 * «Афиша» for a resident: published events of the municipality in the period (in its zone), not
 * over yet, by start time; optionally one kind.
 */
export async function afisha(db: Db, municipalityId: number, period: AfishaPeriod, kind: EventKind | undefined, now: Date): Promise<AfishaEvent[]> {
  const municipality = await getMunicipality(db, municipalityId);
  const { from, to } = periodRange(period, now, municipality.timeZone);
  let query = db
    .selectFrom('afisha_event')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('state', '=', 'published')
    .where('starts_at', '<', to)
    .where('ends_at', '>', from.getTime() > now.getTime() ? from : now)
    .orderBy('starts_at')
    .orderBy('id')
    .limit(200);
  if (kind) query = query.where('kind', '=', kind);
  return (await query.execute()).map(toEvent);
}
