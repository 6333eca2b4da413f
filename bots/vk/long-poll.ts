import type { Kysely } from 'kysely';
import type { API } from 'vk-io';
import type { Clock } from '../../core/clock.ts';
import type { Database } from '../../core/db/database.ts';
import { loadVkLongPollTs, saveVkLongPollTs } from '../../core/inbound/vk-long-poll-state.ts';
import type { Logger } from '../../logger.ts';
import { safeError } from '../safe-error.ts';
import type { VkEvent } from './parse.ts';

/**
 * Our own Bots Long Poll loop instead of vk-io's poller: vk-io cannot start from a stored ts, forgets
 * the ts on `failed: 2`, advances it before its handlers finish, and cannot abort a pending request.
 * Here the ts is stored only after every update of a batch was handled durably, so a restart (or a
 * crash) resumes where the last handled batch ended, and whatever VK re-sends is deduplicated by
 * event_id in the handler.
 */
export interface VkLongPollOptions {
  api: API;
  groupId: number;
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  /** The channel's handler (the one the Callback API uses): resolves once the event is recorded, throws if it could not be. */
  handle: (event: VkEvent) => Promise<void>;
  /** Seconds VK may hold a request open (VK allows up to 90). */
  wait?: number;
  /** First and largest pause after an error, doubled in between. */
  backoffMs?: { min: number; max: number };
}

export interface VkLongPoll {
  /** Ends the loop: aborts the pending request and waits for the batch being handled. */
  stop(): Promise<void>;
}

type CheckAnswer = { ts: string; updates: VkEvent[] } | { failed: 1; ts: string } | { failed: 2 | 3 };

export function startVkLongPoll(options: VkLongPollOptions): VkLongPoll {
  const { api, db, clock, handle } = options;
  const log = options.logger.child({ transport: 'longpoll' });
  const groupId = String(options.groupId);
  const wait = options.wait ?? 25;
  const backoff = options.backoffMs ?? { min: 1000, max: 30_000 };
  const controller = new AbortController();
  const { signal } = controller;

  async function getServer(): Promise<{ server: string; key: string; ts: string }> {
    const answer = await api.call<{ server: string; key: string; ts: string | number }>('groups.getLongPollServer', { group_id: options.groupId });
    return { server: answer.server, key: answer.key, ts: String(answer.ts) };
  }

  async function check(server: string, key: string, ts: string): Promise<CheckAnswer> {
    const url = new URL(server);
    url.search = String(new URLSearchParams({ act: 'a_check', key, ts, wait: String(wait) }));
    // A request that VK holds longer than `wait` (plus slack) is a dead connection.
    const response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout((wait + 10) * 1000)]) });
    if (!response.ok) throw new Error(`long poll answered HTTP ${response.status}`);
    const body = (await response.json()) as Record<string, unknown>;
    if (body.failed === 1 && body.ts !== undefined) return { failed: 1, ts: String(body.ts) };
    if (body.failed === 2 || body.failed === 3) return { failed: body.failed };
    if (body.ts === undefined || !Array.isArray(body.updates)) throw new Error('long poll answer is neither updates nor failed');
    return { ts: String(body.ts), updates: body.updates as VkEvent[] };
  }

  async function run(): Promise<void> {
    let loaded = false;
    let ts: string | undefined;
    let server: { server: string; key: string } | undefined;
    let pause = backoff.min;
    while (!signal.aborted) {
      try {
        if (!loaded) {
          ts = await loadVkLongPollTs(db, groupId);
          loaded = true;
          log.info({ groupId, resumeTs: ts ?? null }, ts ? 'vk long poll resumes from the stored ts' : 'vk long poll starts from the current ts');
        }
        if (!server || ts === undefined) {
          const fresh = await getServer();
          server = fresh;
          // Keep our ts when we have one: VK re-sends events after it while it still holds them.
          ts ??= fresh.ts;
        }
        const answer = await check(server.server, server.key, ts).catch((error: unknown) => {
          // The long-poll server itself failed (refused, timed out, 5xx): VK may have moved it, so
          // the next attempt asks for a server again (keeping our ts) instead of retrying this one forever.
          server = undefined;
          throw error;
        });
        if ('failed' in answer) {
          if (answer.failed === 1) {
            // Part of the history is gone for good: carry on from where VK says it now stands.
            log.warn({ groupId }, 'vk long poll lost part of the event history (failed 1)');
            ts = answer.ts;
            await saveVkLongPollTs(db, groupId, ts, clock());
          } else {
            // 2: the key expired, our ts is still good. 3: the information was lost, take a new ts too.
            log.info({ groupId, failed: answer.failed }, 'vk long poll key renewed');
            server = undefined;
            if (answer.failed === 3) ts = undefined;
          }
          continue;
        }
        // One at a time, in order; a throw (database down) leaves ts where it was, so the batch is
        // fetched again and the updates already recorded are skipped as duplicates.
        for (const update of answer.updates) await handle(update);
        ts = answer.ts;
        await saveVkLongPollTs(db, groupId, ts, clock());
        pause = backoff.min;
      } catch (error) {
        if (signal.aborted) break;
        log.warn({ groupId, err: safeError(error), retryInMs: pause }, 'vk long poll failed; retrying');
        await sleep(pause, signal);
        pause = Math.min(pause * 2, backoff.max);
      }
    }
  }

  const done = run().catch((error: unknown) => log.error({ err: safeError(error) }, 'vk long poll stopped on an error'));
  return {
    async stop() {
      controller.abort();
      await done;
    },
  };
}

/** Resolves after `ms`, or at once when the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(finish, ms);
    signal.addEventListener('abort', finish, { once: true });
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    }
  });
}
