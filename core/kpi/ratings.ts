import { sql } from 'kysely';
import { workingHoursMeter } from '../calendar/working-time.ts';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { listMunicipalities } from '../municipalities/municipality.repository.ts';
import { median } from './report.ts';
import { localPeriod, parseKpiPeriod } from './period.ts';

/** Weights of the combined score (configuration: KPI_RATING_WEIGHTS); each ≥ 0, not all 0. */
export interface RatingWeights {
  quantity: number;
  quality: number;
  speed: number;
  completeness: number;
}

export const DEFAULT_RATING_WEIGHTS: RatingWeights = { quantity: 1, quality: 1, speed: 1, completeness: 1 };

/** Parses `quantity=1,quality=2,speed=1,completeness=1` (names may be left out: default 1). */
export function parseRatingWeights(text: string | undefined): RatingWeights {
  const weights = { ...DEFAULT_RATING_WEIGHTS };
  if (!text) return weights;
  for (const part of text.split(',')) {
    const [name, value] = part.split('=').map((s) => s.trim());
    if (!name || !(name in weights) || value === undefined || !/^\d+(\.\d+)?$/.test(value))
      throw new Error(`KPI_RATING_WEIGHTS: bad entry '${part}' (expected quantity|quality|speed|completeness=<number ≥ 0>)`);
    weights[name as keyof RatingWeights] = Number(value);
  }
  if (Object.values(weights).every((w) => w === 0)) throw new Error('KPI_RATING_WEIGHTS: at least one weight must be above 0');
  return weights;
}

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

export interface ExecutorRating extends ResponseMeasures, ResponseScore {
  executorId: number;
  name: string;
  municipalityId: number;
}

export interface MunicipalityRating extends ResponseMeasures, ResponseScore {
  municipalityId: number;
  nameRu: string;
  nameEn: string;
}

type ClosedRow = { created_at: Date; first_intermediate_at: Date | null; closed_at: Date; rating_stars: number | null };

/**
 * The measures of one body from its messages closed in the period and its received / closed-of-received
 * counts; `hours` is workingHoursBetween in the municipality's calendar (a workingHoursMeter).
 */
function measures(hours: (from: Date, to: Date) => number, closed: ClosedRow[], received: { received: string; closed: string } | undefined): ResponseMeasures {
  const starsOf = closed.filter((r) => r.rating_stars !== null).map((r) => r.rating_stars!);
  const receivedN = Number(received?.received ?? 0);
  const closedOfReceived = Number(received?.closed ?? 0);
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
 * - speed = the fastest median working hours to closure / this one's (0 hours counts as the
 *   fastest; nothing closed: 0);
 * - completeness = closed among received (nothing received: 0).
 * score = 100 × Σ weight × measure / Σ weights, two decimals; ties by closed, then by name.
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
      speed: c === null ? 0 : c === 0 || fastest === c ? 1 : fastest / c,
      completeness: r.completeness ?? 0,
    };
    const score =
      Math.round(((100 * (weights.quantity * scores.quantity + weights.quality * scores.quality + weights.speed * scores.speed + weights.completeness * scores.completeness)) / total) * 100) / 100;
    return { ...r, scores: { quantity: round4(scores.quantity), quality: round4(scores.quality), speed: round4(scores.speed), completeness: round4(scores.completeness) }, score };
  });
  scored.sort((a, b) => b.score - a.score || b.closed - a.closed || nameOf(a).localeCompare(nameOf(b), 'ru'));
  return scored.map((r, i) => ({ ...r, rank: i + 1 }));
}

/**
 * Executors ranked by a combined score (seed 002 §4.1: quantity, quality, speed, completeness),
 * normalised among the executors ranked (see rank).
 */
export async function rateExecutors(db: Db, filter: { municipalityId: number | null; period: string }, weights: RatingWeights, now: Date): Promise<ExecutorRating[]> {
  const requested = parseKpiPeriod(filter.period);
  const municipalities = (await listMunicipalities(db)).filter((m) => filter.municipalityId === null || m.id === filter.municipalityId);
  if (filter.municipalityId !== null && municipalities.length === 0) throw new DomainError('MUNICIPALITY_NOT_FOUND', { id: filter.municipalityId });
  const rows: Omit<ExecutorRating, keyof ResponseScore>[] = [];
  for (const municipality of municipalities) {
    const p = localPeriod(requested.year, requested.month, municipality.timeZone);
    const executors = await db.selectFrom('executor').select(['id', 'name']).where('municipality_id', '=', municipality.id).orderBy('id').execute();
    if (executors.length === 0) continue;
    const closedRows = (
      await sql<ClosedRow & { executor_id: number }>`
        SELECT executor_id, created_at, first_intermediate_at, closed_at, rating_stars FROM message
        WHERE municipality_id = ${municipality.id} AND executor_id IS NOT NULL AND status IN ('solved', 'explained') AND duplicate_of IS NULL
          AND closed_at >= ${p.from} AND closed_at < ${p.to} AND closed_at <= ${now}`.execute(db)
    ).rows;
    const received = (
      await sql<{ executor_id: number; received: string; closed: string }>`
        SELECT executor_id, count(*) AS received, count(*) FILTER (WHERE status IN ('solved', 'explained')) AS closed FROM message
        WHERE municipality_id = ${municipality.id} AND executor_id IS NOT NULL AND accepted_at >= ${p.from} AND accepted_at < ${p.to} AND duplicate_of IS NULL
        GROUP BY executor_id`.execute(db)
    ).rows;
    const hours = workingHoursMeter(municipality.calendar);
    for (const e of executors) {
      rows.push({
        executorId: e.id,
        name: e.name,
        municipalityId: municipality.id,
        ...measures(
          hours,
          closedRows.filter((r) => r.executor_id === e.id),
          received.find((r) => r.executor_id === e.id),
        ),
      });
    }
  }
  return rank(rows, weights, (r) => r.name);
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
  const rows: Omit<MunicipalityRating, keyof ResponseScore>[] = [];
  for (const municipality of municipalities) {
    const p = localPeriod(requested.year, requested.month, municipality.timeZone);
    const closedRows = (
      await sql<ClosedRow>`
        SELECT created_at, first_intermediate_at, closed_at, rating_stars FROM message
        WHERE municipality_id = ${municipality.id} AND status IN ('solved', 'explained') AND duplicate_of IS NULL
          AND closed_at >= ${p.from} AND closed_at < ${p.to} AND closed_at <= ${now}`.execute(db)
    ).rows;
    const received = (
      await sql<{ received: string; closed: string }>`
        SELECT count(*) AS received, count(*) FILTER (WHERE status IN ('solved', 'explained')) AS closed FROM message
        WHERE municipality_id = ${municipality.id} AND accepted_at >= ${p.from} AND accepted_at < ${p.to} AND duplicate_of IS NULL`.execute(db)
    ).rows[0];
    rows.push({ municipalityId: municipality.id, nameRu: municipality.nameRu, nameEn: municipality.nameEn, ...measures(workingHoursMeter(municipality.calendar), closedRows, received) });
  }
  const ranked = rank(rows, weights, (r) => r.nameRu);
  return filter.municipalityId === null ? ranked : ranked.filter((r) => r.municipalityId === filter.municipalityId);
}

const round4 = (v: number) => Math.round(v * 10_000) / 10_000;
