import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Database } from '../../core/db/database.ts';
import {
  byUrgency,
  claimDue,
  markDead,
  markSent,
  markUnreachable,
  reclaimExpired,
  releaseClaims,
  reschedule,
  type ClaimedRow,
  type SentRow,
} from '../../core/outbox/outbox.queue.ts';
import { PRIORITY } from '../../core/outbox/outbox.repository.ts';
import type { Logger } from '../../logger.ts';
import { type CallFinished, createRatePacer, sleep } from './rate-pacer.ts';
import { createSignal } from './signal.ts';
import { outboxSends, rateLimited } from '../../core/metrics/metrics.ts';
import { describeError, type SendOutcome, type Transport } from './transport.ts';

/** A messenger's limits for one bot token (Telegram: 30/s, 1/s per chat, 20/min per group). */
export interface ChannelLimits {
  perSecond: number;
  perChatPerSecond: number;
  perGroupPerMinute: number;
}

export interface SenderSettings {
  /** How often the table is polled for rows committed by other processes (and for due retries). */
  pollMs: number;
  /** A claimed row not settled within this time is taken back (its instance died). */
  leaseMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Share of the rate kept unused as a safety margin (0.05 = pace at 95% of the limit). */
  headroom: number;
  /** Rows claimed at once; default: one second of sending. */
  batchSize?: number;
  /** Calls awaiting an answer at once; default: enough for ~1 s of API latency. */
  maxInFlight?: number;
  /** How long the channel rests when the messenger refuses the token. */
  channelDownPauseMs?: number;
  /** Sent rows are settled in batches at most this often (one UPDATE for many rows). */
  flushMs?: number;
  /** Only rows more urgent than this priority (tests: the reply lane alone, other rows delivered by hand). */
  onlyBelowPriority?: number;
}

export interface OutboxSenderOptions {
  db: Kysely<Database>;
  transport: Transport;
  limits: ChannelLimits;
  settings: SenderSettings;
  logger: Logger;
  instanceId?: string;
}

export interface OutboxSender {
  readonly instanceId: string;
  start(): void;
  /**
   * Finishes calls in flight, settles them, gives unsent claimed rows back; then resolves.
   * `pause` keeps the transport open for a later start() (leadership lost, may come back).
   */
  stop(options?: { pause?: boolean }): Promise<void>;
  /** A row was just committed in this process: claim now instead of at the next poll. */
  kick(): void;
  /**
   * This sender's instance id while it runs and its local queue has room: a reply may then be
   * inserted already claimed by it (bots/outbox/reply.ts queueReplySavingState), sparing the claim.
   */
  claimer(): string | undefined;
  /**
   * A row inserted already claimed by this sender was committed: it joins the local queue (given
   * back to pending if the sender stopped meanwhile). Rows the same transaction queued unclaimed
   * are claimed within `flushMs` (one claim for all the adoptions of that interval).
   */
  adopt(row: ClaimedRow): void;
  /**
   * Marks sent what this sender sent but could not record yet (the database failed meanwhile);
   * throws while that is still impossible. Called before the sender starts again after losing
   * leadership: until then those rows look like stale claims and would be sent a second time.
   */
  settleSent(): Promise<void>;
}

/**
 * One channel's sender loop. Rows are claimed from the table in (priority, id) order into a small
 * local queue (about one second of sending, so a broadcast never sits in front of an alert for
 * long), paced by the channel's rate, sent concurrently, and settled: sent rows in batches, failures
 * one by one. When the local queue is full, polls and kicks still claim rows more urgent than the
 * least urgent queued one, and those go first.
 */
export function createOutboxSender(options: OutboxSenderOptions): OutboxSender {
  const { db, transport, limits, settings } = options;
  const channel = transport.channel;
  const instanceId = options.instanceId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const logger = options.logger.child({ module: 'outbox', channel, instance: instanceId });
  const batchSize = settings.batchSize ?? Math.max(10, Math.ceil(limits.perSecond));
  const refillBelow = Math.max(1, Math.floor(batchSize / 2));
  const maxInFlight = settings.maxInFlight ?? Math.min(100, Math.max(8, Math.ceil(limits.perSecond)));
  const flushMs = settings.flushMs ?? 50;
  const channelDownPauseMs = settings.channelDownPauseMs ?? 30_000;
  const pacer = createRatePacer({ perSecond: limits.perSecond, headroom: settings.headroom });

  const queue: ClaimedRow[] = [];
  const inFlight = new Set<Promise<void>>();
  let sentBuffer: SentRow[] = [];
  /** Rows being recorded as sent right now (taken out of sentBuffer by a flush). */
  let flushingRows: SentRow[] = [];
  /** Rows handed to the transport and not settled yet. */
  const sendingIds = new Set<number>();
  let running = false;
  let timers: NodeJS.Timeout[] = [];
  let claiming: Promise<void> | undefined;
  let claimAgain = false;
  let moreWaiting = false;
  let flushing: Promise<void> | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  let claimTimer: NodeJS.Timeout | undefined;
  let lastReclaim = 0;
  let startCount = 0;
  let closed = false;
  const wake = createSignal();
  const slotFree = createSignal();

  const chatGapMs = (chatId: string) =>
    transport.isGroupChat(chatId) ? 60_000 / limits.perGroupPerMinute : 1000 / limits.perChatPerSecond;

  function backoffMs(attempts: number): number {
    const exact = Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** Math.max(0, attempts - 1));
    return exact * (0.8 + Math.random() * 0.4); // jitter: retries of one outage do not return in lockstep
  }

  function requestClaim(): void {
    if (!running) return;
    if (claiming) {
      claimAgain = true;
      return;
    }
    claiming = (async () => {
      do {
        claimAgain = false;
        await claimOnce().catch((err: unknown) => logger.error({ err: describeError(err) }, 'outbox claim failed; retrying at the next poll'));
      } while (claimAgain && running);
    })().finally(() => (claiming = undefined));
  }

  async function claimOnce(): Promise<void> {
    if (Date.now() - lastReclaim >= Math.min(settings.leaseMs / 4, Math.max(settings.pollMs, 1000))) {
      lastReclaim = Date.now();
      // Rows this sender still holds are not expired, however long they waited (a 429 whose
      // retry_after outlasts the lease): taken back, they would be claimed and sent a second time.
      const held = [...queue.map((r) => r.id), ...sendingIds, ...sentBuffer.map((r) => r.id), ...flushingRows.map((r) => r.id)];
      const { requeued, dead } = await reclaimExpired(db, { channel, leaseMs: settings.leaseMs, maxAttempts: settings.maxAttempts, except: held });
      if (requeued.length > 0) logger.warn({ rows: requeued }, 'rows of an instance that stopped mid-send are queued again');
      if (dead.length > 0) logger.error({ rows: dead }, 'rows of an instance that stopped mid-send used up their attempts');
    }
    let rows: ClaimedRow[];
    if (queue.length < refillBelow) {
      const limit = batchSize - queue.length;
      rows = await claimDue(db, { channel, claimedBy: instanceId, limit, belowPriority: settings.onlyBelowPriority });
      moreWaiting = rows.length === limit;
    } else {
      // The queue is full of less urgent rows: still take anything more urgent right away.
      const leastUrgent = Math.min(Math.max(...queue.map((r) => r.priority)), settings.onlyBelowPriority ?? Infinity);
      rows = leastUrgent > 0 ? await claimDue(db, { channel, claimedBy: instanceId, limit: batchSize, belowPriority: leastUrgent }) : [];
    }
    if (rows.length === 0) return;
    if (!running) {
      await releaseClaims(db, rows.map((r) => r.id), instanceId);
      return;
    }
    queue.push(...rows);
    queue.sort(byUrgency);
    wake.notify();
  }

  async function dispatch(generation: number): Promise<void> {
    const current = () => running && generation === startCount;
    while (current()) {
      if (queue.length === 0) {
        await wake.wait(settings.pollMs);
        continue;
      }
      if (inFlight.size >= maxInFlight) {
        await slotFree.wait(1000);
        continue;
      }
      const finished = await pacer.take();
      // Picked after the slot is granted, so a row claimed meanwhile with a higher priority wins it.
      const row = queue.shift();
      if (!current() || !row) {
        finished();
        if (row) queue.unshift(row);
        continue;
      }
      if (queue.length < refillBelow && moreWaiting) requestClaim();
      const sending = sendRow(row, finished).finally(() => {
        inFlight.delete(sending);
        slotFree.notify();
      });
      inFlight.add(sending);
    }
  }

  async function sendRow(row: ClaimedRow, firstCallFinished: CallFinished): Promise<void> {
    let calls = 0;
    // A row's calls run one after another: the next one's turn means the previous one has finished.
    let callFinished = firstCallFinished;
    // The dispatcher already took the slot of the first call; further parts of the same row wait
    // for a slot of their own and, except in a direct reply (one answer shown back to back, as
    // the messenger's own clients do), for the chat's gap.
    const backToBack = row.priority === PRIORITY.reply;
    const beforeCall = async () => {
      if (calls++ === 0) return;
      callFinished();
      if (!backToBack) await sleep(chatGapMs(row.chat_id));
      callFinished = await pacer.take();
    };
    let outcome: SendOutcome;
    sendingIds.add(row.id);
    try {
      outcome = await transport.send(row, beforeCall);
    } catch (error) {
      outcome = { kind: 'transient', error: describeError(error), partsDone: row.sent_parts };
    } finally {
      callFinished();
    }
    try {
      await settle(row, outcome);
    } catch (err) {
      // The row stays `sending`; the lease brings it back (and it may be sent again).
      logger.error({ row: row.id, err: describeError(err) }, 'outbox row could not be settled');
    } finally {
      sendingIds.delete(row.id); // a sent row is in sentBuffer by now
    }
  }

  async function settle(row: ClaimedRow, outcome: SendOutcome): Promise<void> {
    outboxSends.inc({ channel, lane: laneOf(row.priority), result: outcome.kind });
    if (outcome.kind === 'rate_limited') rateLimited.inc({ channel });
    switch (outcome.kind) {
      case 'sent':
        sentBuffer.push({ id: row.id, chatGapMs: chatGapMs(row.chat_id), parts: outcome.partsDone });
        scheduleFlush();
        return;
      case 'rate_limited': {
        // Telegram does not say which limit was hit: a group's own limit only holds that chat back
        // (the row's due time does it); otherwise the whole channel waits and slows down. A limit
        // the messenger names as the recipient's own (chatOnly) holds that chat back only.
        if (!outcome.chatOnly && !transport.isGroupChat(row.chat_id)) pacer.pause(outcome.retryAfterMs);
        if (!outcome.chatOnly) pacer.slowDown();
        logger.warn({ row: row.id, retryAfterMs: outcome.retryAfterMs, rateFactor: pacer.factor, chatOnly: outcome.chatOnly ?? false }, 'rate limited by the messenger');
        await reschedule(db, row.id, { delayMs: outcome.retryAfterMs, error: outcome.error, countAttempt: false, sentParts: outcome.partsDone });
        if (!outcome.chatOnly && outcome.retryAfterMs > settings.leaseMs / 2) await releaseQueue();
        return;
      }
      case 'channel_down':
        pacer.pause(channelDownPauseMs);
        logger.error({ row: row.id, error: outcome.error }, 'the messenger refused the bot token; the channel pauses');
        await reschedule(db, row.id, { delayMs: channelDownPauseMs, error: outcome.error, countAttempt: false, sentParts: outcome.partsDone });
        await releaseQueue();
        return;
      case 'transient':
        if (row.attempts >= settings.maxAttempts) {
          logger.error({ row: row.id, attempts: row.attempts, error: outcome.error }, 'outbox row is dead after its last attempt');
          await markDead(db, row.id, outcome.error, outcome.partsDone);
        } else {
          const delayMs = backoffMs(row.attempts);
          logger.warn({ row: row.id, attempts: row.attempts, delayMs, error: outcome.error }, 'send failed; retrying later');
          await reschedule(db, row.id, { delayMs, error: outcome.error, countAttempt: true, sentParts: outcome.partsDone });
        }
        return;
      case 'permanent':
        logger.error({ row: row.id, error: outcome.error }, 'the messenger rejected the row; it is dead');
        await markDead(db, row.id, outcome.error, outcome.partsDone);
        return;
      case 'unreachable': {
        const rows = await markUnreachable(db, row.id, outcome.error);
        logger.info({ row: row.id, rows, recipientKind: row.recipient_kind, residentId: row.resident_id, staffId: row.staff_id }, 'recipient unreachable');
        return;
      }
    }
  }

  /** Long pauses would outlive the lease: give the queued rows back for whoever is able to send. */
  async function releaseQueue(): Promise<void> {
    const ids = queue.splice(0).map((r) => r.id);
    await releaseClaims(db, ids, instanceId);
  }

  function scheduleFlush(): void {
    if (sentBuffer.length >= 200) void flush();
    else flushTimer ??= setTimeout(() => void flush(), flushMs);
  }

  async function flush(): Promise<void> {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = undefined;
    while (flushing) await flushing;
    if (sentBuffer.length === 0) return;
    const rows = sentBuffer;
    sentBuffer = [];
    flushingRows = rows;
    flushing = markSent(db, rows)
      .catch((err: unknown) => {
        // Keep them for the next flush: settling late is fine, sending again is what we avoid.
        sentBuffer.push(...rows);
        logger.error({ rows: rows.length, err: describeError(err) }, 'could not mark rows sent; retrying');
        if (running) scheduleFlush();
        // Stopped (leadership lost in a database outage): keep trying, so that the rows are
        // recorded before whichever instance leads next takes the unsettled claims back.
        else if (!closed) flushTimer ??= setTimeout(() => void flush(), STOPPED_FLUSH_RETRY_MS);
      })
      .finally(() => {
        flushing = undefined;
        flushingRows = [];
      });
    await flushing;
  }

  return {
    instanceId,
    start() {
      if (running) return;
      running = true;
      lastReclaim = 0;
      timers = [setInterval(requestClaim, settings.pollMs)];
      void dispatch(++startCount);
      requestClaim();
      logger.info({ limits, batchSize, maxInFlight }, 'outbox sender started');
    },
    async stop(stopOptions) {
      if (running) {
        running = false;
        for (const timer of timers) clearInterval(timer);
        if (claimTimer) clearTimeout(claimTimer);
        claimTimer = undefined;
        wake.notify();
        slotFree.notify();
        // The dispatcher may sit in a long pause; it sends nothing once stopped, so it is not awaited.
        while (claiming) await claiming;
        await Promise.allSettled([...inFlight]);
        await flush().catch((err: unknown) => logger.error({ err: describeError(err) }, 'could not mark rows sent; the lease will send them again'));
        await releaseQueue().catch((err: unknown) => logger.error({ err: describeError(err) }, 'could not release claimed rows; the lease will'));
        logger.info('outbox sender stopped');
      }
      if (!stopOptions?.pause && !closed) {
        // Rows sent but not recorded (the database is failing): a sender that stops for good
        // keeps trying for a while, else the next sender would send them again. The process's
        // shutdown deadline still bounds the wait.
        const giveUpAt = Date.now() + STOP_SETTLE_MS;
        while (sentBuffer.length > 0 && Date.now() < giveUpAt) {
          await sleep(STOPPED_FLUSH_RETRY_MS);
          await flush();
        }
        if (sentBuffer.length > 0) logger.error({ rows: sentBuffer.length }, 'could not mark rows sent before stopping; they will be sent again');
        closed = true;
        if (flushTimer) clearTimeout(flushTimer);
        flushTimer = undefined;
        await transport.close?.();
      }
    },
    kick() {
      if (!running) return;
      requestClaim();
    },
    async settleSent() {
      await flush();
      if (sentBuffer.length > 0) throw new Error(`${sentBuffer.length} sent rows could not be marked sent`);
    },
    claimer() {
      return running && queue.length < batchSize ? instanceId : undefined;
    },
    adopt(row) {
      if (!running) {
        releaseClaims(db, [row.id], instanceId).catch((err: unknown) =>
          logger.error({ row: row.id, err: describeError(err) }, 'could not give back a reply claimed for a stopped sender; the lease will'),
        );
        return;
      }
      // In (priority, id) order without sorting the whole queue per row (a burst queues thousands).
      let at = queue.length;
      while (at > 0 && byUrgency(queue[at - 1]!, row) > 0) at--;
      queue.splice(at, 0, row);
      wake.notify();
      claimTimer ??= setTimeout(() => {
        claimTimer = undefined;
        requestClaim();
      }, flushMs);
    },
  };
}

/** How often a stopped sender tries again to record rows it sent (the database was down). */
const STOPPED_FLUSH_RETRY_MS = 500;
/** How long a sender that stops for good keeps trying to record rows it sent. */
const STOP_SETTLE_MS = 15_000;

/** The lane of a row for metrics: replies, personal notifications and alerts, digests, broadcasts. */
function laneOf(priority: number): string {
  if (priority <= PRIORITY.reply) return 'reply';
  if (priority <= PRIORITY.notification) return 'notification';
  if (priority < PRIORITY.broadcast) return 'digest';
  return 'broadcast';
}
