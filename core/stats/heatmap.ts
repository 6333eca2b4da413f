import { sql } from 'kysely';
import type { Scope } from '../access/scope.ts';
import { decodeCursor, encodeCursor } from '../db/pagination.ts';
import type { Db } from '../db/types.ts';
import type { MessageStatus } from '../messages/message.table.ts';
import { firstAnswerAtSql, overdueSql, sourceSql, statsSelection, type MessageSource, type StatsFilter } from './filter.ts';
import { parentCellSql } from './h3.ts';
import { aggregateColumns, toMetrics, type AggregateRow, type Metrics } from './metrics.ts';

/** The whole region, as an operator sees it (benchmarks, reports). */
export const REGION_SCOPE: Scope = { municipalityId: null, executorId: null };

/** A response never carries more point features than this; past it, page on or aggregate. */
export const MAX_POINTS = 10_000;

export interface HeatPoint {
  id: number;
  lat: number;
  lon: number;
  municipalityId: number;
  categoryId: number;
  status: MessageStatus;
  published: boolean;
  source: MessageSource;
  createdAt: Date;
  acceptedAt: Date | null;
  firstAnswerAt: Date | null;
  closedAt: Date | null;
  overdue: boolean;
  /** The author's stars, null when not rated by the period's end (or by now). */
  rating: number | null;
}

/**
 * One point per message matching `filter` within `scope`, in id order, at most `limit`
 * (≤ MAX_POINTS). `nextCursor` is set when more match: pass it back for the next page.
 */
export async function heatmapPoints(db: Db, scope: Scope, filter: StatsFilter, page: { cursor?: string; limit?: number }, now: Date): Promise<{ points: HeatPoint[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(Math.trunc(page.limit ?? MAX_POINTS), 1), MAX_POINTS);
  const after = page.cursor === undefined ? 0 : decodeCursor(page.cursor).id;
  const { where, starsCounted } = await statsSelection(db, scope, filter, now);
  const rows = await db
    .selectFrom('message')
    .select([
      'message.id',
      'message.lat',
      'message.lon',
      'message.municipality_id',
      'message.category_id',
      'message.status',
      'message.published',
      'message.created_at',
      'message.accepted_at',
      'message.closed_at',
      sql<number | null>`CASE WHEN ${starsCounted} THEN message.rating_stars END`.as('rating_stars'),
      sourceSql().as('source'),
      firstAnswerAtSql().as('first_answer_at'),
      sql<boolean>`${overdueSql(now)}`.as('overdue'),
    ])
    .where(where)
    // An open-source message may have no point yet (triage left it out): nothing to draw.
    .where('message.lat', 'is not', null)
    .where('message.id', '>', after)
    .orderBy('message.id')
    .limit(limit + 1)
    .execute();
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return {
    points: items.map((r) => ({
      id: r.id,
      lat: r.lat!,
      lon: r.lon!,
      municipalityId: r.municipality_id,
      categoryId: r.category_id,
      status: r.status,
      published: r.published,
      source: r.source,
      createdAt: r.created_at,
      acceptedAt: r.accepted_at,
      firstAnswerAt: r.first_answer_at === null ? null : new Date(r.first_answer_at),
      closedAt: r.closed_at,
      overdue: Boolean(r.overdue),
      rating: r.rating_stars,
    })),
    nextCursor: more ? encodeCursor({ v: null, id: items[items.length - 1]!.id }) : null,
  };
}

export interface HeatCell extends Metrics {
  /** H3 index (hex) at the requested resolution. */
  cell: string;
  /** Of them overdue (KPI 7) and accepted into work: the overdue share's parts. */
  overdue: number;
  accepted: number;
}

/**
 * The aggregate the heat map draws, and the one the KPI benchmark times for a month of the region:
 * messages matching `filter` within `scope`, grouped into H3 cells at `resolution` (5-10), with
 * count, overdue share, median hours to first answer and average rating per cell, in one SQL
 * pass (cells derived from the stored resolution-10 cell by bit arithmetic). `unplaced` counts
 * matching messages with a point whose cell is not filled in yet (see cells.ts); those without a
 * point are off the map.
 */
export async function heatmapCells(db: Db, scope: Scope, filter: StatsFilter, resolution: number, now: Date): Promise<{ cells: HeatCell[]; unplaced: number }> {
  // Grouped by the bigint parent (cheaper to sort than its hex text), turned to hex outside.
  const parent = parentCellSql(sql.ref('message.h3_r10'), resolution);
  const { where, starsCounted } = await statsSelection(db, scope, filter, now);
  const grouped = db
    .selectFrom('message')
    .select([parent.as('parent'), ...aggregateColumns(now, starsCounted)])
    .where(where)
    // A message without a point (an open-source item accepted without one) is off the map, as in
    // the points: no cell will ever be filled in for it, so it is not "unplaced" either.
    .where('message.lat', 'is not', null)
    .groupBy(parent)
    .as('g');
  const rows = (await db.selectFrom(grouped).selectAll('g').select(sql<string | null>`to_hex(g.parent)`.as('cell')).execute()) as unknown as (AggregateRow & { cell: string | null })[];
  let unplaced = 0;
  const cells: HeatCell[] = [];
  for (const row of rows) {
    if (row.cell === null) unplaced += Number(row.n);
    else cells.push({ cell: row.cell, overdue: Number(row.overdue), accepted: Number(row.accepted), ...toMetrics(row) });
  }
  return { cells, unplaced };
}
