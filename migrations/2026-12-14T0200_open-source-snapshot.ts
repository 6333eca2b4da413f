import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * `kpi_open_source_snapshot`: what the region's open-source summary (GET /reports/open-sources) of an
 * ended month is summed from, per municipality, frozen with its KPIs and its monthly report in the same
 * transaction of the `kpi-snapshots` job and replaced with them by POST /kpi/recompute. The summary's
 * total pools the municipalities' messages (medians and shares over them all), which the rows'
 * figures cannot give: `measures` keeps each open-source message's facts (no ids) and the messages
 * per source in the three months compared (OpenSourceMeasures in core/kpi/report.ts). A month frozen
 * before this table existed gets its row at the job's next run (as of then).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    CREATE TABLE kpi_open_source_snapshot (
      municipality_id int NOT NULL REFERENCES municipality(id) ON DELETE CASCADE,
      period text NOT NULL CHECK (period ~ '^[0-9]{4}-[0-9]{2}$'),
      measures json NOT NULL,
      computed_at timestamptz NOT NULL,
      recomputed boolean NOT NULL DEFAULT false,
      PRIMARY KEY (municipality_id, period)
    );
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `DROP TABLE kpi_open_source_snapshot;`);
}
