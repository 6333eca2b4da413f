import { TZDate } from '@date-fns/tz';
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import { isWorkingDay, localDateKey, type WorkCalendar } from '../calendar/working-time.ts';
import type { Database } from '../db/database.ts';
import type { Db } from '../db/types.ts';
import { OVERDUE_DAYS, openOverduePredicate } from '../messages/overdue.ts';
import { listMunicipalities, type Municipality } from '../municipalities/municipality.repository.ts';
import { REGION_TIME_ZONE } from '../news/local-time.ts';
import { municipalitiesWithoutReachableCurator } from '../notifications/notify.ts';
import { PRIORITY } from '../outbox/outbox.repository.ts';
import type { StaffRole } from '../staff/staff.table.ts';
import { raiseAlert } from './alerts.ts';

/** Officials get their digest at this local hour of their municipality. */
export const DIGEST_HOUR = 9;
/**
 * The last local hour a digest missed at 09:00 (a failed run, the app down) still goes: the cron
 * retries hourly until 21:00, and a catch-up at start later than that leaves the day (the next
 * working day's digest says it all) rather than waking officials at night.
 */
export const DIGEST_LAST_HOUR = 21;
/** "Due soon": becomes overdue within this many days. */
export const DUE_SOON_DAYS = 3;
/** A digest names at most this many message numbers per line; the count says the rest. */
const MAX_IDS = 10;
const MS_PER_DAY = 86_400_000;

type Scope = (eb: ExpressionBuilder<Database, 'message'>) => Expression<SqlBool>;

export interface DigestLine {
  count: number;
  /** Oldest first, at most MAX_IDS. */
  messageIds: number[];
}

export interface StaffDigest {
  staffId: number;
  role: StaffRole;
  /** Executor: open messages assigned to them; curator: drafts awaiting approval; moderator: new messages. */
  waiting: DigestLine;
  overdue: DigestLine;
  dueSoon: DigestLine;
}

async function line(db: Db, scope: Scope): Promise<DigestLine> {
  const [total, ids] = await Promise.all([
    db.selectFrom('message').select((eb) => eb.fn.countAll<string>().as('n')).where(scope).executeTakeFirstOrThrow(),
    db.selectFrom('message').select('id').where(scope).orderBy('accepted_at').orderBy('created_at').orderBy('id').limit(MAX_IDS).execute(),
  ]);
  return { count: Number(total.n), messageIds: ids.map((r) => r.id) };
}

/** In work, no intermediate answer, and the 14-day deadline falls within (now, now + 3 days]. */
function dueSoon(now: Date): Scope {
  return (eb) =>
    eb.and([
      eb('message.status', '=', 'in_work'),
      eb('message.first_intermediate_at', 'is', null),
      eb('message.accepted_at', '>', new Date(now.getTime() - OVERDUE_DAYS * MS_PER_DAY)),
      eb('message.accepted_at', '<=', new Date(now.getTime() - (OVERDUE_DAYS - DUE_SOON_DAYS) * MS_PER_DAY)),
    ]);
}

const both = (a: Scope, b: Scope): Scope => (eb) => eb.and([a(eb), b(eb)]);
/** A duplicate linked in work closes with its original: it is neither overdue nor due on its own. */
const notLinkedDuplicate: Scope = (eb) => eb('message.duplicate_of', 'is', null);

/** A draft answer (an answer, an intermediate answer, a clarification request) waits for the curator. */
const awaitingApproval: Scope = (eb) => eb.exists(eb.selectFrom('answer').select('answer.id').whereRef('answer.message_id', '=', 'message.id').where('answer.state', '=', 'draft'));

/** The three lines of a digest: what waits (if the role has such a line), what is overdue and what is due soon, within `mine`. */
async function digestLines(db: Db, mine: Scope, waiting: Scope | null, now: Date): Promise<Pick<StaffDigest, 'waiting' | 'overdue' | 'dueSoon'>> {
  const [w, o, d] = await Promise.all([
    waiting ? line(db, both(mine, waiting)) : Promise.resolve({ count: 0, messageIds: [] }),
    line(db, both(both(mine, notLinkedDuplicate), (eb) => openOverduePredicate(eb, now))),
    line(db, both(both(mine, notLinkedDuplicate), dueSoon(now))),
  ]);
  return { waiting: w, overdue: o, dueSoon: d };
}

/** What waits for one official, what is overdue and what is due soon, in their own scope. */
export async function buildStaffDigest(db: Db, staff: { id: number; role: StaffRole; municipalityId: number; executorId: number | null }, now: Date): Promise<StaffDigest | null> {
  const inMunicipality: Scope = (eb) => eb('message.municipality_id', '=', staff.municipalityId);
  let mine: Scope;
  let waiting: Scope | null;
  if (staff.role === 'executor') {
    if (staff.executorId === null) return null;
    const executorId = staff.executorId;
    mine = (eb) => eb('message.executor_id', '=', executorId);
    waiting = (eb) => eb.and([eb('message.status', '=', 'in_work'), eb('message.duplicate_of', 'is', null)]);
  } else if (staff.role === 'curator') {
    mine = inMunicipality;
    waiting = awaitingApproval;
  } else if (staff.role === 'moderator') {
    mine = inMunicipality;
    waiting = (eb) => eb('message.status', '=', 'new');
  } else if (staff.role === 'responsible') {
    mine = inMunicipality;
    waiting = null;
  } else {
    return null;
  }
  return { staffId: staff.id, role: staff.role, ...(await digestLines(db, mine, waiting, now)) };
}

function idList(l: DigestLine): string {
  if (l.count === 0) return '—';
  const ids = l.messageIds.join(', ');
  return l.count > l.messageIds.length ? `${ids}, … (+${l.count - l.messageIds.length})` : ids;
}

/** A digest's params: the local date ('YYYY-MM-DD' read as dd.MM.yyyy) and its three lines. */
function digestParams(localDate: string, digest: Pick<StaffDigest, 'waiting' | 'overdue' | 'dueSoon'>): Record<string, unknown> {
  return {
    date: localDate.split('-').reverse().join('.'),
    waiting: digest.waiting.count,
    waitingIds: idList(digest.waiting),
    overdue: digest.overdue.count,
    overdueIds: idList(digest.overdue),
    dueSoon: digest.dueSoon.count,
    dueSoonIds: idList(digest.dueSoon),
  };
}

/** Nothing waiting, overdue or due: no message rather than an empty one every morning. */
const isEmpty = (digest: Pick<StaffDigest, 'waiting' | 'overdue' | 'dueSoon'>): boolean => digest.waiting.count + digest.overdue.count + digest.dueSoon.count === 0;

/** Whether the digest hour has come in the municipality's zone on the local day of `now`. */
export function digestHourReached(timeZone: string, now: Date, hour = DIGEST_HOUR): boolean {
  return new TZDate(now.getTime(), timeZone).getHours() >= hour;
}

/** Sends one municipality's digests for its local day `localDate`; returns alerts and rows queued. */
async function sendDigests(db: Db, municipality: Municipality, localDate: string, now: Date): Promise<{ alerts: number; queued: number }> {
  const staff = await db
    .selectFrom('staff')
    .select(['id', 'role', 'executor_id'])
    .where('municipality_id', '=', municipality.id)
    .where('active', '=', true)
    .where('role', 'in', ['executor', 'curator', 'moderator', 'responsible'])
    // Only officials with a messenger get a digest; building it for the others is wasted work.
    .where((eb) => eb.exists(eb.selectFrom('staff_identity').select('staff_identity.id').whereRef('staff_identity.staff_id', '=', 'staff.id')))
    .orderBy('id')
    .execute();
  let alerts = 0;
  let queued = 0;
  for (const s of staff) {
    const digest = await buildStaffDigest(db, { id: s.id, role: s.role, municipalityId: municipality.id, executorId: s.executor_id }, now);
    if (!digest || isEmpty(digest)) continue;
    const result = await raiseAlert(
      db,
      [s.id],
      { kind: 'digest.daily', key: `digest.${s.role}`, params: digestParams(localDate, digest), dedupeKey: `digest:${localDate}`, delivery: { priority: PRIORITY.digest } },
      now,
    );
    alerts += result.raised;
    queued += result.queued;
  }
  return { alerts, queued };
}

/** The region's working days (the national production calendar) for the regional curators' digest. */
const REGION_CALENDAR: WorkCalendar = { timeZone: REGION_TIME_ZONE, config: {} };

/**
 * The regional curators' digest, once a working day of the region at 09:00 of its zone (retried to
 * 21:00 as the municipalities' are): the drafts awaiting approval, the overdue and the due-soon
 * messages of the municipalities with no curator of their own reachable in a messenger, whose
 * approval cards come to the regional curators (fallbackRecipients). A municipality with its own
 * curator at hand is theirs, not in this digest. Only regional curators with a messenger get it.
 */
async function sendRegionalDigest(db: Db, now: Date): Promise<{ alerts: number; queued: number }> {
  const none = { alerts: 0, queued: 0 };
  if (!digestHourReached(REGION_TIME_ZONE, now) || digestHourReached(REGION_TIME_ZONE, now, DIGEST_LAST_HOUR + 1)) return none;
  if (!isWorkingDay(REGION_CALENDAR, now)) return none;
  const localDate = localDateKey(REGION_TIME_ZONE, now);
  const claimed = await db.insertInto('regional_digest_day').values({ local_date: localDate, created_at: now }).onConflict((oc) => oc.column('local_date').doNothing()).returning('local_date').executeTakeFirst();
  if (!claimed) return none;
  const curators = await db
    .selectFrom('staff')
    .select('id')
    .where('role', '=', 'curator')
    .where('municipality_id', 'is', null)
    .where('active', '=', true)
    .where((eb) => eb.exists(eb.selectFrom('staff_identity').select('staff_identity.id').whereRef('staff_identity.staff_id', '=', 'staff.id')))
    .orderBy('id')
    .execute();
  if (curators.length === 0) return none;
  const uncovered = await municipalitiesWithoutReachableCurator(db);
  if (uncovered.length === 0) return none;
  const digest = await digestLines(db, (eb) => eb('message.municipality_id', 'in', uncovered), awaitingApproval, now);
  if (isEmpty(digest)) return none;
  const result = await raiseAlert(
    db,
    curators.map((c) => c.id),
    { kind: 'digest.daily', key: 'digest.curator', params: digestParams(localDate, digest), dedupeKey: `digest:${localDate}`, delivery: { priority: PRIORITY.digest } },
    now,
  );
  return { alerts: result.raised, queued: result.queued };
}

/**
 * The daily digest, once per municipality and working day (its work calendar: no digest on
 * weekends and holidays), for every municipality whose local time is between 09:00 and 21:59. Run
 * it at 09:00 of each zone and at start: a day missed while the app was down is caught up later
 * that day, and a second run (another instance, a restart) finds the day done.
 */
export async function runDueDigests(db: Db, now: Date): Promise<{ municipalities: number; alerts: number; queued: number }> {
  const counts = { municipalities: 0, alerts: 0, queued: 0 };
  for (const municipality of await listMunicipalities(db)) {
    if (!digestHourReached(municipality.timeZone, now) || digestHourReached(municipality.timeZone, now, DIGEST_LAST_HOUR + 1)) continue;
    if (!isWorkingDay(municipality.calendar, now)) continue;
    const localDate = localDateKey(municipality.timeZone, now);
    const claimed = await db
      .insertInto('digest_day')
      .values({ municipality_id: municipality.id, local_date: localDate, created_at: now })
      .onConflict((oc) => oc.columns(['municipality_id', 'local_date']).doNothing())
      .returning('municipality_id')
      .executeTakeFirst();
    if (!claimed) continue;
    const sent = await sendDigests(db, municipality, localDate, now);
    counts.municipalities++;
    counts.alerts += sent.alerts;
    counts.queued += sent.queued;
  }
  // The regional curators' digest counts in alerts and queued rows, not as a municipality.
  const regional = await sendRegionalDigest(db, now);
  counts.alerts += regional.alerts;
  counts.queued += regional.queued;
  return counts;
}
