import { sql } from 'kysely';
import type { Db } from '../db/types.ts';
import type { Job } from '../jobs/run-job.ts';
import type { MediaStore, StoredObject } from './store.ts';

/** Objects checked against the references per statement. */
export const SWEEP_BATCH = 500;

/** The tables and columns that name stored bytes: every column named `sha256` (media, media_upload, any added later). */
export async function hashColumns(db: Db): Promise<{ table: string; column: string }[]> {
  const rows = await sql<{ table_name: string }>`
    SELECT c.table_name FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
    WHERE c.table_schema = current_schema() AND c.column_name = 'sha256'
    ORDER BY c.table_name`.execute(db);
  return rows.rows.map((r) => ({ table: r.table_name, column: 'sha256' }));
}

/** Of `hashes`, those some row of `columns` names. */
async function referenced(db: Db, columns: { table: string; column: string }[], hashes: string[]): Promise<Set<string>> {
  const selects = columns.map(({ table, column }) => sql`SELECT ${sql.ref(`${table}.${column}`)} AS sha256 FROM ${sql.table(table)} WHERE ${sql.ref(`${table}.${column}`)} = ANY(${hashes}::text[])`);
  const rows = await sql<{ sha256: string }>`${sql.join(selects, sql` UNION `)}`.execute(db);
  return new Set(rows.rows.map((r) => r.sha256));
}

/**
 * Removes the stored objects no row references and last written more than `graceMs` before `now`:
 * bytes put before a transaction that then failed (a bot's turn, an upload refused after storing),
 * never bytes whose row is still to be committed (a put renews an object, see MediaStore.put).
 * Bytes are reachable only through a `media` row; the messengers' cached uploads (`media_upload`)
 * count as references too, as does any other column named `sha256` (hashColumns), so a table added
 * later keeps its bytes without this code knowing it. Short statements, no transaction held:
 * the references are read per batch of SWEEP_BATCH, and each object's time is read again just
 * before it goes (a put of the same bytes may have renewed it since the listing). What is left is
 * the instant between that read and the delete.
 */
export async function sweepOrphanMedia(db: Db, store: MediaStore, now: Date, graceMs: number): Promise<{ listed: number; old: number; removed: number }> {
  const columns = await hashColumns(db);
  // Without the media table's column this is not the schema the sweep knows: remove nothing.
  if (!columns.some((c) => c.table === 'media')) throw new Error('media.sha256 not found: the orphan sweep removes nothing');
  const cutoff = now.getTime() - graceMs;
  const counts = { listed: 0, old: 0, removed: 0 };
  let batch: StoredObject[] = [];
  const sweep = async () => {
    const kept = await referenced(
      db,
      columns,
      batch.map((o) => o.sha256),
    );
    for (const object of batch) {
      if (kept.has(object.sha256)) continue;
      const modified = await store.modifiedAt(object.sha256);
      if (!modified || modified.getTime() >= cutoff) continue;
      await store.delete(object.sha256);
      counts.removed++;
    }
    batch = [];
  };
  for await (const object of store.list()) {
    counts.listed++;
    if (object.modifiedAt.getTime() >= cutoff) continue;
    counts.old++;
    batch.push(object);
    if (batch.length >= SWEEP_BATCH) await sweep();
  }
  if (batch.length > 0) await sweep();
  return counts;
}

/** The cron job (batched: a session lock, no transaction held while the store is listed). */
export function mediaOrphanSweepJob(store: MediaStore, graceMs: number): Job {
  return { name: 'media-orphan-sweep', batched: true, run: async (db, now) => ({ ...(await sweepOrphanMedia(db, store, now, graceMs)) }) };
}
