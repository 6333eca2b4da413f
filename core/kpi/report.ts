import { sql, type RawBuilder } from 'kysely';
import { workingHoursMeter, type WorkCalendar } from '../calendar/working-time.ts';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { firstResponseDue } from '../alerts/deadlines.ts';
import { getMunicipality, listMunicipalities, type Municipality } from '../municipalities/municipality.repository.ts';
import { OVERDUE_DAYS } from '../messages/overdue.ts';
import { localPeriod, parseKpiPeriod, previousPeriodKey, requireStarted, type RequestedPeriod } from './period.ts';
import { countedOnce } from '../stats/filter.ts';
import { INCIDENT_SOURCES } from '../incidents/incident.table.ts';
import { answerOutboxKey, sourceCommentOutboxKey } from '../messages/answers.service.ts';
import type { MessageSource } from '../messages/message.table.ts';
import { REGION_TIME_ZONE } from '../news/local-time.ts';
import { type FigureSource, MEASURED_LIVE, readOpenSourceSnapshots, readReportSnapshots, sameFigures, snapshotSource } from './report-snapshots.ts';

/**
 * The monthly report of seed 004 §25 for one municipality and one local month, over the messages
 * filed in that month (created_at):
 * - timeliness: overdue share (KPI 7's rule at the month's end or now, among those accepted into
 *   work); median working hours (the municipality's calendar) from filing to the first answer
 *   (first intermediate or final) and to closure, those by the month's end (or now) only; the 1-working-hour rule for open-source and
 *   urgent messages (a draft of any kind by the due time), its compliance share;
 * - quality: ratings given, mean stars, share of 4–5 among rated, stars 1..5; answers returned by
 *   the curator and messages reopened (a closed message back in work) during the month;
 * - dynamics: messages filed per sector and category this month, the previous month and the same
 *   month a year before, with the changes (a duplicate linked in work counted once, as everywhere);
 * - openSource: the same three for the messages from open sources alone (seed 004 §25: «сводную
 *   информацию о своевременности работы по подготовке ответов на сообщения из открытых источников и
 *   размещению их в социальных сетях, качестве этой работы и динамике сообщений из открытых
 *   источников»), see OpenSourceReport.
 */
export interface MonthlyReportFigures {
  municipalityId: number;
  municipalityRu: string;
  municipalityEn: string;
  period: string;
  /**
   * The instant the figures are as of (ISO 8601): the month's end, or the moment the report was
   * made in a month still running (its figures are then partial).
   */
  asOf: string;
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
  openSource: OpenSourceReport;
}

/** The parts of a report a snapshot is compared with the data now by. */
export const REPORT_PARTS = ['timeliness', 'quality', 'dynamics', 'openSource'] as const;
export type ReportPart = (typeof REPORT_PARTS)[number];

/**
 * The report as answered: its figures and where they come from. An ended month with a snapshot is
 * answered from it (the official figures, frozen when the month closed, see report-snapshots.ts); the
 * data are measured again and `live` has the parts whose figures now differ, as they are now.
 */
export interface MonthlyReport extends MonthlyReportFigures, FigureSource {
  live: ({ asOf: string } & Partial<Pick<MonthlyReportFigures, ReportPart>>) | null;
}

/**
 * Seed 004 §25 over the open-source messages (`open_source`) filed in the month, counted once,
 * as of the month's end (or now, in a running month):
 * - timeliness of preparing answers: the 1-working-hour rule of §13 (a first draft of any kind by
 *   the due time) met, missed (the hour ran out without a draft), pending (the hour has not run out
 *   yet), compliance = met / (met + missed); the median working minutes from acceptance to the first draft;
 * - timeliness of posting them in social networks: approved answers, those published (sent as the
 *   community's comment under the post by the outbox, or published by hand with a recorded URL),
 *   those approved and not yet published, the messages with a published answer, the median working
 *   hours from acceptance to the first published answer (the acts set no deadline for publishing);
 * - quality: drafts, drafts the curator returned at least once and their share; closed, solved and
 *   the solved share among closed; ratings where any (these messages have no author in the bots);
 * - dynamics: open-source messages per source this month, the previous month and the same month a
 *   year before, and in all.
 */
export interface OpenSourceReport {
  messages: number;
  timeliness: {
    firstHourRule: { met: number; missed: number; pending: number; compliance: number | null };
    medianWorkingMinutesToFirstDraft: number | null;
    answersApproved: number;
    answersPublished: number;
    publishedAsSourceComment: number;
    publishedByHand: number;
    awaitingPublication: number;
    messagesWithPublishedAnswer: number;
    medianWorkingHoursToFirstPublication: number | null;
  };
  quality: {
    drafts: number;
    draftsReturned: number;
    returnedShare: number | null;
    closed: number;
    solved: number;
    solvedShare: number | null;
    rated: number;
    averageStars: number | null;
    share4to5: number | null;
  };
  dynamics: { total: ChangeCounts; bySource: (ChangeCounts & { source: MessageSource })[] };
}

/** Counts of this month, the previous one and the same month a year before, with the changes (relative: null over 0). */
export interface ChangeCounts {
  current: number;
  previousMonth: number;
  previousYear: number;
  monthOverMonth: number;
  monthOverMonthShare: number | null;
  yearOverYear: number;
  yearOverYearShare: number | null;
}

function changeCounts(current: number, previousMonth: number, previousYear: number): ChangeCounts {
  return {
    current,
    previousMonth,
    previousYear,
    monthOverMonth: current - previousMonth,
    monthOverMonthShare: previousMonth > 0 ? round((current - previousMonth) / previousMonth) : null,
    yearOverYear: current - previousYear,
    yearOverYearShare: previousYear > 0 ? round((current - previousYear) / previousYear) : null,
  };
}

export interface DynamicsRow extends ChangeCounts {
  sectorId: number;
  sectorRu: string;
  sectorEn: string;
  categoryId: number;
  categoryRu: string;
  categoryEn: string;
}

const round = (v: number, digits = 4) => Math.round(v * 10 ** digits) / 10 ** digits;
const share = (part: number, whole: number) => (whole > 0 ? round(part / whole) : null);

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return round(sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2, 2);
}

/**
 * A municipality's row of the region's open-source summary: its messages' OpenSourceReport and where
 * it comes from (an ended month's snapshot, kpi_open_source_snapshot, or measured live); `live`: when
 * the data now give other figures, the row as they give it.
 */
export interface OpenSourceRegionRow extends OpenSourceReport, FigureSource {
  municipalityId: number;
  municipalityRu: string;
  municipalityEn: string;
  live: OpenSourceReport | null;
}

/**
 * Seed 004 §25's summary the ЦУР reports to the Governor each month: the open-source part of the
 * monthly report (OpenSourceReport) for each municipality of the region, by name, and `total`
 * pooled from the messages of the rows listed (the region's when not narrowed to one municipality):
 * its counts are sums, its shares and medians are over the pooled messages, never averages of the
 * municipalities' figures. An ended month is answered, as the monthly report, from the measures
 * frozen when it ended (the rows that have them; the total pooled from the rows' measures as
 * answered). The summary's source: from a snapshot when any row is (snapshotAt the latest of the
 * rows', recomputed when any row's was), liveDiffers when any row or the total now differs, and
 * `live` then has the total as the data give it now.
 */
export interface OpenSourceRegionReport extends FigureSource {
  period: string;
  /** The latest of the municipalities' instants their figures are as of (one time zone in Kuzbass: the month's end, or now in a running month). */
  asOf: string;
  /** null: every municipality of the region; otherwise the one the report is narrowed to. */
  municipalityId: number | null;
  items: OpenSourceRegionRow[];
  total: OpenSourceReport;
  live: { asOf: string; total: OpenSourceReport } | null;
}

/**
 * The region's open-source summary for a local month (every municipality, or one): the list of
 * municipalities, the five queries of one municipality's open-source part, whatever their number,
 * and in an ended month the one of their snapshots.
 */
export async function openSourceRegionReport(db: Db, filter: { municipalityId: number | null; period: string }, now: Date): Promise<OpenSourceRegionReport> {
  const requested = requestedMonth(filter.period);
  requireStarted(requested, REGION_TIME_ZONE, now);
  const municipalities = (await listMunicipalities(db)).filter((m) => filter.municipalityId === null || m.id === filter.municipalityId);
  if (filter.municipalityId !== null && municipalities.length === 0) throw new DomainError('MUNICIPALITY_NOT_FOUND', { id: filter.municipalityId });
  const windows = municipalities.map((m) => reportWindow(m, requested, now));
  const live = await measureOpenSources(db, windows);
  const ended = windows.filter((w) => now.getTime() >= w.month.to.getTime()).map((w) => w.municipalityId);
  const snapshots = await readOpenSourceSnapshots(db, ended, filter.period);
  const items: OpenSourceRegionRow[] = municipalities.map((m) => {
    const names = { municipalityId: m.id, municipalityRu: m.nameRu, municipalityEn: m.nameEn };
    const measured = openSourceSummary([live.get(m.id)!]);
    const snapshot = snapshots.get(m.id);
    if (!snapshot) return { ...names, ...measured, ...MEASURED_LIVE, live: null };
    const frozen = openSourceSummary([snapshot.measures]);
    const differs = !sameFigures(frozen, measured);
    return { ...names, ...frozen, ...snapshotSource(snapshot, differs), live: differs ? measured : null };
  });
  const total = openSourceSummary(municipalities.map((m) => snapshots.get(m.id)?.measures ?? live.get(m.id)!));
  const latest = Math.max(0, ...windows.map((w) => w.at.getTime()));
  const asOf = new Date(windows.length > 0 ? latest : Math.min(now.getTime(), localPeriod(requested.year, requested.month, REGION_TIME_ZONE).to.getTime())).toISOString();
  const frozenRows = items.filter((i) => i.fromSnapshot);
  if (frozenRows.length === 0) return { period: filter.period, asOf, municipalityId: filter.municipalityId, items, total, ...MEASURED_LIVE, live: null };
  const liveTotal = openSourceSummary([...live.values()]);
  const liveDiffers = frozenRows.some((i) => i.liveDiffers) || !sameFigures(total, liveTotal);
  return {
    period: filter.period,
    asOf,
    municipalityId: filter.municipalityId,
    items,
    total,
    fromSnapshot: true,
    snapshotAt: frozenRows
      .map((i) => i.snapshotAt!)
      .sort()
      .at(-1)!,
    snapshotRecomputed: frozenRows.some((i) => i.snapshotRecomputed),
    liveDiffers,
    live: liveDiffers ? { asOf, total: liveTotal } : null,
  };
}

/** A municipality's open-source measures of a month as the data give them now (what kpi_open_source_snapshot stores). */
export async function measureOpenSource(db: Db, municipality: Municipality, period: string, now: Date): Promise<OpenSourceMeasures> {
  const window = reportWindow(municipality, requestedMonth(period), now);
  return (await measureOpenSources(db, [window])).get(municipality.id)!;
}

type Range = { from: Date; to: Date };

/**
 * A municipality's local month of a report, the months it is compared with (the previous one, the
 * same one a year before) and the instant its figures are as of: the month's end, or now in a month
 * still running.
 */
interface ReportWindow {
  municipalityId: number;
  calendar: WorkCalendar;
  month: Range;
  prevMonth: Range;
  lastYear: Range;
  at: Date;
}

/** `period` as a month (a year or anything else is VALIDATION on `period`). */
function requestedMonth(period: string): RequestedPeriod & { month: number } {
  const requested = parseKpiPeriod(period);
  if (requested.kind !== 'month') throw new DomainError('VALIDATION', { field: 'period', problem: 'expected a month YYYY-MM' });
  return requested as RequestedPeriod & { month: number };
}

function reportWindow(municipality: Municipality, requested: RequestedPeriod & { month: number }, now: Date): ReportWindow {
  requireStarted(requested, municipality.timeZone, now);
  const month = localPeriod(requested.year, requested.month, municipality.timeZone);
  const previous = parseKpiPeriod(previousPeriodKey(requested));
  return {
    municipalityId: municipality.id,
    calendar: municipality.calendar,
    month,
    prevMonth: localPeriod(previous.year, previous.month, municipality.timeZone),
    lastYear: localPeriod(requested.year - 1, requested.month, municipality.timeZone),
    at: new Date(Math.min(now.getTime(), month.to.getTime())),
  };
}

/**
 * The monthly report of a municipality: an ended month from its snapshot when there is one (the data
 * measured again to say whether they now differ), the running month and an ended one without a
 * snapshot measured live.
 */
export async function monthlyReport(db: Db, municipalityId: number, period: string, now: Date): Promise<MonthlyReport> {
  const requested = requestedMonth(period);
  const municipality = await getMunicipality(db, municipalityId);
  const live = await measureMonthlyReport(db, municipality, period, now);
  const ended = now.getTime() >= localPeriod(requested.year, requested.month, municipality.timeZone).to.getTime();
  const snapshot = ended ? (await readReportSnapshots(db, [municipalityId], period)).get(municipalityId) : undefined;
  if (!snapshot?.report) return { ...live, ...MEASURED_LIVE, live: null };
  const frozen = snapshot.report as unknown as MonthlyReportFigures;
  const differing = REPORT_PARTS.filter((part) => !sameFigures(frozen[part], live[part]));
  return {
    ...frozen,
    ...snapshotSource(snapshot, differing.length > 0),
    live: differing.length === 0 ? null : { asOf: live.asOf, ...Object.fromEntries(differing.map((part) => [part, live[part]])) },
  };
}

/** The report's figures measured from the data as they are now (what a snapshot stores). */
export async function measureMonthlyReport(db: Db, municipality: Municipality, period: string, now: Date): Promise<MonthlyReportFigures> {
  const requested = requestedMonth(period);
  const municipalityId = municipality.id;
  const window = reportWindow(municipality, requested, now);
  const { calendar, month, at } = window;

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
      marked_urgent_at: Date | null;
    }>`
      SELECT m.id, m.created_at, m.accepted_at, m.first_intermediate_at, m.closed_at, m.status, m.open_source, m.urgent,
             CASE WHEN m.open_source OR m.urgent THEN (SELECT min(a.created_at) FROM answer a WHERE a.message_id = m.id) END AS first_draft_at,
             CASE WHEN m.urgent AND NOT m.open_source THEN (SELECT max(e.created_at) FROM message_event e WHERE e.message_id = m.id AND e.kind = 'marked_urgent') END AS marked_urgent_at
      FROM message m
      WHERE m.municipality_id = ${municipalityId} AND m.created_at >= ${month.from} AND m.created_at < ${month.to} AND ${countedOnce('m')}`.execute(db)
  ).rows;
  const deadlineMs = OVERDUE_DAYS * 86_400_000;
  const hours = workingHoursMeter(calendar);
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
        // Marked urgent once in work: the hour runs from the marking, as the executor's card said (markUrgent).
        const from = m.marked_urgent_at && m.marked_urgent_at > m.accepted_at ? m.marked_urgent_at : m.accepted_at;
        const due = firstResponseDue(calendar, from);
        const onTime = m.first_draft_at !== null && m.first_draft_at.getTime() <= due.getTime() && m.first_draft_at < at;
        if (onTime || due.getTime() <= at.getTime()) rule.messages++;
        if (onTime) rule.onTime++;
      }
    }
    // As of `at`, like the overdue count above: an answer or a closure after it is not yet one.
    const closed = m.closed_at && (m.status === 'solved' || m.status === 'explained') && m.closed_at < at ? m.closed_at : null;
    const intermediate = m.first_intermediate_at && m.first_intermediate_at < at ? m.first_intermediate_at : null;
    const candidates = [intermediate, closed].filter((d): d is Date => d !== null);
    if (candidates.length > 0) toFirst.push(hours(m.created_at, new Date(Math.min(...candidates.map((d) => d.getTime())))));
    if (closed) toClose.push(hours(m.created_at, closed));
  }

  const q = (
    await sql<{ stars: number | null; n: string }>`
      SELECT rating_stars AS stars, count(*) AS n FROM message
      WHERE municipality_id = ${municipalityId} AND created_at >= ${month.from} AND created_at < ${month.to} AND rating_stars IS NOT NULL AND rated_at < ${at} AND ${countedOnce()}
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
      WHERE m.municipality_id = ${municipalityId} AND e.created_at >= ${month.from} AND e.created_at < ${month.to} AND ${countedOnce('m')}
        -- The two kinds counted, as message_event_report_idx names them (no scan of every event).
        AND (e.kind = 'answer_returned' OR (e.from_status IN ('solved', 'explained') AND e.to_status = 'in_work'))`.execute(db)
  ).rows[0];

  const dyn = await dynamicsCounts(db, 'category_id', [window]);
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
      return {
        sectorId: c.sector_id,
        sectorRu: c.sector_ru,
        sectorEn: c.sector_en,
        categoryId: c.id,
        categoryRu: c.title_ru,
        categoryEn: c.title_en,
        ...changeCounts(Number(d.current), Number(d.previous_month), Number(d.previous_year)),
      };
    })
    .sort((a, b) => a.sectorId - b.sectorId || a.categoryId - b.categoryId);

  return {
    municipalityId,
    municipalityRu: municipality.nameRu,
    municipalityEn: municipality.nameEn,
    period,
    asOf: at.toISOString(),
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
    openSource: openSourceSummary([(await measureOpenSources(db, [window])).get(municipalityId)!]),
  };
}

type DynamicsKey = { category_id: number; source: MessageSource };

/**
 * The dynamics' counts of each window's municipality's messages (counted once) filed in its month,
 * the previous month and the same month a year before, per municipality and `groupBy`, narrowed by
 * `extraWhere` over `m` (raw counts, changeCounts turns them into ChangeCounts): one query for any
 * number of municipalities, a range scan of message_list_municipality_idx per municipality.
 */
async function dynamicsCounts<K extends keyof DynamicsKey>(
  db: Db,
  groupBy: K,
  windows: ReportWindow[],
  extraWhere: RawBuilder<unknown> = sql`TRUE`,
): Promise<({ [k in K]: DynamicsKey[K] } & { municipality_id: number; current: string; previous_month: string; previous_year: string })[]> {
  if (windows.length === 0) return [];
  const values = sql.join(
    windows.map(
      (w) =>
        sql`(${w.municipalityId}::int, ${w.month.from}::timestamptz, ${w.month.to}::timestamptz, ${w.prevMonth.from}::timestamptz, ${w.prevMonth.to}::timestamptz, ${w.lastYear.from}::timestamptz, ${w.lastYear.to}::timestamptz)`,
    ),
  );
  return (
    await sql<{ [k in K]: DynamicsKey[K] } & { municipality_id: number; current: string; previous_month: string; previous_year: string }>`
      SELECT m.municipality_id, ${sql.ref(`m.${groupBy}`)},
             count(*) FILTER (WHERE m.created_at >= p.month_from AND m.created_at < p.month_to) AS current,
             count(*) FILTER (WHERE m.created_at >= p.prev_from AND m.created_at < p.prev_to) AS previous_month,
             count(*) FILTER (WHERE m.created_at >= p.year_from AND m.created_at < p.year_to) AS previous_year
      FROM (VALUES ${values}) AS p (municipality_id, month_from, month_to, prev_from, prev_to, year_from, year_to)
      JOIN message m ON m.municipality_id = p.municipality_id
        AND ((m.created_at >= p.prev_from AND m.created_at < p.month_to) OR (m.created_at >= p.year_from AND m.created_at < p.year_to))
      WHERE ${extraWhere} AND ${countedOnce('m')}
      GROUP BY m.municipality_id, ${sql.ref(`m.${groupBy}`)}`.execute(db)
  ).rows;
}

/** What one open-source message adds to OpenSourceReport, as of its municipality's `at`, in its working calendar. */
export interface OpenSourceFacts {
  rule: 'met' | 'missed' | 'pending' | null;
  minutesToFirstDraft: number | null;
  drafts: number;
  draftsReturned: number;
  answersApproved: number;
  publishedAsSourceComment: number;
  publishedByHand: number;
  hasPublishedAnswer: boolean;
  hoursToFirstPublication: number | null;
  closed: boolean;
  solved: boolean;
  stars: number | null;
}

/**
 * What a municipality's row of OpenSourceReport is summed from, and what the region's total pools:
 * its open-source messages' facts (no ids) and its messages per source in the three months compared.
 * An ended month's are frozen in kpi_open_source_snapshot: the total's medians and shares are over
 * the pooled messages, which the rows' figures alone could not give.
 */
export interface OpenSourceMeasures {
  asOf: string;
  facts: OpenSourceFacts[];
  dynamics: { source: MessageSource; current: number; previousMonth: number; previousYear: number }[];
}

/**
 * What each window's municipality's open-source part (OpenSourceReport) is summed from, as the data
 * give it now (openSourceSummary pools any of them). Five queries whatever the number of
 * municipalities: the messages, their drafts, the outbox rows that posted them, the returns, the
 * dynamics.
 */
async function measureOpenSources(db: Db, windows: ReportWindow[]): Promise<Map<number, OpenSourceMeasures>> {
  const windowOf = new Map(windows.map((w) => [w.municipalityId, w]));
  const latest = new Date(Math.max(0, ...windows.map((w) => w.at.getTime())));
  const months = sql.join(windows.map((w) => sql`(${w.municipalityId}::int, ${w.month.from}::timestamptz, ${w.month.to}::timestamptz)`));
  const messages =
    windows.length === 0
      ? []
      : (
          await sql<{
            id: number;
            municipality_id: number;
            accepted_at: Date | null;
            status: string;
            closed_at: Date | null;
            answer_target: string;
            rating_stars: number | null;
            rated_at: Date | null;
            first_draft_at: Date | null;
          }>`
            SELECT m.id, m.municipality_id, m.accepted_at, m.status, m.closed_at, m.answer_target, m.rating_stars, m.rated_at,
                   (SELECT min(a.created_at) FROM answer a WHERE a.message_id = m.id) AS first_draft_at
            FROM (VALUES ${months}) AS p (municipality_id, month_from, month_to)
            JOIN message m ON m.municipality_id = p.municipality_id AND m.created_at >= p.month_from AND m.created_at < p.month_to
            WHERE m.open_source AND ${countedOnce('m')}`.execute(db)
        ).rows;
  const ids = messages.map((m) => m.id);
  const atOf = new Map(messages.map((m) => [m.id, windowOf.get(m.municipality_id)!.at]));
  // Drafts made by the figures' instant (each municipality's own, at most the latest).
  const answers = (
    ids.length === 0
      ? []
      : await db
          .selectFrom('answer')
          .select(['id', 'message_id', 'state', 'created_at', 'approved_at', 'delivered_at'])
          .where(sql<boolean>`message_id = ANY(${ids}::int[])`)
          .where('created_at', '<', latest)
          .execute()
  ).filter((a) => a.created_at < atOf.get(a.message_id)!);
  const approvedIds = answers.filter((a) => a.state === 'approved' || a.state === 'delivered').map((a) => a.id);
  // Sent by the outbox (a comment under the post, or a chat message) or marked delivered by hand.
  const sent =
    approvedIds.length === 0
      ? []
      : await db
          .selectFrom('outbox')
          .select(['dedupe_key', 'sent_at'])
          .where('state', '=', 'sent')
          .where(sql<boolean>`dedupe_key = ANY(${approvedIds.flatMap((id) => [answerOutboxKey(id), sourceCommentOutboxKey(id)])}::text[])`)
          .execute();
  const sentAt = new Map(sent.map((r) => [r.dedupe_key, r.sent_at]));
  const returnedAt =
    ids.length === 0
      ? new Map<number, Date>()
      : new Map(
          (
            await sql<{ answer_id: number; first_at: Date }>`
              SELECT (data->>'answerId')::int AS answer_id, min(created_at) AS first_at FROM message_event
              WHERE message_id = ANY(${ids}::int[]) AND kind = 'answer_returned' AND created_at < ${latest}
              GROUP BY 1`.execute(db)
          ).rows.map((r) => [r.answer_id, r.first_at]),
        );
  const answersOf = Map.groupBy(answers, (a) => a.message_id);

  const meters = new Map(windows.map((w) => [w.municipalityId, workingHoursMeter(w.calendar)]));
  const facts: (OpenSourceFacts & { municipalityId: number })[] = messages.map((m) => {
    const { calendar, at } = windowOf.get(m.municipality_id)!;
    const hours = meters.get(m.municipality_id)!;
    let rule: OpenSourceFacts['rule'] = null;
    let minutesToFirstDraft: number | null = null;
    if (m.accepted_at && m.accepted_at < at) {
      const due = firstResponseDue(calendar, m.accepted_at);
      if (m.first_draft_at !== null && m.first_draft_at.getTime() <= due.getTime()) rule = 'met';
      else if (due.getTime() <= at.getTime()) rule = 'missed';
      else rule = 'pending';
      if (m.first_draft_at !== null && m.first_draft_at < at) minutesToFirstDraft = Math.round(hours(m.accepted_at, m.first_draft_at) * 60);
    }
    const drafts = answersOf.get(m.id) ?? [];
    let answersApproved = 0;
    let publishedAsSourceComment = 0;
    let publishedByHand = 0;
    let firstPublished: Date | null = null;
    for (const a of drafts) {
      if ((a.state !== 'approved' && a.state !== 'delivered') || !a.approved_at || a.approved_at >= at) continue;
      answersApproved++;
      const publishedAt = sentAt.get(sourceCommentOutboxKey(a.id)) ?? sentAt.get(answerOutboxKey(a.id)) ?? (a.state === 'delivered' ? a.delivered_at : null);
      if (!publishedAt || publishedAt >= at) continue;
      if (m.answer_target === 'by_hand') publishedByHand++;
      else publishedAsSourceComment++;
      if (!firstPublished || publishedAt < firstPublished) firstPublished = publishedAt;
    }
    const closed = (m.status === 'solved' || m.status === 'explained') && m.closed_at !== null && m.closed_at < at;
    return {
      municipalityId: m.municipality_id,
      rule,
      minutesToFirstDraft,
      drafts: drafts.length,
      draftsReturned: drafts.filter((a) => {
        const returned = returnedAt.get(a.id);
        return returned !== undefined && returned < at;
      }).length,
      answersApproved,
      publishedAsSourceComment,
      publishedByHand,
      hasPublishedAnswer: firstPublished !== null,
      hoursToFirstPublication: firstPublished && m.accepted_at ? hours(m.accepted_at, firstPublished) : null,
      closed,
      solved: closed && m.status === 'solved',
      stars: m.rated_at !== null && m.rated_at < at ? m.rating_stars : null,
    };
  });

  const dyn = await dynamicsCounts(db, 'source', windows, sql`m.open_source`);
  return new Map(
    windows.map((w) => [
      w.municipalityId,
      {
        asOf: w.at.toISOString(),
        facts: facts.filter((f) => f.municipalityId === w.municipalityId).map(({ municipalityId: _m, ...f }) => f),
        dynamics: dyn
          .filter((d) => d.municipality_id === w.municipalityId)
          .map((d) => ({ source: d.source, current: Number(d.current), previousMonth: Number(d.previous_month), previousYear: Number(d.previous_year) })),
      },
    ]),
  );
}

/**
 * OpenSourceReport pooled from the measures of one or more municipalities: counts summed, shares and
 * medians over the pooled messages (never averages of the municipalities' figures), the dynamics
 * summed per source.
 */
export function openSourceSummary(measures: OpenSourceMeasures[]): OpenSourceReport {
  const facts = measures.flatMap((m) => m.facts);
  const dyn = measures.flatMap((m) => m.dynamics);
  const count = (f: (x: OpenSourceFacts) => boolean) => facts.filter(f).length;
  const sum = (f: (x: OpenSourceFacts) => number) => facts.reduce((a, x) => a + f(x), 0);
  const rule = { met: count((f) => f.rule === 'met'), missed: count((f) => f.rule === 'missed'), pending: count((f) => f.rule === 'pending') };
  const approved = sum((f) => f.answersApproved);
  const asComment = sum((f) => f.publishedAsSourceComment);
  const byHand = sum((f) => f.publishedByHand);
  const drafts = sum((f) => f.drafts);
  const draftsReturned = sum((f) => f.draftsReturned);
  const closed = count((f) => f.closed);
  const solved = count((f) => f.solved);
  const stars = facts.flatMap((f) => (f.stars === null ? [] : [f.stars]));

  // The sources of incidents first, in their order; any other after them, by name (the same order from a snapshot as live).
  const others = dyn.map((d) => d.source).filter((s) => !(INCIDENT_SOURCES as readonly string[]).includes(s));
  const sources = [...INCIDENT_SOURCES, ...[...new Set(others)].sort()] as MessageSource[];
  const bySource = sources.map((source) => {
    const rows = dyn.filter((r) => r.source === source);
    const total = (k: 'current' | 'previousMonth' | 'previousYear') => rows.reduce((a, r) => a + r[k], 0);
    return { source, ...changeCounts(total('current'), total('previousMonth'), total('previousYear')) };
  });
  const all = (k: 'current' | 'previousMonth' | 'previousYear') => bySource.reduce((a, r) => a + r[k], 0);

  return {
    messages: facts.length,
    timeliness: {
      firstHourRule: { ...rule, compliance: share(rule.met, rule.met + rule.missed) },
      medianWorkingMinutesToFirstDraft: median(facts.flatMap((f) => (f.minutesToFirstDraft === null ? [] : [f.minutesToFirstDraft]))),
      answersApproved: approved,
      answersPublished: asComment + byHand,
      publishedAsSourceComment: asComment,
      publishedByHand: byHand,
      awaitingPublication: approved - asComment - byHand,
      messagesWithPublishedAnswer: count((f) => f.hasPublishedAnswer),
      medianWorkingHoursToFirstPublication: median(facts.flatMap((f) => (f.hoursToFirstPublication === null ? [] : [f.hoursToFirstPublication]))),
    },
    quality: {
      drafts,
      draftsReturned,
      returnedShare: share(draftsReturned, drafts),
      closed,
      solved,
      solvedShare: share(solved, closed),
      rated: stars.length,
      averageStars: stars.length > 0 ? round(stars.reduce((a, b) => a + b, 0) / stars.length, 2) : null,
      share4to5: share(stars.filter((s) => s >= 4).length, stars.length),
    },
    dynamics: { total: changeCounts(all('current'), all('previousMonth'), all('previousYear')), bySource },
  };
}
