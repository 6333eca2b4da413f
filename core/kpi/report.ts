import { sql } from 'kysely';
import { workingHoursBetween, type WorkCalendar } from '../calendar/working-time.ts';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { firstResponseDue } from '../alerts/deadlines.ts';
import { getMunicipality } from '../municipalities/municipality.repository.ts';
import { OVERDUE_DAYS } from '../messages/overdue.ts';
import { localPeriod, parseKpiPeriod, previousPeriodKey } from './period.ts';
import { countedOnce } from '../stats/filter.ts';

/**
 * The monthly report of seed 004 §25 for one municipality and one local month, over the messages
 * filed in that month (created_at):
 * - timeliness: overdue share (KPI 7's rule at the month's end or now, among those accepted into
 *   work); median working hours (the municipality's calendar) from filing to the first answer
 *   (first intermediate or final) and to closure; the 1-working-hour rule for open-source and
 *   urgent messages (a draft of any kind by the due time), its compliance share;
 * - quality: ratings given, mean stars, share of 4–5 among rated, stars 1..5; answers returned by
 *   the curator and messages reopened (a closed message back in work) during the month;
 * - dynamics: messages filed per sector and category this month, the previous month and the same
 *   month a year before, with the changes.
 */
export interface MonthlyReport {
  municipalityId: number;
  period: string;
  timeliness: {
    messages: number;
    accepted: number;
    overdue: number;
    overdueShare: number | null;
    medianWorkingHoursToFirstAnswer: number | null;
    medianWorkingHoursToClosure: number | null;
    firstHourRule: { messages: number; onTime: number; compliance: number | null };
  };
  quality: { rated: number; averageStars: number | null; share4to5: number | null; stars: Record<'1' | '2' | '3' | '4' | '5', number>; answersReturned: number; messagesReopened: number };
  dynamics: DynamicsRow[];
}

export interface DynamicsRow {
  sectorId: number;
  sectorRu: string;
  sectorEn: string;
  categoryId: number;
  categoryRu: string;
  categoryEn: string;
  current: number;
  previousMonth: number;
  previousYear: number;
  /** current − previous; the relative change is null when the base is 0. */
  monthOverMonth: number;
  monthOverMonthShare: number | null;
  yearOverYear: number;
  yearOverYearShare: number | null;
}

const round = (v: number, digits = 4) => Math.round(v * 10 ** digits) / 10 ** digits;
const share = (part: number, whole: number) => (whole > 0 ? round(part / whole) : null);

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return round(sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2, 2);
}

export async function monthlyReport(db: Db, municipalityId: number, period: string, now: Date): Promise<MonthlyReport> {
  const requested = parseKpiPeriod(period);
  if (requested.kind !== 'month') throw new DomainError('VALIDATION', { field: 'period', problem: 'expected a month YYYY-MM' });
  const municipality = await getMunicipality(db, municipalityId).catch(() => {
    throw new DomainError('MUNICIPALITY_NOT_FOUND', { id: municipalityId });
  });
  const calendar: WorkCalendar = municipality.calendar;
  const month = localPeriod(requested.year, requested.month, municipality.timeZone);
  const at = new Date(Math.min(now.getTime(), month.to.getTime()));

  const rows = (
    await sql<{
      id: number;
      created_at: Date;
      accepted_at: Date | null;
      first_intermediate_at: Date | null;
      closed_at: Date | null;
      status: string;
      open_source: boolean;
      urgent: boolean;
      first_draft_at: Date | null;
    }>`
      SELECT m.id, m.created_at, m.accepted_at, m.first_intermediate_at, m.closed_at, m.status, m.open_source, m.urgent,
             CASE WHEN m.open_source OR m.urgent THEN (SELECT min(a.created_at) FROM answer a WHERE a.message_id = m.id) END AS first_draft_at
      FROM message m
      WHERE m.municipality_id = ${municipalityId} AND m.created_at >= ${month.from} AND m.created_at < ${month.to} AND ${countedOnce('m')}`.execute(db)
  ).rows;
  const deadlineMs = OVERDUE_DAYS * 86_400_000;
  let accepted = 0;
  let overdue = 0;
  const toFirst: number[] = [];
  const toClose: number[] = [];
  const rule = { messages: 0, onTime: 0 };
  for (const m of rows) {
    if (m.accepted_at) {
      accepted++;
      const deadline = m.accepted_at.getTime() + deadlineMs;
      const ended = m.closed_at && (m.status === 'solved' || m.status === 'explained') ? Math.min(m.closed_at.getTime(), at.getTime()) : at.getTime();
      if (ended > deadline && !(m.first_intermediate_at && m.first_intermediate_at.getTime() <= deadline)) overdue++;
      if ((m.open_source || m.urgent) && m.accepted_at < at) {
        // A message whose working hour has not run out yet is neither kept nor missed: it counts
        // once it has a draft in time or its hour has passed (in a month still running).
        const due = firstResponseDue(calendar, m.accepted_at);
        const onTime = m.first_draft_at !== null && m.first_draft_at.getTime() <= due.getTime();
        if (onTime || due.getTime() <= at.getTime()) rule.messages++;
        if (onTime) rule.onTime++;
      }
    }
    const closed = m.closed_at && (m.status === 'solved' || m.status === 'explained') ? m.closed_at : null;
    const candidates = [m.first_intermediate_at, closed].filter((d): d is Date => d !== null);
    if (candidates.length > 0) toFirst.push(workingHoursBetween(calendar, m.created_at, new Date(Math.min(...candidates.map((d) => d.getTime())))));
    if (closed) toClose.push(workingHoursBetween(calendar, m.created_at, closed));
  }

  const q = (
    await sql<{ stars: number | null; n: string }>`
      SELECT rating_stars AS stars, count(*) AS n FROM message
      WHERE municipality_id = ${municipalityId} AND created_at >= ${month.from} AND created_at < ${month.to} AND rating_stars IS NOT NULL AND ${countedOnce()}
      GROUP BY rating_stars`.execute(db)
  ).rows;
  const stars = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  for (const r of q) stars[String(r.stars) as keyof typeof stars] = Number(r.n);
  const rated = Object.values(stars).reduce((a, b) => a + b, 0);
  const events = (
    await sql<{ returned: string; reopened: string }>`
      SELECT count(*) FILTER (WHERE e.kind = 'answer_returned') AS returned,
             count(*) FILTER (WHERE e.from_status IN ('solved', 'explained') AND e.to_status = 'in_work') AS reopened
      FROM message_event e JOIN message m ON m.id = e.message_id
      WHERE m.municipality_id = ${municipalityId} AND e.created_at >= ${month.from} AND e.created_at < ${month.to}`.execute(db)
  ).rows[0];

  const previous = parseKpiPeriod(previousPeriodKey(requested));
  const prevMonth = localPeriod(previous.year, previous.month, municipality.timeZone);
  const lastYear = localPeriod(requested.year - 1, requested.month, municipality.timeZone);
  const dyn = (
    await sql<{ category_id: number; current: string; previous_month: string; previous_year: string }>`
      SELECT category_id,
             count(*) FILTER (WHERE created_at >= ${month.from} AND created_at < ${month.to}) AS current,
             count(*) FILTER (WHERE created_at >= ${prevMonth.from} AND created_at < ${prevMonth.to}) AS previous_month,
             count(*) FILTER (WHERE created_at >= ${lastYear.from} AND created_at < ${lastYear.to}) AS previous_year
      FROM message
      WHERE municipality_id = ${municipalityId}
        AND ((created_at >= ${prevMonth.from} AND created_at < ${month.to}) OR (created_at >= ${lastYear.from} AND created_at < ${lastYear.to}))
      GROUP BY category_id`.execute(db)
  ).rows;
  const categories = await db
    .selectFrom('category as c')
    .innerJoin('sector as s', 's.id', 'c.sector_id')
    .select(['c.id', 'c.title_ru', 'c.title_en', 's.id as sector_id', 's.title_ru as sector_ru', 's.title_en as sector_en'])
    .where('c.id', 'in', dyn.length > 0 ? dyn.map((d) => d.category_id) : [0])
    .execute();
  const byId = new Map(categories.map((c) => [c.id, c]));
  const dynamics: DynamicsRow[] = dyn
    .map((d) => {
      const c = byId.get(d.category_id)!;
      const current = Number(d.current);
      const previousMonth = Number(d.previous_month);
      const previousYear = Number(d.previous_year);
      return {
        sectorId: c.sector_id,
        sectorRu: c.sector_ru,
        sectorEn: c.sector_en,
        categoryId: c.id,
        categoryRu: c.title_ru,
        categoryEn: c.title_en,
        current,
        previousMonth,
        previousYear,
        monthOverMonth: current - previousMonth,
        monthOverMonthShare: previousMonth > 0 ? round((current - previousMonth) / previousMonth) : null,
        yearOverYear: current - previousYear,
        yearOverYearShare: previousYear > 0 ? round((current - previousYear) / previousYear) : null,
      };
    })
    .sort((a, b) => a.sectorId - b.sectorId || a.categoryId - b.categoryId);

  return {
    municipalityId,
    period,
    timeliness: {
      messages: rows.length,
      accepted,
      overdue,
      overdueShare: share(overdue, accepted),
      medianWorkingHoursToFirstAnswer: median(toFirst),
      medianWorkingHoursToClosure: median(toClose),
      firstHourRule: { messages: rule.messages, onTime: rule.onTime, compliance: share(rule.onTime, rule.messages) },
    },
    quality: {
      rated,
      averageStars: rated > 0 ? round(Object.entries(stars).reduce((a, [k, v]) => a + Number(k) * v, 0) / rated, 2) : null,
      share4to5: share(stars['4'] + stars['5'], rated),
      stars,
      answersReturned: Number(events?.returned ?? 0),
      messagesReopened: Number(events?.reopened ?? 0),
    },
    dynamics,
  };
}
