import type { CompiledQuery } from 'kysely';
import { fixedSql } from '../../core/db/fixed-sql.ts';
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
  /** The chat's last input, when it was a text: the next one may be a piece of the same text (engine.ts). */
  lastText?: LastText;
  /**
   * The step's button whose tap moved the dialog to this version (its stamped id) and when (ms):
   * the same tap again soon after (a double tap, a second press arriving after the step advanced)
   * is answered quietly.
   */
  lastTap?: LastTap;
  /** A text offered between flows to start something with (BotFeature.textOffer), until taken or expired (idle.ts). */
  offer?: TextOffer;
  /**
   * What the chat's messenger app can show, as the adapter stored it (dialog_state.client: VK's
   * client_info, bots/vk/client.ts). Read with the lock; the engine neither reads nor saves it.
   */
  client?: Record<string, unknown>;
}

/**
 * A text a resident sent between flows that a feature offered to start something with (filing a
 * message with it as the description): kept with the chat's state so the offer's button, pressed
 * later, still finds it (bots/dialogs/idle.ts OFFER_TTL_MS, takeTextOffer).
 */
export interface TextOffer {
  /** The offer's id, in its button: a button of an earlier offer does not take this text. */
  id: string;
  text: string;
  /** When it was offered (ms). */
  at: number;
}

export interface LastTap {
  id: string;
  at: number;
}

/**
 * The last text a chat sent, kept until its next input, so that the pieces of a text the messenger
 * split (several messages sent at once) are answered as one text, not each on its own.
 */
export interface LastText {
  /** The message's date (Unix seconds), of its last piece. */
  at: number;
  /** The text so far: its pieces joined (cut at MAX_LAST_TEXT). */
  text: string;
  /**
   * The length of its last piece alone (UTF-16 code units, as the messengers count): whether it may
   * be a piece the messenger cut (engine.ts, SPLIT_PIECE_MIN). Absent in states saved before it was kept.
   */
  piece?: number;
  /**
   * Where the dialog was before the text's first piece, while its pieces changed nothing but the
   * dialog's position (no statement that may write ran): the text can still be answered there.
   */
  before?: { flow: FlowName; step: string; data: StepData };
  /** The text so far was answered without being taken (the dialog is where it was): later pieces need no answer of their own. */
  answered: boolean;
}

/** More than a few messages' worth is not kept: the pieces of a longer text are refused all the same. */
export const MAX_LAST_TEXT = 16_384;

interface StoredData {
  data?: StepData;
  replyKeyboard?: boolean;
  lastText?: LastText;
  lastTap?: LastTap;
  offer?: TextOffer;
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

function toState(row: { flow: string; step: string; data: unknown; version: number; client?: unknown }): DialogState {
  const stored = (row.data ?? {}) as StoredData;
  const lastText = isLastText(stored.lastText) ? { lastText: stored.lastText } : {};
  const tap = stored.lastTap;
  const lastTap = typeof tap?.id === 'string' && typeof tap.at === 'number' ? { lastTap: { id: tap.id, at: tap.at } } : {};
  const kept = stored.offer;
  const offer = typeof kept?.id === 'string' && typeof kept.text === 'string' && typeof kept.at === 'number' ? { offer: { id: kept.id, text: kept.text, at: kept.at } } : {};
  const client = typeof row.client === 'object' && row.client !== null ? { client: row.client as Record<string, unknown> } : {};
  return { flow: row.flow as FlowName, step: row.step, data: stored.data ?? {}, version: row.version, replyKeyboard: stored.replyKeyboard === true, ...lastText, ...lastTap, ...offer, ...client };
}

function isLastText(value: unknown): value is LastText {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<LastText>;
  return typeof v.at === 'number' && typeof v.text === 'string' && typeof v.answered === 'boolean';
}

/**
 * An update's dedupe row and its chat's state lock in one statement (one round trip, the first of
 * the update's transaction): records the update as processed and, only if it was new, locks (or
 * creates) the state as lockState does. Undefined for a duplicate: the caller rolls back. `ahead`:
 * the turn's next statement, sent in the same round trip (core/db/prepared.ts sendWith); it runs
 * for a duplicate too, hence the rollback.
 */
export async function markProcessedLockingState(db: Db, channel: Channel, updateId: string, externalId: string, ahead?: CompiledQuery): Promise<DialogState | undefined> {
  const statement = fixedSql<{ flow: string; step: string; data: unknown; version: number; client: unknown }>`
    WITH processed AS (
      INSERT INTO processed_update (channel, update_id) VALUES (${channel}, ${updateId})
      ON CONFLICT (channel, update_id) DO NOTHING RETURNING update_id
    )
    INSERT INTO dialog_state (channel, external_id, flow, step, data)
    SELECT ${channel}::text, ${externalId}::text, ${IDLE.flow}::text, ${IDLE.step}::text, ${JSON.stringify({})}::jsonb FROM processed
    ON CONFLICT (channel, external_id) DO UPDATE SET version = dialog_state.version
    RETURNING flow, step, data, version, client`.compile(db);
  const { rows } = await db.executeQuery(ahead ? sendWith(statement, ahead) : statement);
  const row = rows[0];
  return row && toState(row);
}

/** The `data` column's JSON for a state. */
export function storedData(state: DialogState): string {
  const stored: StoredData = { data: state.data, replyKeyboard: state.replyKeyboard, ...(state.lastText && { lastText: state.lastText }), ...(state.lastTap && { lastTap: state.lastTap }), ...(state.offer && { offer: state.offer }) };
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
