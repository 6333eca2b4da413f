import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * `resident_identity.name_looked_up_at`: when the resident's name was asked of the messenger (VK's
 * users.get, at the consent or by the name backfill, core/residents/name-backfill.ts), whatever it
 * answered — a deleted page has no name, and is not asked again every run. The partial index holds
 * only the VK identities not asked yet, so the backfill's scan costs nothing once it is done.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    ALTER TABLE resident_identity ADD COLUMN name_looked_up_at timestamptz;
    CREATE INDEX resident_identity_vk_name_due_idx ON resident_identity (resident_id) WHERE channel = 'vk' AND name_looked_up_at IS NULL;
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    DROP INDEX resident_identity_vk_name_due_idx;
    ALTER TABLE resident_identity DROP COLUMN name_looked_up_at;
  `,
  );
}
