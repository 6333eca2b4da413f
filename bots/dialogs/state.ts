import { sql, type CompiledQuery } from 'kysely';
import { sendWith } from '../../core/db/prepared.ts';
import type { Channel, Db } from '../../core/db/types.ts';
import type { FlowName, StepData } from './flow.ts';

/**
 * A conversation's position, persisted in dialog_state so a restart continues where the
 * resident was. `version` counts step changes (not every save): buttons carry it, so a keyboard
 * stays valid while its step is current (paging, several photos) and goes stale when it moves on.
 */
export interface DialogState {
  flow: FlowName;
  step: string;
  data: StepData;
  version: number;
  /** A reply keyboard (location, contact) is still shown and must be removed by the next answer. */
  replyKeyboard: boolean;
}

interface StoredData {
  data?: StepData;
  replyKeyboard?: boolean;
}

export const IDLE = { flow: 'idle', step: 'idle' } as const;

/** Loads the state under a row lock, creating it on first contact: updates of one chat serialise here. */
export async function lockState(db: Db, channel: Channel, externalId: string): Promise<DialogState> {
  // One round trip: a first contact inserts the idle state; otherwise the conflict's no-op update
  // takes the row lock (as SELECT … FOR UPDATE would) and returns the row.
  const row = await db
    .insertInto('dialog_state')
    .values({ channel, external_id: externalId, flow: IDLE.flow, step: IDLE.step, data: JSON.stringify({}) })
    .onConflict((oc) => oc.columns(['channel', 'external_id']).doUpdateSet((eb) => ({ version: eb.ref('dialog_state.version') })))
    .returningAll()
    .executeTakeFirstOrThrow();
  return toState(row);
}

function toState(row: { flow: string; step: string; data: unknown; version: number }): DialogState {
  const stored = (row.data ?? {}) as StoredData;
  return { flow: row.flow as FlowName, step: row.step, data: stored.data ?? {}, version: row.version, replyKeyboard: stored.replyKeyboard === true };
}

/**
 * An update's dedupe row and its chat's state lock in one statement (one round trip, the first of
 * the update's transaction): records the update as processed and, only if it was new, locks (or
 * creates) the state as lockState does. Undefined for a duplicate: the caller rolls back. `ahead`:
 * the turn's next statement, sent in the same round trip (core/db/prepared.ts sendWith); it runs
 * for a duplicate too, hence the rollback.
 */
export async function markProcessedLockingState(db: Db, channel: Channel, updateId: string, externalId: string, ahead?: CompiledQuery): Promise<DialogState | undefined> {
  const statement = sql<{ flow: string; step: string; data: unknown; version: number }>`
    WITH processed AS (
      INSERT INTO processed_update (channel, update_id) VALUES (${channel}, ${updateId})
      ON CONFLICT (channel, update_id) DO NOTHING RETURNING update_id
    )
    INSERT INTO dialog_state (channel, external_id, flow, step, data)
    SELECT ${channel}::text, ${externalId}::text, ${IDLE.flow}::text, ${IDLE.step}::text, ${JSON.stringify({})}::jsonb FROM processed
    ON CONFLICT (channel, external_id) DO UPDATE SET version = dialog_state.version
    RETURNING flow, step, data, version`.compile(db);
  const { rows } = await db.executeQuery(ahead ? sendWith(statement, ahead) : statement);
  const row = rows[0];
  return row && toState(row);
}

/** The `data` column's JSON for a state. */
export function storedData(state: DialogState): string {
  const stored: StoredData = { data: state.data, replyKeyboard: state.replyKeyboard };
  return JSON.stringify(stored);
}

/** Saves the position; false when the row is gone (the turn erased the account, e.g. consent withdrawn). */
export async function saveState(db: Db, channel: Channel, externalId: string, state: DialogState, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('dialog_state')
    .set({ flow: state.flow, step: state.step, data: storedData(state), version: state.version, updated_at: now })
    .where('channel', '=', channel)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
