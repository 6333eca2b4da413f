import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * Production calendars imported for years after those shipped with the code
 * (`npm run calendar:import`); one row per year, loaded at start.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    CREATE TABLE production_calendar (
      year integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
      source text NOT NULL,
      days_off jsonb NOT NULL,
      shortened jsonb NOT NULL,
      working_weekends jsonb NOT NULL,
      imported_at timestamptz NOT NULL
    );
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, 'DROP TABLE production_calendar;');
}
