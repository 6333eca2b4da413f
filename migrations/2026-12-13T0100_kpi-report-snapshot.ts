import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * `kpi_report_snapshot`: what the monthly report and the rankings measure for an ended period, frozen
 * with its 16 indicators (`kpi_snapshot`) in the same transaction of the `kpi-snapshots` job and
 * replaced with them by POST /kpi/recompute, so that a message reopened after the month ended no
 * longer moves the month's official report and rankings. None of it can be derived from the
 * indicators' rows (medians, per-category dynamics, per-executor counts), so the raw figures are kept:
 * - `report`: the monthly report's figures (a month only; null for a year, which has no report);
 * - `municipality_rating`: the municipality's four raw measures (closed, stars, medians, completeness);
 * - `executor_ratings`: each of its executors' raw measures, with the executor's id and name.
 * Raw measures, not ranks: the rankings are weighted and normalised when read. `json`, not `jsonb`:
 * the report is given back with its keys in the order it was written.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    CREATE TABLE kpi_report_snapshot (
      municipality_id int NOT NULL REFERENCES municipality(id) ON DELETE CASCADE,
      period text NOT NULL CHECK (period ~ '^[0-9]{4}(-[0-9]{2})?$'),
      report json,
      municipality_rating json NOT NULL,
      executor_ratings json NOT NULL,
      computed_at timestamptz NOT NULL,
      recomputed boolean NOT NULL DEFAULT false,
      PRIMARY KEY (municipality_id, period),
      CHECK ((report IS NULL) = (period !~ '-'))
    );
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `DROP TABLE kpi_report_snapshot;`);
}
