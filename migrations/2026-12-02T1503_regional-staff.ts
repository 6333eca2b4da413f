import { sql, type Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * Regional bodies (issue 18 item 20): an executor with no municipality serves the whole region (a
 * regional ministry) and routing rules of any municipality may name it; staff of any role may
 * have no municipality (the regional ЦУР curator), their scope being the whole region.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const checks = await sql<{ conname: string }>`
    SELECT conname FROM pg_constraint
    WHERE conrelid = 'staff'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%operator%municipality_id IS NOT NULL%'
  `.execute(db);
  for (const { conname } of checks.rows) await sql`ALTER TABLE staff DROP CONSTRAINT ${sql.id(conname)}`.execute(db);
  await runStatements(db, 'ALTER TABLE executor ALTER COLUMN municipality_id DROP NOT NULL;');
}

/** Regional executors and staff cannot be represented before this: they are pinned to the first municipality (and the staff deactivated). */
export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    UPDATE executor SET municipality_id = (SELECT min(id) FROM municipality) WHERE municipality_id IS NULL;
    UPDATE staff SET active = false, municipality_id = (SELECT min(id) FROM municipality) WHERE municipality_id IS NULL AND role <> 'operator';
    ALTER TABLE staff ADD CHECK (role = 'operator' OR municipality_id IS NOT NULL);
    ALTER TABLE executor ALTER COLUMN municipality_id SET NOT NULL;
  `,
  );
}
