import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Kysely } from 'kysely';
import type { Database } from '../../core/db/database.ts';
import type { Channel } from '../../core/db/types.ts';
import type { Logger } from '../../logger.ts';
import { describeError } from './transport.ts';

/**
 * One sender per bot token across every instance on the database, so the token's limits hold
 * without dividing them by hand. On PostgreSQL the leader holds a session advisory lock keyed by
 * the token on a dedicated connection (not the pool: a pooled connection would carry the lock off
 * to other work); if the process dies the server ends the session and frees the lock, and another
 * instance's next try (every `retryMs`) takes over. The leader LISTENs on the token's channel;
 * other instances, which never call the messenger's send methods, wake it with NOTIFY after they
 * commit rows (replies, notifications), and its poll covers a lost notification. With PGlite
 * there is one process: the first sender set that asks leads (tests start two sets in one process).
 */
export interface LeaderElection {
  readonly leading: boolean;
  start(): void;
  /** Gives leadership up (the lock is freed when the session ends) and stops trying. */
  stop(): Promise<void>;
  /** Wakes whichever instance leads (itself: `onWake` at once). */
  wakeLeader(): void;
}

export interface LeaderOptions {
  db: Kysely<Database>;
  /** The PostgreSQL URL for the dedicated connection; absent: PGlite, one process. */
  url?: string;
  channel: Channel;
  token: string;
  retryMs: number;
  logger: Logger;
  /** Leadership won: start sending. A failure here gives it up again. */
  onGain(): Promise<void>;
  /** Leadership lost or given up: stop sending (claimed rows go back). */
  onLose(): Promise<void>;
  /** Another instance committed rows for this token. */
  onWake(): void;
}

/** The token's 64-bit lock key and its notification channel name (the token itself never leaves the process). */
export function leaderKeys(channel: Channel, token: string): { lockKey: string; notifyChannel: string } {
  const digest = createHash('sha256').update(`otklik-outbox:${channel}:${token}`).digest();
  return { lockKey: digest.readBigInt64BE(0).toString(), notifyChannel: `otklik_outbox_${channel}_${digest.subarray(8, 14).toString('hex')}` };
}

export function createLeaderElection(options: LeaderOptions): LeaderElection {
  return options.url ? postgresLeader(options, options.url) : inProcessLeader(options);
}

function postgresLeader(options: LeaderOptions, url: string): LeaderElection {
  const { lockKey, notifyChannel } = leaderKeys(options.channel, options.token);
  const log = options.logger.child({ module: 'outbox-leader', channel: options.channel });
  let client: pg.Client | undefined;
  let leading = false;
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let busy: Promise<void> | undefined;
  let notifying = false;
  let notifyAgain = false;

  const schedule = (ms: number) => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(() => void serialised(tick), ms);
  };

  /** One step at a time: a try, a health check, a loss. */
  function serialised(step: () => Promise<void>): Promise<void> {
    const run = (busy ?? Promise.resolve()).then(step).catch((err: unknown) => log.error({ err: describeError(err) }, 'leader election step failed'));
    busy = run.finally(() => {
      if (busy === run) busy = undefined;
    });
    return run;
  }

  async function connect(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: url, keepAlive: true });
    c.on('error', (err) => {
      log.warn({ err: describeError(err) }, 'leader connection failed');
      if (client === c) void serialised(() => lose('connection failed'));
    });
    c.on('notification', (message) => {
      if (message.channel === notifyChannel) options.onWake();
    });
    await c.connect();
    return c;
  }

  async function tick(): Promise<void> {
    if (stopped) return;
    try {
      client ??= await connect();
      if (leading) {
        await client.query('SELECT 1'); // the session (and with it the lock) is still there
      } else {
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [lockKey]);
        if (rows[0]?.ok) {
          await client.query(`LISTEN "${notifyChannel}"`);
          leading = true;
          log.info('this instance sends for the token now');
          try {
            await options.onGain();
          } catch (err) {
            log.error({ err: describeError(err) }, 'could not start sending; giving leadership up');
            await lose('start failed');
          }
        }
      }
    } catch (err) {
      log.warn({ err: describeError(err) }, 'leader check failed');
      await lose('check failed');
    }
    schedule(options.retryMs);
  }

  async function lose(reason: string): Promise<void> {
    const c = client;
    client = undefined;
    if (leading) {
      leading = false;
      log.warn({ reason }, 'this instance no longer sends for the token');
      await options.onLose().catch((err: unknown) => log.error({ err: describeError(err) }, 'stopping the sender failed'));
    }
    // Ending the session frees the lock (if the server still has it).
    await c?.end().catch(() => {});
    schedule(options.retryMs);
  }

  return {
    get leading() {
      return leading;
    },
    start() {
      if (!stopped) return;
      stopped = false;
      void serialised(tick);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await serialised(async () => {
        const c = client;
        client = undefined;
        if (leading) {
          leading = false;
          await options.onLose();
        }
        await c?.end().catch(() => {});
      });
    },
    wakeLeader() {
      if (leading) return options.onWake();
      const c = client;
      if (!c) return; // not connected: the leader's poll finds the rows
      if (notifying) {
        notifyAgain = true;
        return;
      }
      notifying = true;
      c.query('SELECT pg_notify($1, $2)', [notifyChannel, ''])
        .catch((err: unknown) => log.debug({ err: describeError(err) }, 'could not wake the leader; its poll will find the rows'))
        .finally(() => {
          notifying = false;
          if (notifyAgain) {
            notifyAgain = false;
            this.wakeLeader();
          }
        });
    },
  };
}

/** Leaders of one process per database (PGlite): key → the election holding it. */
const local = new WeakMap<object, Map<string, { onWake(): void }>>();

function inProcessLeader(options: LeaderOptions): LeaderElection {
  const { lockKey } = leaderKeys(options.channel, options.token);
  const held = local.get(options.db) ?? new Map<string, { onWake(): void }>();
  local.set(options.db, held);
  const me = { onWake: () => options.onWake() };
  let leading = false;
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;

  async function tryTake(): Promise<void> {
    if (stopped || leading) return;
    if (!held.has(lockKey)) {
      held.set(lockKey, me);
      leading = true;
      try {
        await options.onGain();
      } catch (err) {
        options.logger.error({ err: describeError(err) }, 'could not start sending; giving leadership up');
        leading = false;
        held.delete(lockKey);
      }
    }
    if (!leading && !stopped) timer = setTimeout(() => void tryTake(), options.retryMs);
  }

  return {
    get leading() {
      return leading;
    },
    start() {
      if (!stopped) return;
      stopped = false;
      void tryTake();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      if (!leading) return;
      leading = false;
      if (held.get(lockKey) === me) held.delete(lockKey);
      await options.onLose();
    },
    wakeLeader() {
      held.get(lockKey)?.onWake();
    },
  };
}
