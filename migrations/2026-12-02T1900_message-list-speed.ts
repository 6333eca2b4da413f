import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * The admin message list's slow variants on a million messages (issue 15, "Speed"):
 * - `overdue=true` read every in-work message's row, newest first, to test the KPI 7 rule, and the
 *   newest in-work messages are the ones not overdue yet (thousands of rows per page). The in-work
 *   list index now carries the rule's columns and the common scope filters, so the page's ids
 *   come from an index-only scan and only the page's rows are read (core/messages/message.search.ts).
 * - `q` with a term matching ~1 % of messages read thousands of rows per page, and `ILIKE` lowered
 *   the pattern and the row on every row. The list now asks `lower(x) LIKE lower(pattern)` (the
 *   same test: it is how ILIKE works on UTF-8), so the trigram indexes move to lower(text) and
 *   lower(address), where that form can use them for rare terms; and it searches the address
 *   apart, by an index-only scan of the created_at list index, which now carries the address and
 *   the municipality (the scope of municipal staff). Filing cuts an address to 500 characters; a
 *   CHECK makes that a rule, so an address always fits in a B-tree entry.
 * - Index-only scans skip the row only on pages the visibility map marks all-visible; a batch of
 *   scattered updates (the overdue job marking its messages) clears those marks until a vacuum.
 *   Autovacuum runs on `message` after 1 % of its rows changed or were inserted, not 20 %.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    DROP INDEX message_list_in_work_idx;
    CREATE INDEX message_list_in_work_idx ON message (created_at, id)
      INCLUDE (accepted_at, first_intermediate_at, closed_at, municipality_id, executor_id, category_id)
      WHERE status = 'in_work';
    DROP INDEX message_text_trgm_idx;
    DROP INDEX message_address_trgm_idx;
    CREATE INDEX message_text_trgm_idx ON message USING gin (lower(text) gin_trgm_ops);
    CREATE INDEX message_address_trgm_idx ON message USING gin (lower(address) gin_trgm_ops);
    ALTER TABLE message ADD CONSTRAINT message_address_length CHECK (char_length(address) <= 500);
    DROP INDEX message_list_created_idx;
    CREATE INDEX message_list_created_idx ON message (created_at, id) INCLUDE (address, municipality_id);
    ALTER TABLE message SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_insert_scale_factor = 0.01);
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    ALTER TABLE message RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_insert_scale_factor);
    DROP INDEX message_list_created_idx;
    CREATE INDEX message_list_created_idx ON message (created_at, id);
    ALTER TABLE message DROP CONSTRAINT message_address_length;
    DROP INDEX message_address_trgm_idx;
    DROP INDEX message_text_trgm_idx;
    CREATE INDEX message_text_trgm_idx ON message USING gin (text gin_trgm_ops);
    CREATE INDEX message_address_trgm_idx ON message USING gin (address gin_trgm_ops);
    DROP INDEX message_list_in_work_idx;
    CREATE INDEX message_list_in_work_idx ON message (created_at, id) WHERE status = 'in_work';
  `,
  );
}
