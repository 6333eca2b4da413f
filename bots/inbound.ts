import type { Kysely } from 'kysely';
import type { Database } from '../core/db/database.ts';
import type { Channel, Db, Language } from '../core/db/types.ts';
import type { Logger } from '../logger.ts';
import { isTransientDatabaseError } from '../core/db/transient.ts';
import { UnrecordedUpdateError } from '../core/inbound/unrecorded-update.ts';
import { safeError } from './safe-error.ts';
import { markProcessedLockingState } from './dialogs/state.ts';
import { dialogTouch, type TurnOptions } from './dialogs/engine.ts';
import type { DialogInput } from './dialogs/input.ts';
import { inboundSeconds, inboundUpdates } from '../core/metrics/metrics.ts';

/** How one inbound update ended: already seen, handled (and committed), or failed and recorded as poison. */
export type Inbound<T> = { kind: 'duplicate' } | { kind: 'handled'; result: T } | { kind: 'failed' };

async function markProcessed(trx: Db, channel: Channel, updateId: string): Promise<boolean> {
  const row = await trx
    .insertInto('processed_update')
    .values({ channel, update_id: updateId })
    .onConflict((oc) => oc.columns(['channel', 'update_id']).doNothing())
    .returning('update_id')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * One update, once, for any messenger: the dedupe row and all the handling share one transaction,
 * so a duplicate (a messenger retrying after a timeout) inserts nothing and changes nothing, and a
 * failure leaves no trace but the log. A failed update is then recorded as processed on its own (a
 * poison update must not come back for ever); the caller apologises. When this returns, the update
 * is durably recorded either way.
 *
 * A failure of the database itself (unreachable, pool exhausted, statement or lock timeout) is not
 * the update's fault: nothing is recorded and UnrecordedUpdateError is thrown, so the messenger
 * retries and the update is handled normally once the database is back. The same error is thrown
 * when even the poison record cannot be written.
 */
export async function processOnce<T>(
  db: Kysely<Database>,
  channel: Channel,
  updateId: string,
  log: Logger,
  handle: (trx: Db, turn?: LockedTurn) => Promise<T>,
  /** Runs in the transaction that records a failed update as poison (the apology is queued there, so it is durable too). */
  onFailed?: (trx: Db) => Promise<void>,
  /**
   * The dialog input the update runs (its first, if several) and the turn's time: the dedupe row
   * and the chat's state lock are then one statement, the resident's touch goes in the same round
   * trip, and `handle` gets both for runDialog.
   */
  dialogOf?: DialogLock,
): Promise<Inbound<T>> {
  const started = performance.now();
  const outcome = await processOnceUncounted(db, channel, updateId, log, handle, onFailed, dialogOf).catch((error: unknown) => {
    inboundUpdates.inc({ channel, outcome: 'unrecorded' });
    throw error;
  });
  inboundUpdates.inc({ channel, outcome: outcome.kind });
  inboundSeconds.observe({ channel }, (performance.now() - started) / 1000);
  return outcome;
}

/** The dialog an update runs: its (first) input and the turn's time. */
export interface DialogLock {
  input: DialogInput;
  now: Date;
}

/** What processOnce did for the turn before `handle`: runDialog's `locked` and `touch` (TurnOptions). */
export type LockedTurn = Required<Pick<TurnOptions, 'locked' | 'touch'>>;

/** Thrown inside the transaction for a duplicate: rolled back, so a statement sent ahead leaves no trace. */
const DUPLICATE = new Error('duplicate update');

/** processOnce without its metrics: the same arguments, as processOnce documents them. */
async function processOnceUncounted<T>(
  ...[db, channel, updateId, log, handle, onFailed, dialogOf]: Parameters<typeof processOnce<T>>
): Promise<Inbound<T>> {
  try {
    return await db.transaction().execute(async (trx): Promise<Inbound<T>> => {
      if (dialogOf !== undefined) {
        const touch = dialogTouch(trx, dialogOf.input, dialogOf.now);
        const locked = await markProcessedLockingState(trx, channel, updateId, dialogOf.input.identity.externalId, touch);
        if (!locked) throw DUPLICATE;
        return { kind: 'handled', result: await handle(trx, { locked, touch }) };
      }
      if (!(await markProcessed(trx, channel, updateId))) return { kind: 'duplicate' };
      return { kind: 'handled', result: await handle(trx) };
    });
  } catch (error) {
    if (error === DUPLICATE) return { kind: 'duplicate' };
    if (isTransientDatabaseError(error)) {
      log.warn({ updateId, err: safeError(error) }, 'database unavailable: update not recorded, the messenger will deliver it again');
      throw new UnrecordedUpdateError(updateId, error);
    }
    log.error({ updateId, err: safeError(error) }, 'update handling failed and was rolled back');
    try {
      await db.transaction().execute(async (trx) => {
        if (await markProcessed(trx, channel, updateId)) await onFailed?.(trx);
      });
    } catch (recordError) {
      log.error({ updateId, err: safeError(recordError) }, 'could not record the failed update as processed');
      throw new UnrecordedUpdateError(updateId, recordError);
    }
    return { kind: 'failed' };
  }
}

/** The language of an identity's resident (Russian for a stranger): for apologies outside a dialog turn. */
export async function languageOfIdentity(db: Kysely<Database>, channel: Channel, externalId: string): Promise<Language> {
  const row = await db
    .selectFrom('resident_identity')
    .innerJoin('resident', 'resident.id', 'resident_identity.resident_id')
    .select('resident.language')
    .where('resident_identity.channel', '=', channel)
    .where('resident_identity.external_id', '=', externalId)
    .executeTakeFirst()
    .catch(() => undefined);
  return row?.language ?? 'ru';
}
