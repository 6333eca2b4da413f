import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * KPI 14: one unit of outdoor advertising per municipality, first and last day and address
 * (compared without case and extra spaces). The service refused a repeat by reading first, so two
 * identical forms sent in the same instant both passed and the unit counted twice toward the
 * 1–10 a month; the unique index makes the database refuse the second (the service reads it as
 * ALREADY_EXISTS). Repeats stored before are removed first, the first entered of each kept.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    DELETE FROM kpi_placement p USING kpi_placement kept
      WHERE kept.municipality_id = p.municipality_id AND kept.starts_on = p.starts_on AND kept.ends_on = p.ends_on
        AND lower(regexp_replace(btrim(kept.address), '\\s+', ' ', 'g')) = lower(regexp_replace(btrim(p.address), '\\s+', ' ', 'g'))
        AND kept.id < p.id;
    CREATE UNIQUE INDEX kpi_placement_unit_key ON kpi_placement (municipality_id, starts_on, ends_on, lower(regexp_replace(btrim(address), '\\s+', ' ', 'g')));
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, 'DROP INDEX kpi_placement_unit_key;');
}
