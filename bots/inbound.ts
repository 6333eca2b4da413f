import type { CompiledQuery, Kysely } from 'kysely';
import type { Database } from '../core/db/database.ts';
import type { Channel, Db, Language } from '../core/db/types.ts';
import type { Logger } from '../logger.ts';
import { isTransientDatabaseError } from '../core/db/transient.ts';
import { UnrecordedUpdateError } from '../core/inbound/unrecorded-update.ts';
import { safeError } from './safe-error.ts';
import { markProcessedLockingState, type DialogState } from './dialogs/state.ts';
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
  handle: (trx: Db, state?: DialogState) => Promise<T>,
  /** Runs in the transaction that records a failed update as poison (the apology is queued there, so it is durable too). */
  onFailed?: (trx: Db) => Promise<void>,
  /**
   * The chat whose dialog the update runs: the dedupe row and the dialog state lock are then one
   * statement, and `handle` gets the locked state (runDialog takes it).
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

/** The dialog an update runs: its chat's external id, and the turn's first statement to send with the lock (runDialog's touch). */
export interface DialogLock {
  externalId: string;
  ahead?: CompiledQuery;
}

/** Thrown inside the transaction for a duplicate: rolled back, so a statement sent ahead leaves no trace. */
const DUPLICATE = new Error('duplicate update');

async function processOnceUncounted<T>(
  db: Kysely<Database>,
  channel: Channel,
  updateId: string,
  log: Logger,
  handle: (trx: Db, state?: DialogState) => Promise<T>,
  onFailed?: (trx: Db) => Promise<void>,
  dialogOf?: DialogLock,
): Promise<Inbound<T>> {
  try {
    return await db.transaction().execute(async (trx): Promise<Inbound<T>> => {
      if (dialogOf !== undefined) {
        const state = await markProcessedLockingState(trx, channel, updateId, dialogOf.externalId, dialogOf.ahead);
        if (!state) throw DUPLICATE;
        return { kind: 'handled', result: await handle(trx, state) };
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
