import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../core/db/connect.ts';
import { claimDue } from '../../core/outbox/outbox.queue.ts';
import { createTestDatabase, isRealPostgres, type TestDatabase } from '../../test/database.ts';
import { FakeTelegramApi } from '../../test/fakes/telegram-api.ts';
import { allSettled, clearOutbox, enqueueMarked, eventually, markerOf, states, telegramSender } from '../../test/outbox.ts';
import type { OutboxSender } from './sender.ts';

/**
 * Crash safety and several instances. On PostgreSQL (TEST_DATABASE_URL) the killed instance is a
 * real child process killed with SIGKILL, and the two instances use two connection pools. On PGlite
 * (one connection, one process) the killed instance's claim is made with the same claim statement
 * and never settled, and the two instances share the connection: their statements interleave one
 * at a time, which still exercises the claim's state check, the lease and the per-chat order.
 */
let t: TestDatabase;
let api: FakeTelegramApi;
const senders: OutboxSender[] = [];

beforeAll(async () => {
  t = await createTestDatabase({ seed: false });
  api = await new FakeTelegramApi().start();
});
afterEach(async () => {
  await Promise.all(senders.splice(0).map((s) => s.stop()));
  api.reset();
  api.limits = {};
  await clearOutbox(t.db);
});
afterAll(async () => {
  await api.stop();
  await t.close();
});

const victimScript = fileURLToPath(new URL('../../test/fixtures/outbox-victim.ts', import.meta.url));

/** Claims the rows as a sender that is then killed: a real process on PostgreSQL, a bare claim on PGlite. */
async function claimAndDie(ids: number[]): Promise<void> {
  if (!isRealPostgres()) {
    const claimed = await claimDue(t.db, { channel: 'tg', claimedBy: 'victim', limit: ids.length });
    expect(claimed.map((r) => r.id).sort((a, b) => a - b)).toEqual(ids);
    return;
  }
  for (const _ of ids) api.failNext({ status: 0, description: '', hang: true });
  const child = spawn(process.execPath, [victimScript], {
    env: { ...process.env, DATABASE_URL: t.url, TELEGRAM_API_ROOT: api.url },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await eventually(async () => {
      const rows = await t.db.selectFrom('outbox').select(['state', 'claimed_by']).where('id', 'in', ids).execute();
      return rows.every((r) => r.state === 'sending' && r.claimed_by === 'victim') && api.rejected.length > 0;
    }, 20_000, 'the victim to claim every row and start sending');
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

describe('outbox crash safety and concurrency', () => {
  it(`rows claimed by an instance killed before settling are sent after the lease (${isRealPostgres() ? 'SIGKILLed child process' : 'PGlite: abandoned claim'})`, async () => {
    const ids = await enqueueMarked(t.db, Array.from({ length: 10 }, (_, i) => ({ chatId: 3000 + i, marker: 3000 + i })));
    await claimAndDie(ids);
    expect(await states(t.db, ids)).toEqual(ids.map(() => 'sending'));
    const claims = await t.db.selectFrom('outbox').select('claimed_at').where('id', 'in', ids).execute();
    const lastClaimAt = Math.max(...claims.map((c) => c.claimed_at!.getTime()));
    api.reset(); // the killed instance's hung calls delivered nothing

    const leaseMs = 1500;
    const restarted = telegramSender(t.db, api.url, { settings: { leaseMs }, instanceId: 'restarted' });
    senders.push(restarted);
    restarted.start();
    await allSettled(t.db, ids, 15_000);
    expect(await states(t.db, ids)).toEqual(ids.map(() => 'sent'));
    const markers = api.callsOf('sendMessage').map((c) => markerOf(String(c.params.text))).sort((a, b) => a - b);
    expect(markers).toEqual(ids.map((_, i) => 3000 + i));
    // Nobody touched them before the lease ran out.
    for (const call of api.calls) expect(call.at - lastClaimAt).toBeGreaterThanOrEqual(leaseMs - 50);
    const rows = await t.db.selectFrom('outbox').select(['claimed_by', 'attempts']).where('id', 'in', ids).execute();
    expect(rows.every((r) => r.attempts === 2)).toBe(true);
  });

  it(`two sender instances never send one row twice and keep each chat in order (${isRealPostgres() ? 'two connection pools' : 'PGlite: one shared connection, interleaved'})`, async () => {
    const limits = { perSecond: 200, perChatPerSecond: 10, perGroupPerMinute: 600 };
    api.limits = { perChatPerSecond: 10 };
    const specs = [
      ...Array.from({ length: 200 }, (_, i) => ({ chatId: 40_000 + i, marker: 40_000 + i })),
      ...Array.from({ length: 100 }, (_, i) => ({ chatId: 50_000 + (i % 20), marker: 50_000 + i })),
    ];
    const ids = await enqueueMarked(t.db, specs);
    const second = t.url ? await connectDatabase({ url: t.url, poolSize: 4 }) : undefined;
    try {
      const a = telegramSender(t.db, api.url, { limits, settings: { batchSize: 20 }, instanceId: 'a' });
      const b = telegramSender(second?.db ?? t.db, api.url, { limits, settings: { batchSize: 20 }, instanceId: 'b' });
      senders.push(a, b);
      a.start();
      b.start();
      await allSettled(t.db, ids, 30_000);
      await Promise.all(senders.splice(0).map((s) => s.stop()));
    } finally {
      await second?.close();
    }
    expect(await states(t.db, ids)).toEqual(ids.map(() => 'sent'));
    const markers = api.callsOf('sendMessage').map((c) => markerOf(String(c.params.text)));
    expect(markers).toHaveLength(specs.length);
    expect(new Set(markers).size).toBe(specs.length);
    for (let chat = 0; chat < 20; chat++) {
      const inChat = api.textsTo(50_000 + chat).map(markerOf);
      expect(inChat).toEqual([...inChat].sort((x, y) => x - y));
      expect(inChat).toHaveLength(5);
    }
    expect(api.count429).toBe(0); // the per-chat gate lives in the table, so it holds across instances
    const byInstance = await t.db.selectFrom('outbox').select(['claimed_by']).select((eb) => eb.fn.countAll<number>().as('n')).where('id', 'in', ids).groupBy('claimed_by').execute();
    expect(byInstance.map((r) => r.claimed_by).sort()).toEqual(['a', 'b']);
  });

  it('a stopped sender gives its claimed but unsent rows back at once, without counting an attempt', async () => {
    const limits = { perSecond: 20, perChatPerSecond: 1, perGroupPerMinute: 20 };
    const ids = await enqueueMarked(t.db, Array.from({ length: 60 }, (_, i) => ({ chatId: 60_000 + i, marker: i })));
    const sender = telegramSender(t.db, api.url, { limits });
    sender.start();
    await api.waitFor(() => api.calls.length >= 5);
    await sender.stop();
    const rows = await t.db.selectFrom('outbox').select(['state', 'attempts']).where('id', 'in', ids).execute();
    expect(rows.filter((r) => r.state === 'sending')).toEqual([]);
    const sent = rows.filter((r) => r.state === 'sent').length;
    expect(sent).toBe(api.calls.length);
    expect(rows.filter((r) => r.state === 'pending').every((r) => r.attempts === 0)).toBe(true);
  });
});
