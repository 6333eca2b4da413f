import { sql } from 'kysely';
import { workingHoursMeter } from '../calendar/working-time.ts';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { listMunicipalities, type Municipality } from '../municipalities/municipality.repository.ts';
import { median } from './report.ts';
import { localPeriod, parseKpiPeriod, requireStarted } from './period.ts';
import { competitionRanks } from './competition-rank.ts';

import type { RatingWeights } from './rating-weights.ts';
import { type FigureSource, MEASURED_LIVE, readReportSnapshots, type ReportSnapshotRow, sameFigures, snapshotSource } from './report-snapshots.ts';

export { DEFAULT_RATING_WEIGHTS, parseRatingWeights, type RatingWeights } from './rating-weights.ts';

/** The four measures of seed 002 §4.1 for one body (an executor, a municipality) over a period. */
export interface ResponseMeasures {
  /** Quantity: messages closed (solved or explained) in the period. */
  closed: number;
  /** Quality: mean stars of those closed in the period that were rated; share 4–5 among them. */
  rated: number;
  averageStars: number | null;
  /** Speed: median working hours from filing to the first answer and to closure (closed in the period). */
  medianWorkingHoursToFirstAnswer: number | null;
  medianWorkingHoursToClosure: number | null;
  /** Completeness: of the messages received in the period (accepted into work), those closed since. */
  received: number;
  closedOfReceived: number;
  completeness: number | null;
}

/** The four normalised 0..1 and the weighted score 0..100. */
export interface ResponseScore {
  rank: number;
  scores: { quantity: number; quality: number; speed: number; completeness: number };
  score: number;
}

/**
 * Where a row's measures come from (report-snapshots.ts): an ended period's snapshot, frozen when it
 * closed, or measured live. `live`: the measures the data give now, when they differ from the snapshot's.
 */
export interface RatingSource extends FigureSource {
  live: ResponseMeasures | null;
}

/** An executor's raw measures in its municipality's period: what a snapshot keeps of it (not its rank). */
export interface ExecutorMeasures extends ResponseMeasures {
  executorId: number;
  name: string;
  municipalityId: number;
}

export interface ExecutorRating extends ExecutorMeasures, ResponseScore, RatingSource {}

export interface MunicipalityRating extends ResponseMeasures, ResponseScore, RatingSource {
  municipalityId: number;
  nameRu: string;
  nameEn: string;
}

/** The measures alone, in their order (a row or a snapshot's JSON may carry more). */
function measuresOf(r: ResponseMeasures): ResponseMeasures {
  return {
    closed: r.closed,
    rated: r.rated,
    averageStars: r.averageStars,
    medianWorkingHoursToFirstAnswer: r.medianWorkingHoursToFirstAnswer,
    medianWorkingHoursToClosure: r.medianWorkingHoursToClosure,
    received: r.received,
    closedOfReceived: r.closedOfReceived,
    completeness: r.completeness,
  };
}

/**
 * A row's measures and their source: the snapshot's when there is one, compared with the live ones
 * (none now, as for an executor gone since: not compared); else the live ones.
 */
function sourced(snapshot: ReportSnapshotRow | undefined, frozen: ResponseMeasures | undefined, live: ResponseMeasures | undefined): ResponseMeasures & RatingSource {
  if (!snapshot || !frozen) return { ...measuresOf(live!), ...MEASURED_LIVE, live: null };
  const stored = measuresOf(frozen);
  if (!live) return { ...stored, ...snapshotSource(snapshot, null), live: null };
  const differs = !sameFigures(stored, measuresOf(live));
  return { ...stored, ...snapshotSource(snapshot, differs), live: differs ? measuresOf(live) : null };
}

type ClosedRow = { created_at: Date; first_intermediate_at: Date | null; closed_at: Date; rating_stars: number | null };

/**
 * The measures of one body from its messages closed in the period and its received / closed-of-received
 * counts; `hours` is workingHoursBetween in the municipality's calendar (a workingHoursMeter).
 */
function measures(hours: (from: Date, to: Date) => number, closed: ClosedRow[], received: { received: number; closed: number } | undefined): ResponseMeasures {
  const starsOf = closed.filter((r) => r.rating_stars !== null).map((r) => r.rating_stars!);
  const receivedN = received?.received ?? 0;
  const closedOfReceived = received?.closed ?? 0;
  return {
    closed: closed.length,
    rated: starsOf.length,
    averageStars: starsOf.length > 0 ? Math.round((starsOf.reduce((a, b) => a + b, 0) / starsOf.length) * 100) / 100 : null,
    medianWorkingHoursToFirstAnswer: median(closed.map((r) => hours(r.created_at, r.first_intermediate_at && r.first_intermediate_at < r.closed_at ? r.first_intermediate_at : r.closed_at))),
    medianWorkingHoursToClosure: median(closed.map((r) => hours(r.created_at, r.closed_at))),
    received: receivedN,
    closedOfReceived,
    completeness: receivedN > 0 ? Math.round((closedOfReceived / receivedN) * 10_000) / 10_000 : null,
  };
}

/**
 * The scoring of seed 002 §4.1, shared by executors and municipalities. Each measure is normalised
 * to 0..1 among the bodies ranked:
 * - quantity = closed / the most closed by any of them;
 * - quality = (mean stars − 1) / 4 (no rating: 0);
 * - speed = the fastest median working hours to closure / this one's, each at least one working
 *   hour (SPEED_FLOOR_HOURS: a median of 0, filed and closed out of hours, would otherwise take
 *   every other body's speed to 0); nothing closed: 0;
 * - completeness = closed among received (nothing received: 0).
 * score = 100 × Σ weight × measure / Σ weights, two decimals; an equal score is an equal rank
 * (1, 2, 2, 4), listed among equals by closed, then by name.
 */
function rank<T extends ResponseMeasures>(rows: T[], weights: RatingWeights, nameOf: (row: T) => string): (T & ResponseScore)[] {
  const mostClosed = Math.max(0, ...rows.map((r) => r.closed));
  const fastest = Math.min(Number.POSITIVE_INFINITY, ...rows.filter((r) => r.medianWorkingHoursToClosure !== null).map((r) => r.medianWorkingHoursToClosure!));
  const total = weights.quantity + weights.quality + weights.speed + weights.completeness;
  const scored = rows.map((r) => {
    const c = r.medianWorkingHoursToClosure;
    const scores = {
      quantity: mostClosed > 0 ? r.closed / mostClosed : 0,
      quality: r.averageStars === null ? 0 : (r.averageStars - 1) / 4,
      speed: c === null ? 0 : Math.min(1, Math.max(fastest, SPEED_FLOOR_HOURS) / Math.max(c, SPEED_FLOOR_HOURS)),
      completeness: r.completeness ?? 0,
    };
    const score =
      Math.round(((100 * (weights.quantity * scores.quantity + weights.quality * scores.quality + weights.speed * scores.speed + weights.completeness * scores.completeness)) / total) * 100) / 100;
    return { ...r, scores: { quantity: round4(scores.quantity), quality: round4(scores.quality), speed: round4(scores.speed), completeness: round4(scores.completeness) }, score };
  });
  scored.sort((a, b) => b.score - a.score || b.closed - a.closed || nameOf(a).localeCompare(nameOf(b), 'ru'));
  return competitionRanks(scored);
}

/** Medians to closure under this many working hours are equally fast (the acts' shortest deadline: 1 working hour). */
export const SPEED_FLOOR_HOURS = 1;

/** A municipality and its local month. */
export type Period = { municipality: Municipality; from: Date; to: Date };

function periodsOf(municipalities: Municipality[], requested: ReturnType<typeof parseKpiPeriod>, now: Date): Period[] {
  for (const m of municipalities) requireStarted(requested, m.timeZone, now);
  return municipalities.map((municipality) => ({ municipality, ...localPeriod(requested.year, requested.month, municipality.timeZone) }));
}

/** The snapshots of the municipalities whose period has ended (only those can have one). */
const snapshotsOf = (db: Db, periods: Period[], period: string, now: Date) =>
  readReportSnapshots(
    db,
    periods.filter((p) => now.getTime() >= p.to.getTime()).map((p) => p.municipality.id),
    period,
  );

/** `(municipality_id, from, to)` rows to join messages with, each municipality in its own month. */
const periodValues = (periods: Period[]) => sql.join(periods.map((p) => sql`(${p.municipality.id}::int, ${p.from}::timestamptz, ${p.to}::timestamptz)`));

/**
 * The messages closed (solved or explained) in each municipality's month by `now`, a linked
 * duplicate left out, with their stars if given within the month: one query for the region, an index-only range scan of message_rating_closed_idx
 * per municipality.
 */
async function closedIn(db: Db, periods: Period[], now: Date): Promise<(ClosedRow & { municipality_id: number; executor_id: number | null })[]> {
  if (periods.length === 0) return [];
  return (
    await sql<ClosedRow & { municipality_id: number; executor_id: number | null }>`
      SELECT m.municipality_id, m.executor_id, m.created_at, m.first_intermediate_at, m.closed_at,
             -- Stars given after the month's end (or after now) are not the month's.
             CASE WHEN m.rated_at < p.period_to AND m.rated_at <= ${now} THEN m.rating_stars END AS rating_stars
      FROM (VALUES ${periodValues(periods)}) AS p (municipality_id, period_from, period_to)
      JOIN message m ON m.municipality_id = p.municipality_id AND m.closed_at >= p.period_from AND m.closed_at < p.period_to
      WHERE m.status IN ('solved', 'explained') AND m.duplicate_of IS NULL AND m.closed_at <= ${now}`.execute(db)
  ).rows;
}

/**
 * The messages accepted into work in each municipality's month and those of them closed since, per
 * municipality and executor (none: null), a linked duplicate left out: one query for the region (an
 * index-only range scan of message_rating_accepted_idx per municipality).
 */
async function receivedIn(db: Db, periods: Period[]): Promise<{ municipality_id: number; executor_id: number | null; received: number; closed: number }[]> {
  if (periods.length === 0) return [];
  return (
    await sql<{ municipality_id: number; executor_id: number | null; received: number; closed: number }>`
      SELECT m.municipality_id, m.executor_id, count(*)::int AS received, (count(*) FILTER (WHERE m.status IN ('solved', 'explained')))::int AS closed
      FROM (VALUES ${periodValues(periods)}) AS p (municipality_id, period_from, period_to)
      JOIN message m ON m.municipality_id = p.municipality_id AND m.accepted_at >= p.period_from AND m.accepted_at < p.period_to
      WHERE m.duplicate_of IS NULL
      GROUP BY m.municipality_id, m.executor_id`.execute(db)
  ).rows;
}

/**
 * Executors ranked by a combined score (seed 002 §4.1: quantity, quality, speed, completeness),
 * normalised among the executors ranked (see rank).
 */
export async function rateExecutors(db: Db, filter: { municipalityId: number | null; period: string }, weights: RatingWeights, now: Date): Promise<ExecutorRating[]> {
  const requested = parseKpiPeriod(filter.period);
  const municipalities = (await listMunicipalities(db)).filter((m) => filter.municipalityId === null || m.id === filter.municipalityId);
  if (filter.municipalityId !== null && municipalities.length === 0) throw new DomainError('MUNICIPALITY_NOT_FOUND', { id: filter.municipalityId });
  const periods = periodsOf(municipalities, requested, now);
  const live = Map.groupBy(await executorMeasures(db, periods, now), (r) => r.municipalityId);
  const snapshots = await snapshotsOf(db, periods, filter.period, now);
  const rows: Omit<ExecutorRating, keyof ResponseScore>[] = [];
  for (const { municipality } of periods) {
    const measuredNow = new Map((live.get(municipality.id) ?? []).map((r) => [r.executorId, r]));
    const snapshot = snapshots.get(municipality.id);
    // An ended period's snapshot ranks the executors it measured, under the names they had.
    const listed = snapshot ? (snapshot.executor_ratings as unknown as ExecutorMeasures[]) : [...measuredNow.values()];
    for (const e of listed) {
      rows.push({ executorId: e.executorId, name: e.name, municipalityId: municipality.id, ...sourced(snapshot, snapshot ? e : undefined, measuredNow.get(e.executorId)) });
    }
  }
  return rank(rows, weights, (r) => r.name);
}

/** Each executor's raw measures in its municipality's period, measured live (what a snapshot keeps). */
export async function executorMeasures(db: Db, periods: Period[], now: Date): Promise<ExecutorMeasures[]> {
  const ids = periods.map((p) => p.municipality.id);
  const executors = ids.length === 0 ? [] : await db.selectFrom('executor').select(['id', 'name', 'municipality_id']).where('municipality_id', 'in', ids).orderBy('id').execute();
  // By municipality and executor: an executor is ranked on its own municipality's messages.
  const key = (municipalityId: number, executorId: number | null) => `${municipalityId}:${executorId}`;
  const closed = Map.groupBy(await closedIn(db, periods, now), (r) => key(r.municipality_id, r.executor_id));
  const received = new Map((await receivedIn(db, periods)).map((r) => [key(r.municipality_id, r.executor_id), r]));
  const rows: ExecutorMeasures[] = [];
  for (const { municipality } of periods) {
    const hours = workingHoursMeter(municipality.calendar);
    for (const e of executors.filter((e) => e.municipality_id === municipality.id)) {
      rows.push({ executorId: e.id, name: e.name, municipalityId: municipality.id, ...measures(hours, closed.get(key(municipality.id, e.id)) ?? [], received.get(key(municipality.id, e.id))) });
    }
  }
  return rows;
}

/**
 * Municipalities (their local self-government bodies) ranked by the same four measures and weights
 * as the executors (seed 002 §4.1: «рейтингование … органов местного самоуправления … по
 * количеству/качеству/скорости/полноте реагирования на обращения и сообщения»), over all the
 * messages of each municipality: closed in the period (quantity, quality, speed in its own working
 * calendar) and accepted into work in the period (completeness), a linked duplicate counted once.
 * The measures are normalised among every municipality of the region, so `municipalityId` narrows
 * the list to one row and keeps its rank in the region.
 */
export async function rateMunicipalities(db: Db, filter: { municipalityId: number | null; period: string }, weights: RatingWeights, now: Date): Promise<MunicipalityRating[]> {
  const requested = parseKpiPeriod(filter.period);
  const municipalities = await listMunicipalities(db);
  if (filter.municipalityId !== null && !municipalities.some((m) => m.id === filter.municipalityId)) throw new DomainError('MUNICIPALITY_NOT_FOUND', { id: filter.municipalityId });
  const periods = periodsOf(municipalities, requested, now);
  const live = await municipalityMeasures(db, periods, now);
  const snapshots = await snapshotsOf(db, periods, filter.period, now);
  const rows: Omit<MunicipalityRating, keyof ResponseScore>[] = periods.map(({ municipality }) => {
    const snapshot = snapshots.get(municipality.id);
    return {
      municipalityId: municipality.id,
      nameRu: municipality.nameRu,
      nameEn: municipality.nameEn,
      ...sourced(snapshot, snapshot?.municipality_rating as unknown as ResponseMeasures | undefined, live.get(municipality.id)),
    };
  });
  const ranked = rank(rows, weights, (r) => r.nameRu);
  return filter.municipalityId === null ? ranked : ranked.filter((r) => r.municipalityId === filter.municipalityId);
}

/** Each municipality's raw measures in its period, measured live (what a snapshot keeps). */
export async function municipalityMeasures(db: Db, periods: Period[], now: Date): Promise<Map<number, ResponseMeasures>> {
  const closed = Map.groupBy(await closedIn(db, periods, now), (r) => r.municipality_id);
  const received = new Map<number, { received: number; closed: number }>();
  for (const r of await receivedIn(db, periods)) {
    const sum = received.get(r.municipality_id) ?? { received: 0, closed: 0 };
    received.set(r.municipality_id, { received: sum.received + r.received, closed: sum.closed + r.closed });
  }
  return new Map(periods.map(({ municipality }) => [municipality.id, measures(workingHoursMeter(municipality.calendar), closed.get(municipality.id) ?? [], received.get(municipality.id))]));
}

/**
 * The raw measures of one municipality and its executors for an ended `period` (a month or a year):
 * what kpi_report_snapshot keeps for the rankings.
 */
export async function measureResponses(db: Db, municipality: Municipality, period: string, now: Date): Promise<{ municipality: ResponseMeasures; executors: ExecutorMeasures[] }> {
  const periods = periodsOf([municipality], parseKpiPeriod(period), now);
  return { municipality: (await municipalityMeasures(db, periods, now)).get(municipality.id)!, executors: await executorMeasures(db, periods, now) };
}

const round4 = (v: number) => Math.round(v * 10_000) / 10_000;
