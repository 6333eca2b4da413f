import { sql } from 'kysely';
import type { Db } from '../db/types.ts';
import { storedCell } from './h3.ts';

export const CELL_BATCH = 5000;

/**
 * Gives up to `limit` messages without an H3 cell their cell; returns how many it filled.
 * Filing stores the cell with the message; this catches rows written by any other path (bulk
 * loads, imports, another intake) so the heat map's cells never miss them for long. Runs on the
 * partial index of cell-less messages, so with nothing to do it costs one index probe.
 */
export async function fillMessageCells(db: Db, limit = CELL_BATCH): Promise<number> {
  const rows = await db.selectFrom('message').select(['id', 'lat', 'lon']).where('h3_r10', 'is', null).where('lat', 'is not', null).where('lon', 'is not', null).orderBy('id').limit(limit).execute();
  if (rows.length === 0) return 0;
  const values = rows.map((r) => sql`(${r.id}::int, ${storedCell({ lat: r.lat!, lon: r.lon! })}::bigint)`);
  await sql`UPDATE message SET h3_r10 = v.cell FROM (VALUES ${sql.join(values)}) AS v(id, cell) WHERE message.id = v.id`.execute(db);
  return rows.length;
}

/**
 * The cron job's run: one bounded batch, so the job's transaction (which holds the rows it updates)
 * stays short. Filing fills cells itself; a bulk load should call fillMessageCells until it returns 0.
 */
export async function runFillMessageCells(db: Db): Promise<{ filled: number }> {
  return { filled: await fillMessageCells(db) };
}
