import { setTimeout as delay } from 'node:timers/promises';
import { GrammyError, type Api } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from '../../logger.ts';
import { safeError } from '../safe-error.ts';

/**
 * Our own getUpdates loop instead of grammY's bot.start(): grammY moves its offset past an update
 * whose handler failed (and bot.stop() confirms it to Telegram), so an update that could not be
 * recorded (database down) would be lost. Here the offset moves past an update only once the
 * handler resolved, i.e. the update is durably recorded; a failure retries the same update with
 * backoff. Stopping confirms nothing: the updates of an unfinished batch come again at the next
 * start and those already recorded are skipped as duplicates.
 */
export interface TelegramPollingOptions {
  api: Api;
  logger: Logger;
  allowedUpdates: readonly string[];
  /** Resolves once the update is recorded; throws when it could not be (the same update is retried). */
  handle: (update: Update) => Promise<void>;
  /** Seconds Telegram may hold a getUpdates request open. */
  timeout?: number;
  /** First and largest pause after an error, doubled in between. */
  backoffMs?: { min: number; max: number };
}

export interface TelegramPolling {
  /** Ends the loop: aborts the pending request or pause, waits for the update being handled. */
  stop(): Promise<void>;
}

export function startTelegramPolling(options: TelegramPollingOptions): TelegramPolling {
  const { api, handle } = options;
  const log = options.logger.child({ transport: 'polling' });
  const timeout = options.timeout ?? 30;
  const backoff = options.backoffMs ?? { min: 1000, max: 30_000 };
  const controller = new AbortController();
  const { signal } = controller;
  // grammY types its signal with an older AbortSignal shim; at run time it is the platform's.
  const apiSignal = signal as unknown as Parameters<Api['getUpdates']>[1];
  const pause = (ms: number) => delay(ms, undefined, { signal }).catch(() => undefined);

  async function run(): Promise<void> {
    let wait = backoff.min;
    let webhookDeleted = false;
    // Undefined at first: Telegram then hands out the earliest update it has not seen confirmed.
    let offset: number | undefined;
    while (!signal.aborted) {
      try {
        if (!webhookDeleted) {
          // getUpdates does not work while a webhook is set.
          await api.deleteWebhook(undefined, apiSignal);
          webhookDeleted = true;
          log.info('telegram polling started');
        }
        const updates = await api.getUpdates({ offset, timeout, allowed_updates: [...options.allowedUpdates] as never }, apiSignal);
        for (const update of updates) {
          await handleUntilRecorded(update);
          if (signal.aborted) return;
          offset = update.update_id + 1;
        }
        wait = backoff.min;
      } catch (error) {
        if (signal.aborted) break;
        if (error instanceof GrammyError && (error.error_code === 401 || error.error_code === 409)) {
          log.error({ err: safeError(error) }, 'telegram polling stopped: the token was refused or another instance polls (or a webhook is set)');
          return;
        }
        log.warn({ err: safeError(error), retryInMs: wait }, 'telegram getUpdates failed; retrying');
        await pause(wait);
        wait = Math.min(wait * 2, backoff.max);
      }
    }
  }

  /** The same update again and again (with backoff) until it is recorded or the loop stops. */
  async function handleUntilRecorded(update: Update): Promise<void> {
    let wait = backoff.min;
    while (!signal.aborted) {
      try {
        await handle(update);
        return;
      } catch (error) {
        log.warn({ updateId: update.update_id, err: safeError(error), retryInMs: wait }, 'update not recorded; it is kept and tried again');
        await pause(wait);
        wait = Math.min(wait * 2, backoff.max);
      }
    }
  }

  const done = run().catch((error: unknown) => log.error({ err: safeError(error) }, 'telegram polling stopped on an error'));
  return {
    async stop() {
      controller.abort();
      await done;
    },
  };
}
