import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * Open-source items (`incident`) and KPI 16's publications (`kpi_publication`) kept only the
 * canonical spelling of their URL (core/incidents/url.ts: https, no www., no fragment or utm_
 * tags), which is what made a repeat a repeat but also what officials were given to open: an
 * http-only site's page became a broken https link. The canonical form moves to its own column,
 * `canonical_url`, which carries the uniqueness; `source_url` / `url` keep the URL as given. Rows
 * stored before keep their canonical URL in both (what they were given is not known any more).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    ALTER TABLE incident ADD COLUMN canonical_url text;
    UPDATE incident SET canonical_url = source_url;
    ALTER TABLE incident ALTER COLUMN canonical_url SET NOT NULL;
    ALTER TABLE incident ADD CONSTRAINT incident_canonical_url_key UNIQUE (canonical_url);
    ALTER TABLE incident DROP CONSTRAINT incident_source_url_key;
    ALTER TABLE kpi_publication ADD COLUMN canonical_url text;
    UPDATE kpi_publication SET canonical_url = url;
    ALTER TABLE kpi_publication ALTER COLUMN canonical_url SET NOT NULL;
    ALTER TABLE kpi_publication ADD CONSTRAINT kpi_publication_municipality_id_canonical_url_key UNIQUE (municipality_id, canonical_url);
    ALTER TABLE kpi_publication DROP CONSTRAINT kpi_publication_municipality_id_url_key;
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    UPDATE kpi_publication SET url = canonical_url;
    ALTER TABLE kpi_publication ADD CONSTRAINT kpi_publication_municipality_id_url_key UNIQUE (municipality_id, url);
    ALTER TABLE kpi_publication DROP COLUMN canonical_url;
    UPDATE incident SET source_url = canonical_url;
    ALTER TABLE incident ADD CONSTRAINT incident_source_url_key UNIQUE (source_url);
    ALTER TABLE incident DROP COLUMN canonical_url;
  `,
  );
}
