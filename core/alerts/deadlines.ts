import { addWorkingHours, type WorkCalendar } from '../calendar/working-time.ts';
import type { Db } from '../db/types.ts';
import { OVERDUE_DAYS, openOverduePredicate } from '../messages/overdue.ts';
import { listMunicipalities } from '../municipalities/municipality.repository.ts';
import { executorStaffIds, staffIdsByRole } from '../notifications/notify.ts';
import { kpiResponsibleStaffIds } from '../kpi/kpi-responsible.service.ts';
import { raiseAlert, type AlertInput, type AlertResult } from './alerts.ts';
import { assignedKeyboard } from './buttons.ts';
import { formatLocal, overdueDeadline } from './cards.ts';

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
/** The one-working-hour draft deadline (seed 004 §13) for open-source and urgent messages. */
export const FIRST_RESPONSE_WORKING_HOURS = 1;
/**
 * How far back the first-response scan looks. One working hour never spans more than the longest
 * run of days off (New Year holidays, about ten days); the bound keeps the scan on the index.
 */
const FIRST_RESPONSE_LOOKBACK_DAYS = 31;
/** The KPI whose responsible officials hear about overdue messages (seed 000, KPI 7). */
const OVERDUE_KPI = 7;

const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * MS_PER_DAY);

/**
 * One alert about a message to its executor's staff, with the answer buttons, and to other
 * officials (curators, responsibles) without them: the buttons are the executor's to press.
 */
async function raiseForExecutorAndOfficials(db: Db, executorStaff: number[], officials: number[], alert: AlertInput, messageId: number, now: Date): Promise<AlertResult> {
  const toExecutor = await raiseAlert(db, executorStaff, { ...alert, delivery: { keyboard: assignedKeyboard(messageId) } }, now);
  const toOfficials = await raiseAlert(db, officials.filter((id) => !executorStaff.includes(id)), alert, now);
  return { raised: toExecutor.raised + toOfficials.raised, queued: toExecutor.queued + toOfficials.queued };
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

/**
 * Day-10 and day-13 reminders to the executor of a message in work with no intermediate answer.
 * Each reminder's window ends where the next begins (day 13, then the overdue alert of day 14),
 * so catching up after downtime sends only the reminder that still matters.
 */
export async function runDeadlineReminders(db: Db, now: Date): Promise<ScanCounts> {
  const counts: ScanCounts = { messages: 0, alerts: 0, queued: 0 };
  const executors = memo((executorId: number) => executorStaffIds(db, executorId));
  const timeZones = new Map((await listMunicipalities(db)).map((m) => [m.id, m.timeZone]));
  for (const [i, day] of REMINDER_DAYS.entries()) {
    const until = REMINDER_DAYS[i + 1] ?? OVERDUE_DAYS;
    const rows = await db
      .selectFrom('message')
      .select(['id', 'executor_id', 'municipality_id', 'accepted_at'])
      .where('status', '=', 'in_work')
      .where('accepted_at', '<=', daysBefore(now, day))
      .where('accepted_at', '>', daysBefore(now, until))
      .where('first_intermediate_at', 'is', null)
      .where('executor_id', 'is not', null)
      .orderBy('accepted_at')
      .execute();
    for (const m of rows) {
      const result = await raiseAlert(
        db,
        await executors(m.executor_id!),
        {
          kind: 'alert.deadline_reminder',
          key: 'alert.deadline_reminder',
          messageId: m.id,
          params: { messageId: m.id, day, daysLeft: OVERDUE_DAYS - day, deadline: formatLocal(timeZones.get(m.municipality_id)!, overdueDeadline(m.accepted_at!)) },
          dedupeKey: `reminder${day}:${m.id}`,
          delivery: { keyboard: assignedKeyboard(m.id) },
        },
        now,
      );
      tally(counts, result);
    }
  }
  return counts;
}

/** Open messages overdue at `now` and not yet alerted: reads the partial index of messages in work. */
export function overdueScan(db: Db, now: Date) {
  return db
    .selectFrom('message')
    .select(['id', 'executor_id', 'municipality_id', 'accepted_at'])
    .where((eb) => openOverduePredicate(eb, now))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('staff_alert').select('id').whereRef('staff_alert.message_id', '=', 'message.id').where('staff_alert.kind', '=', 'alert.overdue'))))
    .orderBy('accepted_at');
}

/**
 * Day 14: a message in work becomes overdue (KPI 7). One alert per message to its executor, the
 * municipality's curators and the officials responsible for KPI 7. The scan reads the partial
 * index of messages in work, so closed messages cost nothing, and skips messages already alerted.
 */
export async function runOverdueAlerts(db: Db, now: Date): Promise<ScanCounts> {
  const counts: ScanCounts = { messages: 0, alerts: 0, queued: 0 };
  const executors = memo((executorId: number) => executorStaffIds(db, executorId));
  const officials = memo(async (municipalityId: number) => [
    ...(await staffIdsByRole(db, municipalityId, 'curator')),
    ...(await kpiResponsibleStaffIds(db, municipalityId, OVERDUE_KPI)),
  ]);
  const timeZones = new Map((await listMunicipalities(db)).map((m) => [m.id, m.timeZone]));
  const rows = await overdueScan(db, now).execute();
  for (const m of rows) {
    const alert = {
      kind: 'alert.overdue',
      key: 'alert.overdue',
      messageId: m.id,
      params: { messageId: m.id, deadline: formatLocal(timeZones.get(m.municipality_id)!, overdueDeadline(m.accepted_at!)) },
      dedupeKey: `overdue:${m.id}`,
    };
    tally(counts, await raiseForExecutorAndOfficials(db, m.executor_id ? await executors(m.executor_id) : [], await officials(m.municipality_id), alert, m.id, now));
  }
  return counts;
}

/**
 * Open-source messages (seed 004 §13) and urgent ones: the executor owes a draft — an answer, an
 * intermediate answer or a clarification request, in any state — within one working hour of
 * receiving the message, counted on the municipality's work calendar. When the hour has passed
 * and there is still no draft, the executor and the curators are alerted once.
 */
export async function runFirstResponseAlerts(db: Db, now: Date): Promise<ScanCounts> {
  const counts: ScanCounts = { messages: 0, alerts: 0, queued: 0 };
  const municipalities = new Map((await listMunicipalities(db)).map((m) => [m.id, m]));
  const executors = memo((executorId: number) => executorStaffIds(db, executorId));
  const curators = memo((municipalityId: number) => staffIdsByRole(db, municipalityId, 'curator'));
  const rows = await db
    .selectFrom('message')
    .select(['id', 'executor_id', 'municipality_id', 'accepted_at', 'open_source'])
    .where('status', '=', 'in_work')
    // An hour of working time is at least an hour of clock time: nothing newer can be late yet.
    .where('accepted_at', '<=', new Date(now.getTime() - FIRST_RESPONSE_WORKING_HOURS * MS_PER_HOUR))
    .where('accepted_at', '>', daysBefore(now, FIRST_RESPONSE_LOOKBACK_DAYS))
    .where((eb) => eb.or([eb('open_source', '=', true), eb('urgent', '=', true)]))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('answer').select('id').whereRef('answer.message_id', '=', 'message.id'))))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('staff_alert').select('id').whereRef('staff_alert.message_id', '=', 'message.id').where('staff_alert.kind', '=', 'alert.first_response_late'))))
    .orderBy('accepted_at')
    .execute();
  for (const m of rows) {
    const municipality = municipalities.get(m.municipality_id)!;
    const due = firstResponseDue(municipality.calendar, m.accepted_at!);
    if (due.getTime() > now.getTime()) continue;
    const alert = {
      kind: 'alert.first_response_late',
      key: 'alert.first_response_late',
      messageId: m.id,
      params: { messageId: m.id, due: formatLocal(municipality.timeZone, due), context: m.open_source ? 'open_source' : 'urgent' },
      dedupeKey: `first_response:${m.id}`,
    };
    tally(counts, await raiseForExecutorAndOfficials(db, m.executor_id ? await executors(m.executor_id) : [], await curators(m.municipality_id), alert, m.id, now));
  }
  return counts;
}

/** When the draft for an open-source or urgent message accepted at `acceptedAt` is due. */
export function firstResponseDue(calendar: WorkCalendar, acceptedAt: Date): Date {
  return addWorkingHours(calendar, acceptedAt, FIRST_RESPONSE_WORKING_HOURS);
}
