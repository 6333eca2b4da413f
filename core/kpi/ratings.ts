import { sql } from 'kysely';
import { workingHoursBetween } from '../calendar/working-time.ts';
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

export interface ExecutorRating {
  rank: number;
  executorId: number;
  name: string;
  municipalityId: number;
  /** Quantity: messages closed (solved or explained) in the period. */
  closed: number;
  /** Quality: mean stars of those closed in the period that were rated; share 4–5 among them. */
  rated: number;
  averageStars: number | null;
  /** Speed: median working hours from filing to the first answer and to closure (closed in the period). */
  medianWorkingHoursToFirstAnswer: number | null;
  medianWorkingHoursToClosure: number | null;
  /** Completeness: of the messages received in the period (accepted into work for the executor), those closed since. */
  received: number;
  closedOfReceived: number;
  completeness: number | null;
  /** The four normalised 0..1 and the weighted score 0..100. */
  scores: { quantity: number; quality: number; speed: number; completeness: number };
  score: number;
}

/**
 * Executors ranked by a combined score (seed 002 §4.1: quantity, quality, speed, completeness).
 * Each measure is normalised to 0..1 among the executors ranked:
 * - quantity = closed / the most closed by any executor;
 * - quality = (mean stars − 1) / 4 (no rating: 0);
 * - speed = the fastest median working hours to closure / this executor's (0 hours counts as the
 *   fastest; nothing closed: 0);
 * - completeness = closed among received (nothing received: 0).
 * score = 100 × Σ weight × measure / Σ weights, two decimals; ties by closed, then by name.
 */
export async function rateExecutors(db: Db, filter: { municipalityId: number | null; period: string }, weights: RatingWeights, now: Date): Promise<ExecutorRating[]> {
  const requested = parseKpiPeriod(filter.period);
  const municipalities = (await listMunicipalities(db)).filter((m) => filter.municipalityId === null || m.id === filter.municipalityId);
  if (filter.municipalityId !== null && municipalities.length === 0) throw new DomainError('MUNICIPALITY_NOT_FOUND', { id: filter.municipalityId });
  const rows: Omit<ExecutorRating, 'rank' | 'scores' | 'score'>[] = [];
  for (const municipality of municipalities) {
    const p = localPeriod(requested.year, requested.month, municipality.timeZone);
    const executors = await db.selectFrom('executor').select(['id', 'name']).where('municipality_id', '=', municipality.id).orderBy('id').execute();
    if (executors.length === 0) continue;
    const closedRows = (
      await sql<{ executor_id: number; created_at: Date; first_intermediate_at: Date | null; closed_at: Date; rating_stars: number | null }>`
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
    for (const e of executors) {
      const mine = closedRows.filter((r) => r.executor_id === e.id);
      const starsOf = mine.filter((r) => r.rating_stars !== null).map((r) => r.rating_stars!);
      const rec = received.find((r) => r.executor_id === e.id);
      const receivedN = Number(rec?.received ?? 0);
      const closedOfReceived = Number(rec?.closed ?? 0);
      rows.push({
        executorId: e.id,
        name: e.name,
        municipalityId: municipality.id,
        closed: mine.length,
        rated: starsOf.length,
        averageStars: starsOf.length > 0 ? Math.round((starsOf.reduce((a, b) => a + b, 0) / starsOf.length) * 100) / 100 : null,
        medianWorkingHoursToFirstAnswer: median(
          mine.map((r) => workingHoursBetween(municipality.calendar, r.created_at, r.first_intermediate_at && r.first_intermediate_at < r.closed_at ? r.first_intermediate_at : r.closed_at)),
        ),
        medianWorkingHoursToClosure: median(mine.map((r) => workingHoursBetween(municipality.calendar, r.created_at, r.closed_at))),
        received: receivedN,
        closedOfReceived,
        completeness: receivedN > 0 ? Math.round((closedOfReceived / receivedN) * 10_000) / 10_000 : null,
      });
    }
  }
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
  scored.sort((a, b) => b.score - a.score || b.closed - a.closed || a.name.localeCompare(b.name, 'ru'));
  return scored.map((r, i) => ({ ...r, rank: i + 1 }));
}

const round4 = (v: number) => Math.round(v * 10_000) / 10_000;
