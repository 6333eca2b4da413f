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
  const stored = (row.data ?? {}) as StoredData;
  return { flow: row.flow as FlowName, step: row.step, data: stored.data ?? {}, version: row.version, replyKeyboard: stored.replyKeyboard === true };
}

/** Saves the position; false when the row is gone (the turn erased the account, e.g. consent withdrawn). */
export async function saveState(db: Db, channel: Channel, externalId: string, state: DialogState, now: Date): Promise<boolean> {
  const stored: StoredData = { data: state.data, replyKeyboard: state.replyKeyboard };
  const result = await db
    .updateTable('dialog_state')
    .set({ flow: state.flow, step: state.step, data: JSON.stringify(stored), version: state.version, updated_at: now })
    .where('channel', '=', channel)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
