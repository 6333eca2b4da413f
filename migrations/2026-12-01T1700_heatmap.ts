import { sql, type Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * Heat map and statistics:
 * - `message.h3_r10`: the message's H3 cell at resolution 10 as a bigint. Coarser cells are derived
 *   from it in SQL by bit arithmetic (core/stats/h3.ts), so one stored column serves every
 *   resolution and no H3 code has to run per row at query time (h3-js costs ~8 µs a point).
 * - `message.rating_stars`: the author's stars, mirrored from `rating` by a trigger (whatever
 *   writes ratings), so period aggregates never join the whole rating table;
 * - a covering index over the filing time for period aggregates (heat map cells, slices), so a
 *   month of the region is an index-only range scan, not a pass over the whole history;
 * - a partial index of messages still lacking a cell (filled by the cell job and this migration);
 * - a partial index of published messages by filing time for the public Open311 listing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    ALTER TABLE message ADD COLUMN h3_r10 bigint;
    ALTER TABLE message ADD COLUMN rating_stars smallint;
    UPDATE message SET rating_stars = rating.stars FROM rating WHERE rating.message_id = message.id;
    -- The body on one line: runStatements splits on a semicolon at a line's end.
    CREATE FUNCTION message_rating_stars_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF TG_OP = 'DELETE' THEN UPDATE message SET rating_stars = NULL WHERE id = OLD.message_id; ELSE UPDATE message SET rating_stars = NEW.stars WHERE id = NEW.message_id; END IF; RETURN NULL; END $$;
    CREATE TRIGGER rating_stars_to_message AFTER INSERT OR UPDATE OF stars OR DELETE ON rating
      FOR EACH ROW EXECUTE FUNCTION message_rating_stars_sync();
    CREATE INDEX message_h3_missing_idx ON message (id) WHERE h3_r10 IS NULL;
    CREATE INDEX message_stats_idx ON message (created_at)
      INCLUDE (municipality_id, category_id, status, executor_id, channel, open_source, accepted_at, first_intermediate_at, closed_at, h3_r10, rating_stars);
    CREATE INDEX message_published_idx ON message (created_at DESC, id DESC) WHERE published;
  `,
  );
  // Messages filed before this migration get their cell now, in batches (self-contained on purpose:
  // a migration must not change meaning when core code changes later).
  for (;;) {
    const rows = await sql<{ id: number; lat: number; lon: number }>`SELECT id, lat, lon FROM message WHERE h3_r10 IS NULL ORDER BY id LIMIT 5000`.execute(db);
    if (rows.rows.length === 0) break;
    // Loaded only when there are messages to fill: the migrator imports every migration file at
    // each start, and h3-js costs ~10 MB of RSS once loaded.
    const { latLngToCell } = await import('h3-js');
    const values = rows.rows.map((r) => sql`(${r.id}::int, ${BigInt(`0x${latLngToCell(r.lat, r.lon, 10)}`).toString()}::bigint)`);
    await sql`UPDATE message SET h3_r10 = v.cell FROM (VALUES ${sql.join(values)}) AS v(id, cell) WHERE message.id = v.id`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    DROP INDEX message_published_idx;
    DROP INDEX message_stats_idx;
    DROP INDEX message_h3_missing_idx;
    DROP TRIGGER rating_stars_to_message ON rating;
    DROP FUNCTION message_rating_stars_sync();
    ALTER TABLE message DROP COLUMN rating_stars;
    ALTER TABLE message DROP COLUMN h3_r10;
  `,
  );
}
