import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * An accepted triage item points at the message it became (incident.message_id), and the message's
 * readers look it up from that side: publishing an answer under the source post (core/incidents/
 * publish.ts) and Open311's public request list (the name the item came with, redacted). The column had no index, so each such look-up read the
 * whole incident table; only accepted items have a message.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, 'CREATE INDEX incident_message_idx ON incident (message_id) WHERE message_id IS NOT NULL;');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, 'DROP INDEX incident_message_idx;');
}
