import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../core/jobs/run-job.ts';
import { startCommandUpdate } from '../telegram/updates.ts';
import { buildApp } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { createLogger } from '../../logger.ts';
import { SECRET_HEADER, TELEGRAM_WEBHOOK_PATH } from '../../http/webhooks/telegram.ts';
import { VK_WEBHOOK_PATH } from '../../http/webhooks/vk.ts';
import { startingResponse } from '../../http/app.ts';
import { createApiHarness, type ApiHarness } from '../api-harness.ts';
import { announce, cancelBroadcast, expandBatch } from '../../core/broadcasts/broadcasts.ts';
import { registeredResident } from '../residents.ts';
import { isRealPostgres } from '../database.ts';
import { refuseConnections } from '../db-faults.ts';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
let h: ApiHarness;
beforeAll(async () => {
  // Senders and cron are not started until a test calls app.start(): the queue stays as the webhooks leave it.
  h = await createApiHarness({ METRICS_TOKEN, CRON_ENABLED: 'false', OUTBOX_POLL_MS: '50', OUTBOX_LEADER_RETRY_MS: '100' });
});
afterAll(() => h.close());

const startUpdate = (updateId: number, userId: number) => startCommandUpdate(updateId, userId, 'Анна', 1_764_561_600);

async function webhook(body: unknown) {
  return h.app.http.request(TELEGRAM_WEBHOOK_PATH, { method: 'POST', headers: { [SECRET_HEADER]: 'api-harness-secret', 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Parses the Prometheus text format into `name{labels}` → value. */
function parse(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}

async function scrape(): Promise<Map<string, number>> {
  const response = await h.app.http.request('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return parse(await response.text());
}

describe('health probes', () => {
  it('GET /health, /health/live and /health/ready say 200 and nothing about the instance', async () => {
    for (const path of ['/health', '/health/live', '/health/ready']) {
      const response = await h.app.http.request(path);
      expect(response.status, path).toBe(200);
      expect(await response.json(), path).toEqual({ status: 'ok' });
    }
  });

  it('readiness is false (503) until the migrations are applied and while stopping; liveness stays 200', async () => {
    h.app.lifecycle.stopping = true;
    try {
      expect((await h.app.http.request('/health')).status).toBe(503);
      expect(await (await h.app.http.request('/health/ready')).json()).toEqual({ status: 'unavailable' });
      expect((await h.app.http.request('/health/live')).status).toBe(200);
    } finally {
      h.app.lifecycle.stopping = false;
    }
    h.app.lifecycle.migrated = false;
    try {
      expect((await h.app.http.request('/health/ready')).status).toBe(503);
    } finally {
      h.app.lifecycle.migrated = true;
    }
    expect((await h.app.http.request('/health/ready')).status).toBe(200);
  });

  it('while the app starts (main.ts, before the migrations are applied): liveness 200, the rest 503, webhooks with Retry-After: 5 as while stopping', async () => {
    const at = (path: string, method = 'GET') => startingResponse(new Request(`http://127.0.0.1${path}`, { method }));
    const live = at('/health/live');
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    for (const path of [TELEGRAM_WEBHOOK_PATH, VK_WEBHOOK_PATH]) {
      const refused = at(path, 'POST');
      expect(refused.status, path).toBe(503);
      expect(refused.headers.get('retry-after'), path).toBe('5');
      expect(await refused.json(), path).toEqual({ status: 'unavailable' });
    }
    for (const path of ['/health', '/health/ready', '/api/v1/messages', '/webhooksx']) {
      const refused = at(path);
      expect(refused.status, path).toBe(503);
      expect(refused.headers.get('retry-after'), path).toBeNull();
    }
    // The same header as a webhook refused while stopping.
    h.app.lifecycle.stopping = true;
    try {
      expect((await webhook(startUpdate(910_004, 6_100_000_004))).headers.get('retry-after')).toBe('5');
    } finally {
      h.app.lifecycle.stopping = false;
    }
  });

  it('the details are behind an operator key: GET /api/v1/system/health', async () => {
    const details = await h.request('GET', '/api/v1/system/health');
    expect(details.status).toBe(200);
    expect(details.body).toMatchObject({
      ready: true,
      stopping: false,
      database: { kind: h.t.kind, up: true },
      migrations: { pending: 0 },
      channels: { telegram: true, vk: false },
      outboxSending: true,
      cron: false,
    });
    expect(details.body.migrations.applied).toBeGreaterThan(0);
    if (h.t.kind === 'postgres') expect(details.body.database.pool).toMatchObject({ max: 10 });
    expect((await h.request('GET', '/api/v1/system/health', { token: h.keys.Kemerovo.curator })).status).toBe(403);
    expect((await h.request('GET', '/api/v1/system/health', { token: null })).status).toBe(401);
  });
});

describe('GET /metrics', () => {
  it('refuses a scrape without the token, or with a wrong one', async () => {
    expect((await h.app.http.request('/metrics')).status).toBe(401);
    expect((await h.app.http.request('/metrics', { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
  });

  it('counts inbound updates by channel and outcome, their handling time, the outbox queue and the pool', async () => {
    const before = await scrape();
    const handled = before.get('otklik_inbound_updates_total{channel="tg",outcome="handled"}') ?? 0;
    const duplicate = before.get('otklik_inbound_updates_total{channel="tg",outcome="duplicate"}') ?? 0;
    const observed = before.get('otklik_inbound_handling_seconds_count{channel="tg"}') ?? 0;

    expect((await webhook(startUpdate(910_001, 6_100_000_001))).status).toBe(200);
    expect((await webhook(startUpdate(910_002, 6_100_000_002))).status).toBe(200);
    expect((await webhook(startUpdate(910_002, 6_100_000_002))).status).toBe(200); // Telegram retrying

    const after = await scrape();
    expect(after.get('otklik_inbound_updates_total{channel="tg",outcome="handled"}')).toBe(handled + 2);
    expect(after.get('otklik_inbound_updates_total{channel="tg",outcome="duplicate"}')).toBe(duplicate + 1);
    expect(after.get('otklik_inbound_handling_seconds_count{channel="tg"}')).toBe(observed + 3);
    expect(after.get('otklik_inbound_handling_seconds_bucket{le="+Inf",channel="tg"}')).toBe(observed + 3);
    // The two replies wait in the outbox (senders are off here): the queue depth counts them, due now.
    const pending = await h.t.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('state', '=', 'pending')
      .where('channel', '=', 'tg')
      .executeTakeFirstOrThrow();
    expect(Number(pending.n)).toBeGreaterThanOrEqual(2);
    expect(after.get('otklik_outbox_queue_depth{channel="tg",due="true"}')).toBe(Number(pending.n));
    expect(after.get('otklik_outbox_oldest_due_seconds{channel="tg"}')).toBeGreaterThanOrEqual(0);
    expect(after.get('otklik_outbox_oldest_due_seconds{channel="vk"}')).toBe(0);
    expect(after.get('otklik_broadcasts_active{state="expanding"}')).toBe(0);
    if (h.t.kind === 'postgres') expect(after.get('otklik_db_pool_connections{state="max"}')).toBe(10);
    expect(after.get('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(after.get('otklik_database_up')).toBe(1);
  });

  it("the pool's waiting count is what waited before the scrape, not the scrape's own queries", async () => {
    const metrics = await scrape(); // connections opened by earlier scrapes are idle now
    if (h.t.kind === 'postgres') {
      expect(metrics.get('otklik_db_pool_connections{state="idle"}')).toBeGreaterThan(0);
      // Nothing else runs: the gauges' own queries (queue depth, broadcasts …) must not count as waiting.
      expect(metrics.get('otklik_db_pool_connections{state="waiting"}')).toBe(0);
    } else {
      // PGlite: one connection in the process, no pool to count.
      expect([...metrics.keys()].some((name) => name.startsWith('otklik_db_pool_connections'))).toBe(false);
    }
  });

  it("the queue depth and the oldest due row leave out a cancelled broadcast's rows still waiting to be marked", async () => {
    const before = await scrape();
    const depth = before.get('otklik_outbox_queue_depth{channel="tg",due="true"}') ?? 0;
    for (let i = 0; i < 3; i++) await registeredResident(h.t.db, { municipalityId: h.municipality.Belovo });
    const id = await announce(h.t.db, { audience: { municipalityId: h.municipality.Belovo, topic: 'news' }, message: { key: 'broadcast.official', params: { text: 'Withdrawn' } } });
    while (!(await expandBatch(h.t.db, id, 100)).done);
    // Due for an hour already (a broadcast that waited behind the rate limit), then withdrawn.
    await h.t.db
      .updateTable('outbox')
      .set({ next_attempt_at: new Date(Date.now() - 3_600_000) })
      .where('broadcast_id', '=', id)
      .execute();
    expect(await cancelBroadcast(h.t.db, id, new Date())).toBe(true);
    try {
      const rows = await h.t.db.selectFrom('outbox').select('state').where('broadcast_id', '=', id).execute();
      expect(rows.map((r) => r.state)).toEqual(['pending', 'pending', 'pending']);
      const after = await scrape();
      expect(after.get('otklik_outbox_queue_depth{channel="tg",due="true"}') ?? 0).toBe(depth);
      expect(after.get('otklik_outbox_oldest_due_seconds{channel="tg"}')).toBeLessThan(3_000);
    } finally {
      await h.t.db.deleteFrom('outbox').where('broadcast_id', '=', id).execute();
    }
  });

  it('webhooks answer 503 while the instance stops, and the refusal is counted', async () => {
    const key = 'otklik_inbound_updates_total{channel="tg",outcome="refused_shutting_down"}';
    const before = (await scrape()).get(key) ?? 0;
    h.app.lifecycle.stopping = true;
    try {
      expect((await webhook(startUpdate(910_003, 6_100_000_003))).status).toBe(503);
    } finally {
      h.app.lifecycle.stopping = false;
    }
    expect((await scrape()).get(key)).toBe(before + 1);
    expect(await h.t.db.selectFrom('processed_update').select('update_id').where('update_id', '=', '910003').executeTakeFirst()).toBeUndefined();
  });
});

describe('GET /metrics during a database outage', () => {
  it.runIf(isRealPostgres())('during a database outage the scrape still answers 200, with otklik_database_up 0 and the process metrics', async () => {
    const restore = await refuseConnections(h.t);
    try {
      const startedAt = Date.now();
      const during = await scrape();
      expect(Date.now() - startedAt).toBeLessThan(5_000);
      expect(during.get('otklik_database_up')).toBe(0);
      expect(during.get('process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(during.has('otklik_inbound_updates_total{channel="tg",outcome="handled"}')).toBe(true);
      // What the database holds is unknown now: no series, rather than an empty queue that is not.
      expect([...during.keys()].some((name) => name.startsWith('otklik_outbox_queue_depth'))).toBe(false);
      expect(during.get('otklik_db_pool_connections{state="max"}')).toBe(10);
    } finally {
      await restore();
    }
    const after = await scrape();
    expect(after.get('otklik_database_up')).toBe(1);
    expect(after.get('otklik_outbox_queue_depth{channel="tg",due="true"}')).toBeGreaterThanOrEqual(0);
  });
});

describe('GET /metrics after work in the background', () => {
  it('counts cron runs with their durations, and outbox sends by channel, lane and result', async () => {
    const before = await scrape();
    const runs = before.get('otklik_cron_runs_total{job="ops-test",outcome="ok"}') ?? 0;
    await runJob(h.t.db, { name: 'ops-test', run: async () => ({ done: 1 }) }, () => new Date());
    const sent = before.get('otklik_outbox_sends_total{channel="tg",lane="reply",result="sent"}') ?? 0;
    await h.app.start();
    const deadline = Date.now() + 20_000;
    for (;;) {
      const row = await h.t.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('state', 'in', ['pending', 'sending'])
        .executeTakeFirstOrThrow();
      if (Number(row.n) === 0) break;
      if (Date.now() > deadline) throw new Error('replies not sent in time');
      await new Promise((r) => setTimeout(r, 50));
    }
    const after = await scrape();
    expect(after.get('otklik_cron_runs_total{job="ops-test",outcome="ok"}')).toBe(runs + 1);
    expect(after.get('otklik_cron_duration_seconds_count{job="ops-test"}')).toBeGreaterThanOrEqual(1);
    // The two /start replies of the webhook test, sent to the fake Bot API.
    expect(after.get('otklik_outbox_sends_total{channel="tg",lane="reply",result="sent"}')).toBeGreaterThanOrEqual(sent + 2);
    expect(h.telegram.calls.filter((c) => c.method === 'sendMessage').length).toBeGreaterThanOrEqual(2);
    // The queue empty: every channel's gauges say 0 (no series at all broke dashboards' sums and alerts).
    for (const channel of ['tg', 'vk']) {
      expect(after.get(`otklik_outbox_queue_depth{channel="${channel}",due="true"}`), channel).toBe(0);
      expect(after.get(`otklik_outbox_queue_depth{channel="${channel}",due="false"}`), channel).toBe(0);
      expect(after.get(`otklik_outbox_sending{channel="${channel}"}`), channel).toBe(0);
      expect(after.get(`otklik_outbox_oldest_due_seconds{channel="${channel}"}`), channel).toBe(0);
    }
  });
});

describe('METRICS_PORT', () => {
  it('serves /metrics on its own listener (no token needed there) and not on the main one', async () => {
    const app = await buildApp({ config: loadConfig({ METRICS_PORT: '9464', CRON_ENABLED: 'false', OUTBOX_ENABLED: 'false', DEMO_SEED: 'false' }), logger: createLogger('silent'), database: h.t });
    try {
      expect((await app.http.request('/metrics')).status).toBe(404);
      const response = await app.metricsHttp!.request('/metrics');
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('# TYPE otklik_inbound_updates_total counter');
    } finally {
      await app.stop();
    }
  });
});
