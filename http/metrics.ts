import { sql, type Kysely } from 'kysely';
import type { Env, Hono } from 'hono';
import type pg from 'pg';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Database } from '../core/db/database.ts';
import { metricsRegistry } from '../core/metrics/metrics.ts';
import { NOT_CANCELLED } from '../core/outbox/outbox.queue.ts';
import { secretMatcher } from './webhooks/telegram.ts';

export const METRICS_PATH = '/metrics';

let defaultsCollected = false;

export interface MetricsSourceDeps {
  db: Kysely<Database>;
  /** The PostgreSQL pool (absent with PGlite: one connection, nothing to count). */
  pool?: pg.Pool;
  poolMax?: number;
  /** Whether the database answers now (a bounded check): while it does not, the gauges read from it are left out. */
  databaseUp?: () => Promise<boolean>;
}

/**
 * The scrape: the process's counters (core/metrics) and process metrics (memory, event loop lag,
 * GC), plus gauges read at scrape time — outbox queue depth and the age of its oldest due row
 * (neither counting the waiting rows of a cancelled broadcast, never sent), broadcast progress —
 * from the database, and the pool's connections. During a database outage the scrape still answers,
 * with otklik_database_up 0 and without the gauges read from the database (unknown, not 0): a scrape
 * that failed would hide the process metrics too, just when they are wanted.
 */
/** The outbox's channels: its gauges report 0 for each rather than no series. */
const CHANNELS = ['tg', 'vk'] as const;

export function createMetricsSource(deps: MetricsSourceDeps): { scrape(): Promise<{ contentType: string; body: string }> } {
  if (!defaultsCollected) {
    collectDefaultMetrics({ register: metricsRegistry });
    defaultsCollected = true;
  }
  const own = new Registry();
  const { db, pool } = deps;
  let databaseUp = true;
  new Gauge({
    name: 'otklik_database_up',
    help: 'Whether the database answered a query at scrape time (1) or not (0: the gauges read from it are left out)',
    registers: [own],
    collect() {
      this.set(databaseUp ? 1 : 0);
    },
  });
  /** A gauge's reading from the database: none while it is down, or when its query fails. */
  async function read(gauge: { reset(): void }, fill: () => Promise<void>): Promise<void> {
    gauge.reset();
    if (!databaseUp) return;
    await fill().catch(() => gauge.reset());
  }
  new Gauge({
    name: 'otklik_outbox_queue_depth',
    help: 'Outbox rows waiting to be sent (pending; not those of a cancelled broadcast, never sent), by channel and whether they are due now',
    labelNames: ['channel', 'due'] as const,
    registers: [own],
    collect() {
      return read(this, async () => {
        const rows = await sql<{ channel: string; due: boolean; n: string }>`
          SELECT o.channel, o.next_attempt_at <= now() AS due, count(*) AS n FROM outbox o WHERE o.state = 'pending' AND ${NOT_CANCELLED} GROUP BY 1, 2`.execute(db);
        // An empty queue is 0, not a missing series: a dashboard's sum and an alert's comparison need a value.
        for (const channel of CHANNELS) for (const due of ['true', 'false']) this.set({ channel, due }, 0);
        for (const r of rows.rows) this.set({ channel: r.channel, due: String(r.due) }, Number(r.n));
      });
    },
  });
  new Gauge({
    name: 'otklik_outbox_oldest_due_seconds',
    help: 'How long the oldest due pending outbox row has waited past its due time, by channel (0 when none)',
    labelNames: ['channel'] as const,
    registers: [own],
    collect() {
      return read(this, async () => {
        const rows = await sql<{ channel: string; age: number | string | null }>`
          SELECT o.channel, extract(epoch FROM now() - min(o.next_attempt_at)) AS age
          FROM outbox o WHERE o.state = 'pending' AND o.next_attempt_at <= now() AND ${NOT_CANCELLED} GROUP BY o.channel`.execute(db);
        for (const channel of CHANNELS) this.set({ channel }, 0);
        for (const r of rows.rows) this.set({ channel: r.channel }, Math.max(0, Number(r.age ?? 0)));
      });
    },
  });
  new Gauge({
    name: 'otklik_outbox_sending',
    help: 'Outbox rows claimed by a sender right now (leased), by channel',
    labelNames: ['channel'] as const,
    registers: [own],
    collect() {
      return read(this, async () => {
        const rows = await sql<{ channel: string; n: string }>`SELECT channel, count(*) AS n FROM outbox WHERE state = 'sending' GROUP BY channel`.execute(db);
        for (const channel of CHANNELS) this.set({ channel }, 0);
        for (const r of rows.rows) this.set({ channel: r.channel }, Number(r.n));
      });
    },
  });
  new Gauge({
    name: 'otklik_broadcasts_active',
    help: 'Broadcasts not finished yet, by state (expanding: outbox rows being written; sending: all written, rows still pending)',
    labelNames: ['state'] as const,
    registers: [own],
    collect() {
      return read(this, async () => {
        this.set({ state: 'expanding' }, 0);
        this.set({ state: 'sending' }, 0);
        const rows = await sql<{ state: string; n: string }>`
          SELECT b.state, count(*) AS n FROM broadcast b
          WHERE b.state = 'expanding' OR (b.state = 'sending' AND EXISTS (SELECT 1 FROM outbox o WHERE o.broadcast_id = b.id AND o.state IN ('pending', 'sending')))
          GROUP BY b.state`.execute(db);
        for (const r of rows.rows) this.set({ state: r.state }, Number(r.n));
      });
    },
  });
  new Gauge({
    name: 'otklik_broadcast_rows',
    help: 'Outbox rows of unfinished broadcasts by state (progress: sent out of all)',
    labelNames: ['state'] as const,
    registers: [own],
    collect() {
      return read(this, async () => {
        const rows = await sql<{ state: string; n: string }>`
          SELECT o.state, count(*) AS n FROM outbox o
          WHERE o.broadcast_id IN (
            SELECT b.id FROM broadcast b WHERE b.state = 'expanding'
            OR (b.state = 'sending' AND EXISTS (SELECT 1 FROM outbox p WHERE p.broadcast_id = b.id AND p.state IN ('pending', 'sending'))))
          GROUP BY o.state`.execute(db);
        for (const r of rows.rows) this.set({ state: r.state }, Number(r.n));
      });
    },
  });
  // The pool as it was when the scrape began: the gauges above query through the same pool, and
  // read after them, `waiting` counted the scrape's own queries (5 on an idle instance).
  let poolAtScrape: { total: number; idle: number; waiting: number } | undefined;
  if (pool) {
    new Gauge({
      name: 'otklik_db_pool_connections',
      help: 'PostgreSQL pool connections by state (total open, idle, waiting = queries waiting for a connection, max), before the scrape queried',
      labelNames: ['state'] as const,
      registers: [own],
      collect() {
        const at = poolAtScrape ?? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
        this.set({ state: 'total' }, at.total);
        this.set({ state: 'idle' }, at.idle);
        this.set({ state: 'waiting' }, at.waiting);
        this.set({ state: 'max' }, deps.poolMax ?? pool.options.max ?? 0);
      },
    });
  }
  return {
    async scrape() {
      if (pool) poolAtScrape = { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
      databaseUp = deps.databaseUp ? await deps.databaseUp().catch(() => false) : true;
      const merged = Registry.merge([metricsRegistry, own]);
      return { contentType: merged.contentType, body: await merged.metrics() };
    },
  };
}

/**
 * GET /metrics on `app`: with a token, only for `Authorization: Bearer <token>` (401 otherwise);
 * without one, open (for a listener on a separate port that only the monitoring network reaches).
 */
export function mountMetrics<E extends Env>(app: Hono<E>, source: ReturnType<typeof createMetricsSource>, token: string | undefined): void {
  const tokenMatches = token === undefined ? undefined : secretMatcher(token);
  app.get(METRICS_PATH, async (c) => {
    if (tokenMatches) {
      const header = c.req.header('Authorization');
      const given = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
      if (!tokenMatches(given)) return c.json({ status: 'unauthorized' }, 401, { 'WWW-Authenticate': 'Bearer' });
    }
    const { contentType, body } = await source.scrape();
    return c.body(body, 200, { 'Content-Type': contentType });
  });
}
