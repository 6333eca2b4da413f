import { isWorkingTime } from '../calendar/working-time.ts';
import { sql } from 'kysely';
import type { Db } from '../db/types.ts';
import { inTransaction } from '../db/transaction.ts';
import { OVERDUE_DAYS } from '../messages/overdue.ts';
import { listMunicipalities } from '../municipalities/municipality.repository.ts';
import { executorStaffIds } from '../notifications/notify.ts';
import { kpiResponsibleStaffIds } from '../kpi/kpi-responsible.service.ts';
import { raiseAlert, raiseAlerts, type AlertInput, type AlertResult, type BatchAlert } from './alerts.ts';
import { assignedKeyboard } from './buttons.ts';
import { audienceBatch, audienceOf, raiseToAudience, type Audience } from './fallback.ts';
import { FIRST_RESPONSE_WORKING_HOURS, firstResponseDue, formatLocal, overdueDeadline } from './cards.ts';

// The one-working-hour rule lives with the executor's card, which names its end.
export { FIRST_RESPONSE_WORKING_HOURS, firstResponseDue };

/** What a scan did: messages it alerted about, alerts raised (per official), outbox rows queued. */
export interface ScanCounts {
  [name: string]: number;
  messages: number;
  alerts: number;
  queued: number;
}

const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;
/** Reminder days of a message in work without an intermediate answer; each holds until the next. */
export const REMINDER_DAYS = [10, 13] as const;
/**
 * How far back the first-response scan looks. One working hour never spans more than the longest
 * run of days off (New Year holidays, about ten days); the bound keeps the scan on the index.
 */
const FIRST_RESPONSE_LOOKBACK_DAYS = 31;
/** The KPI whose responsible officials hear about overdue messages (seed 000, KPI 7). */
const OVERDUE_KPI = 7;

const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * MS_PER_DAY);

/**
 * The municipalities whose officials are at work at `now` (their work calendar: working hours, not
 * weekends nor holidays) and their time zones. The reminders and the overdue alert go only there:
 * one falling due at night, on a weekend or a holiday waits for the next working start (the scans
 * run every 15 minutes), rather than reaching officials when nobody can act on it.
 */
async function atWork(db: Db, now: Date): Promise<{ ids: number[]; timeZones: Map<number, string> }> {
  const municipalities = await listMunicipalities(db);
  return { ids: municipalities.filter((m) => isWorkingTime(m.calendar, now)).map((m) => m.id), timeZones: new Map(municipalities.map((m) => [m.id, m.timeZone])) };
}

/**
 * One alert about a message to its executor's staff, with the answer buttons, and to the curators
 * without them (the buttons are the executor's to press): the regional ones with a line naming the
 * municipality when none of its own is reachable (audienceOf).
 */
async function raiseForExecutorAndCurators(db: Db, executorStaff: number[], curators: Audience, alert: AlertInput, messageId: number, now: Date): Promise<AlertResult> {
  const toExecutor = await raiseAlert(db, executorStaff, { ...alert, delivery: { keyboard: assignedKeyboard(messageId) } }, now);
  const toCurators = await raiseToAudience(db, curators, alert, now, { except: executorStaff });
  return { raised: toExecutor.raised + toCurators.raised, queued: toExecutor.queued + toCurators.queued };
}

function tally(counts: ScanCounts, result: AlertResult): void {
  if (result.raised > 0) counts.messages++;
  counts.alerts += result.raised;
  counts.queued += result.queued;
}

/** Memoises staff lookups within one scan (many messages share an executor or a municipality). */
function memo<K, V>(load: (key: K) => Promise<V>): (key: K) => Promise<V> {
  const cache = new Map<K, Promise<V>>();
  return (key) => {
    const cached = cache.get(key);
    if (cached) return cached;
    const value = load(key);
    cache.set(key, value);
    return value;
  };
}

/** Messages per batch of the scans: one short transaction each, a fixed number of queries. */
export const ALERT_BATCH = 500;

/** Active staff of the given executor organisations, by organisation (one query). */
async function staffByExecutor(db: Db, executorIds: number[]): Promise<Map<number, number[]>> {
  if (executorIds.length === 0) return new Map();
  const rows = await db.selectFrom('staff').select(['id', 'executor_id']).where('executor_id', 'in', [...new Set(executorIds)]).where('active', '=', true).orderBy('id').execute();
  return new Map([...Map.groupBy(rows, (r) => r.executor_id!)].map(([executorId, staff]) => [executorId, staff.map((s) => s.id)]));
}

/**
 * Day-10 and day-13 reminders to the executor of a message in work with no intermediate answer,
 * in the municipality's working hours (atWork). Each reminder's window ends where the next begins
 * (day 13, then the overdue alert of day 14), so catching up after downtime, a night or a weekend
 * sends only the reminder that still matters. The scan skips
 * messages already reminded for that day (one probe of the alerts' message index each) and raises
 * the rest set-based, ALERT_BATCH messages per short transaction.
 */
export async function runDeadlineReminders(db: Db, now: Date): Promise<ScanCounts> {
  const counts: ScanCounts = { messages: 0, alerts: 0, queued: 0 };
  const { ids: working, timeZones } = await atWork(db, now);
  if (working.length === 0) return counts;
  for (const [i, day] of REMINDER_DAYS.entries()) {
    const until = REMINDER_DAYS[i + 1] ?? OVERDUE_DAYS;
    let after = new Date(0);
    let afterId = 0;
    for (;;) {
      const done = await inTransaction(db, async (trx) => {
        const rows = await trx
          .selectFrom('message')
          .select(['id', 'executor_id', 'municipality_id', 'accepted_at'])
          .where('status', '=', 'in_work')
          .where('accepted_at', '<=', daysBefore(now, day))
          .where('accepted_at', '>', daysBefore(now, until))
          .where('first_intermediate_at', 'is', null)
          .where('executor_id', 'is not', null)
          .where('municipality_id', 'in', working)
          // A duplicate linked in work closes with its original: nobody answers it, so nobody is chased.
          .where('duplicate_of', 'is', null)
          .where((eb) => eb(eb.refTuple('accepted_at', 'id'), '>', eb.tuple(after, afterId)))
          .where((eb) =>
            eb.not(
              eb.exists(
                eb
                  .selectFrom('staff_alert')
                  .select('staff_alert.id')
                  .whereRef('staff_alert.message_id', '=', 'message.id')
                  .where('staff_alert.kind', '=', 'alert.deadline_reminder')
                  .where('staff_alert.dedupe_key', 'like', `reminder${day}:%`),
              ),
            ),
          )
          .orderBy('accepted_at')
          .orderBy('id')
          .limit(ALERT_BATCH)
          .execute();
        if (rows.length === 0) return true;
        const last = rows[rows.length - 1]!;
        after = last.accepted_at!;
        afterId = last.id;
        const executors = await staffByExecutor(trx, rows.map((m) => m.executor_id!));
        const result = await raiseAlerts(
          trx,
          rows.map((m) => ({
            staffIds: executors.get(m.executor_id!) ?? [],
            alert: {
              kind: 'alert.deadline_reminder',
              key: 'alert.deadline_reminder',
              messageId: m.id,
              // Counted when it is sent (it may have waited for the working day): whole days in work, days left begun.
              params: {
                messageId: m.id,
                day: Math.floor((now.getTime() - m.accepted_at!.getTime()) / MS_PER_DAY),
                daysLeft: Math.max(1, Math.ceil((overdueDeadline(m.accepted_at!).getTime() - now.getTime()) / MS_PER_DAY)),
                deadline: formatLocal(timeZones.get(m.municipality_id)!, overdueDeadline(m.accepted_at!)),
              },
              dedupeKey: `reminder${day}:${m.id}`,
              delivery: { keyboard: assignedKeyboard(m.id) },
            },
          })),
          now,
        );
        counts.messages += result.messages;
        counts.alerts += result.raised;
        counts.queued += result.queued;
        return rows.length < ALERT_BATCH;
      });
      if (done) break;
    }
  }
  return counts;
}

/**
 * Open messages overdue at `now` and not yet alerted: reads the partial index of in-work messages
 * neither alerted (overdue_alerted_at) nor excused by a timely intermediate answer, so alerted and
 * excused messages cost nothing, and closed ones never did. The predicate repeats the index's own
 * (immutable) form of the KPI 7 rule so the planner can use it.
 */
export function overdueScan(db: Db, now: Date) {
  return db
    .selectFrom('message')
    .select(['id', 'executor_id', 'municipality_id', 'accepted_at'])
    .where('status', '=', 'in_work')
    .where('overdue_alerted_at', 'is', null)
    .where('duplicate_of', 'is', null)
    .where((eb) => eb.or([eb('first_intermediate_at', 'is', null), eb(sql<string>`first_intermediate_at - accepted_at`, '>', sql<string>`interval '14 days'`)]))
    .where('accepted_at', '<', daysBefore(now, OVERDUE_DAYS))
    .orderBy('accepted_at')
    .orderBy('id');
}

/**
 * Day 14: a message in work becomes overdue (KPI 7), told in the municipality's working hours
 * (atWork: one overdue at night or on a day off is told at the next working start). One alert per message to its executor, the
 * municipality's curators (the regional ones, at the same moment, when none of its own is reachable:
 * audienceOf) and the officials responsible for KPI 7 (in person or by group). Batches
 * of ALERT_BATCH messages, each in its own short transaction: the recipients of the whole batch in
 * two queries, the alerts and outbox rows in one INSERT each, and the messages marked alerted, so
 * a backlog of tens of thousands never holds one long transaction (its rows are sent as it goes)
 * and the next run's scan no longer sees them.
 */
export async function runOverdueAlerts(db: Db, now: Date): Promise<ScanCounts> {
  const counts: ScanCounts = { messages: 0, alerts: 0, queued: 0 };
  const { ids: working, timeZones } = await atWork(db, now);
  if (working.length === 0) return counts;
  // Per municipality for the whole run: its curators (or the regional ones: audienceOf) and KPI 7 responsibles.
  const officials = new Map<number, { curators: Audience; responsibles: number[] }>();
  for (;;) {
    const done = await inTransaction(db, async (trx) => {
      const rows = await overdueScan(trx, now).where('municipality_id', 'in', working).limit(ALERT_BATCH).forUpdate().skipLocked().execute();
      if (rows.length === 0) return true;
      const executors = await staffByExecutor(trx, rows.filter((m) => m.executor_id !== null).map((m) => m.executor_id!));
      for (const municipalityId of new Set(rows.map((m) => m.municipality_id))) {
        if (officials.has(municipalityId)) continue;
        officials.set(municipalityId, { curators: await audienceOf(trx, municipalityId), responsibles: await kpiResponsibleStaffIds(trx, municipalityId, OVERDUE_KPI) });
      }
      const perMessage = rows.map((m): BatchAlert[] => {
        const executorStaff = m.executor_id ? (executors.get(m.executor_id) ?? []) : [];
        const alert = {
          kind: 'alert.overdue',
          key: 'alert.overdue',
          messageId: m.id,
          params: { messageId: m.id, deadline: formatLocal(timeZones.get(m.municipality_id)!, overdueDeadline(m.accepted_at!)) },
          dedupeKey: `overdue:${m.id}`,
        };
        const { curators, responsibles } = officials.get(m.municipality_id)!;
        // The answer buttons are the executor's to press; curators and responsibles get the alert without them.
        return [{ staffIds: executorStaff, alert: { ...alert, delivery: { keyboard: assignedKeyboard(m.id) } } }, ...audienceBatch(curators, alert, { also: responsibles, except: executorStaff })];
      });
      const batch = perMessage.flat();
      const result = await raiseAlerts(trx, batch, now);
      await trx.updateTable('message').set({ overdue_alerted_at: now }).where('id', 'in', rows.map((m) => m.id)).execute();
      counts.messages += perMessage.filter((entries) => entries.some((e) => e.staffIds.length > 0)).length;
      counts.alerts += result.raised;
      counts.queued += result.queued;
      return rows.length < ALERT_BATCH;
    });
    if (done) break;
  }
  return counts;
}

/**
 * Open-source messages (seed 004 §13) and urgent ones: the executor owes a draft — an answer, an
 * intermediate answer or a clarification request, in any state — within one working hour of
 * receiving the message, counted on the municipality's work calendar. When the hour has passed
 * and there is still no draft, the executor and the curators (audienceOf) are alerted once.
 */
export async function runFirstResponseAlerts(db: Db, now: Date): Promise<ScanCounts> {
  const counts: ScanCounts = { messages: 0, alerts: 0, queued: 0 };
  const municipalities = new Map((await listMunicipalities(db)).map((m) => [m.id, m]));
  const executors = memo((executorId: number) => executorStaffIds(db, executorId));
  const curators = memo((municipalityId: number) => audienceOf(db, municipalityId));
  const rows = await db
    .selectFrom('message')
    .select(['id', 'executor_id', 'municipality_id', 'accepted_at', 'open_source'])
    // Marked urgent once in work: the hour runs from the marking (markUrgent).
    .select((eb) => eb.selectFrom('message_event').select((e) => e.fn.max('message_event.created_at').as('at')).whereRef('message_event.message_id', '=', 'message.id').where('message_event.kind', '=', 'marked_urgent').as('marked_at'))
    .where('status', '=', 'in_work')
    // An hour of working time is at least an hour of clock time: nothing newer can be late yet.
    .where('accepted_at', '<=', new Date(now.getTime() - FIRST_RESPONSE_WORKING_HOURS * MS_PER_HOUR))
    .where('accepted_at', '>', daysBefore(now, FIRST_RESPONSE_LOOKBACK_DAYS))
    .where((eb) => eb.or([eb('open_source', '=', true), eb('urgent', '=', true)]))
    .where('duplicate_of', 'is', null)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('answer').select('id').whereRef('answer.message_id', '=', 'message.id'))))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('staff_alert').select('id').whereRef('staff_alert.message_id', '=', 'message.id').where('staff_alert.kind', '=', 'alert.first_response_late'))))
    .orderBy('accepted_at')
    .execute();
  for (const m of rows) {
    const municipality = municipalities.get(m.municipality_id)!;
    const from = !m.open_source && m.marked_at && new Date(m.marked_at).getTime() > m.accepted_at!.getTime() ? new Date(m.marked_at) : m.accepted_at!;
    const due = firstResponseDue(municipality.calendar, from);
    if (due.getTime() > now.getTime()) continue;
    const alert = {
      kind: 'alert.first_response_late',
      key: 'alert.first_response_late',
      messageId: m.id,
      params: { messageId: m.id, due: formatLocal(municipality.timeZone, due), context: m.open_source ? 'open_source' : 'urgent' },
      dedupeKey: `first_response:${m.id}`,
    };
    tally(counts, await raiseForExecutorAndCurators(db, m.executor_id ? await executors(m.executor_id) : [], await curators(m.municipality_id), alert, m.id, now));
  }
  return counts;
}
