import { sql, type Kysely } from 'kysely';

/**
 * Runs a migration's SQL one statement at a time: PGlite's extended-protocol queries take a single
 * statement, and node-postgres would otherwise need the simple protocol. Statements are split on
 * a semicolon at the end of a line, so literals and comments must not end a line with one.
 */
export async function runStatements(db: Kysely<unknown>, script: string): Promise<void> {
  const statements = script
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s.length > 0);
  for (const statement of statements) await sql.raw(statement).execute(db);
}
