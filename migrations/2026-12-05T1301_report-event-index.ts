import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * The monthly report counts a municipality's answers returned by the curator and messages reopened
 * (a closed message back in work) during the month from `message_event`, which had no index on
 * time: each report read the whole table (2.7 million events with a 1,000,000-message region,
 * 0.5–1 s, growing with every message ever filed). This partial index holds only those two kinds of
 * events, by time; the report's query names the same condition.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    CREATE INDEX message_event_report_idx ON message_event (created_at)
      WHERE kind = 'answer_returned' OR (from_status IN ('solved', 'explained') AND to_status = 'in_work');
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, 'DROP INDEX message_event_report_idx;');
}
