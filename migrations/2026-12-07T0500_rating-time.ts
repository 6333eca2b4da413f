import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * `message.rated_at`: when the author rated the message, mirrored from `rating.created_at` by the
 * trigger that already mirrors the stars. A month's ratings figures (KPI 11, the rankings' quality,
 * the monthly report) count only the stars given by the month's end: a message closed on 30 November
 * and rated on 2 December is not rated in November's figures, whenever they are computed. The
 * rankings' covering index gains the column so a municipality's month stays an index-only scan.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    ALTER TABLE message ADD COLUMN rated_at timestamptz;
    UPDATE message SET rated_at = rating.created_at FROM rating WHERE rating.message_id = message.id;
    -- The body on one line: runStatements splits on a semicolon at a line's end.
    CREATE OR REPLACE FUNCTION message_rating_stars_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF TG_OP = 'DELETE' THEN UPDATE message SET rating_stars = NULL, rated_at = NULL WHERE id = OLD.message_id; ELSE UPDATE message SET rating_stars = NEW.stars, rated_at = NEW.created_at WHERE id = NEW.message_id; END IF; RETURN NULL; END $$;
    DROP INDEX message_rating_closed_idx;
    CREATE INDEX message_rating_closed_idx ON message (municipality_id, closed_at)
      INCLUDE (executor_id, created_at, first_intermediate_at, rating_stars, rated_at)
      WHERE status IN ('solved', 'explained') AND duplicate_of IS NULL;
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    DROP INDEX message_rating_closed_idx;
    CREATE INDEX message_rating_closed_idx ON message (municipality_id, closed_at)
      INCLUDE (executor_id, created_at, first_intermediate_at, rating_stars)
      WHERE status IN ('solved', 'explained') AND duplicate_of IS NULL;
    CREATE OR REPLACE FUNCTION message_rating_stars_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF TG_OP = 'DELETE' THEN UPDATE message SET rating_stars = NULL WHERE id = OLD.message_id; ELSE UPDATE message SET rating_stars = NEW.stars WHERE id = NEW.message_id; END IF; RETURN NULL; END $$;
    ALTER TABLE message DROP COLUMN rated_at;
  `,
  );
}
