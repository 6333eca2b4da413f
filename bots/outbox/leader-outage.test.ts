import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';
import { refuseConnections } from '../../test/db-faults.ts';
import { createTestDatabase, isRealPostgres, type TestDatabase } from '../../test/database.ts';
import { FakeTelegramApi } from '../../test/fakes/telegram-api.ts';
import { enqueueMarked, eventually, markerOf, renderTelegram, silentLogger, states } from '../../test/outbox.ts';
import { createTranslator } from '../i18n.ts';
import { createOutboxSenders } from './senders.ts';

/**
 * The sender's database goes away for a moment (a failover, a restart, a network blip) while it
 * has rows in flight and more claimed in its local queue. Its leader connection dies, so it stops
 * sending; when the database is back it leads again. The rows it had sent must be recorded, not
 * sent again, and the rows it had claimed but not sent must leave at once, not after the lease.
 * A database outage can only be made on PostgreSQL (test/db-faults.ts).
 */
if (isRealPostgres()) {
  let t: TestDatabase;
  let api: FakeTelegramApi;

  beforeAll(async () => {
    t = await createTestDatabase({ seed: false });
    api = await new FakeTelegramApi().start();
  });
  afterAll(async () => {
    await api.stop();
    await t.close();
  });

  const sendingCount = async () =>
    (
      await t.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('state', '=', 'sending')
        .executeTakeFirstOrThrow()
    ).n;

  describe('the database fails under a sending leader (PostgreSQL)', () => {
    it('after the outage every row is sent once, and the claimed ones right away rather than after the lease', { timeout: 60_000 }, async () => {
      const config = loadConfig({
        TELEGRAM_BOT_TOKEN: '123:TEST',
        TELEGRAM_API_ROOT: api.url,
        OUTBOX_LEADER_RETRY_MS: '200',
        LOG_LEVEL: 'silent',
      });
      // A lease far longer than the test's patience: a row that waits for it has been forgotten.
      const senders = createOutboxSenders({
        config,
        db: t.db,
        databaseUrl: t.url,
        logger: silentLogger,
        translate: createTranslator(),
        renderTelegram,
        settings: { pollMs: 50, flushMs: 10, leaseMs: 120_000 },
      });
      api.latencyMs = 1500; // the Bot API answers after the database has gone
      const chats = 40;
      const ids = await enqueueMarked(
        t.db,
        Array.from({ length: chats * 2 }, (_, i) => ({ chatId: 70_000 + (i % chats), marker: 70_000 + i })),
      );
      senders.start();
      try {
        await eventually(async () => senders.leading()[0] === true, 5000, 'the sender to lead');
        senders.kick();
        // One second of sending claimed (the first row of each chat), a few calls under way.
        await eventually(async () => Number(await sendingCount()) >= 30, 5000, 'rows claimed');
        await new Promise((resolve) => setTimeout(resolve, 150));

        const restore = await refuseConnections(t);
        try {
          await eventually(async () => senders.leading()[0] === false, 5000, 'the leader to notice the outage');
          // The calls under way reach the Bot API while the database is down.
          await new Promise((resolve) => setTimeout(resolve, 1800));
        } finally {
          await restore();
        }
        const sentDuringOutage = api.callsOf('sendMessage').length;
        expect(sentDuringOutage).toBeGreaterThan(0);
        expect(sentDuringOutage).toBeLessThan(30); // and some claimed rows had not been sent
        api.latencyMs = 0;

        await eventually(async () => senders.leading()[0] === true, 10_000, 'the sender to lead again');
        await eventually(async () => (await states(t.db, ids)).every((s) => s === 'sent'), 15_000, 'every row sent');
      } finally {
        api.latencyMs = 0;
        await senders.stop();
      }
      const markers = api.callsOf('sendMessage').map((c) => markerOf(String(c.params.text)));
      expect(markers.toSorted()).toEqual(ids.map((_, i) => 70_000 + i)); // each once
    });

    it('stopping for good (SIGTERM) while the database is down: what was sent is recorded once it is back, not sent again by the next sender', { timeout: 60_000 }, async () => {
      const config = loadConfig({ TELEGRAM_BOT_TOKEN: '123:TEST', TELEGRAM_API_ROOT: api.url, OUTBOX_LEADER_RETRY_MS: '200', LOG_LEVEL: 'silent' });
      const instance = () => createOutboxSenders({ config, db: t.db, databaseUrl: t.url, logger: silentLogger, translate: createTranslator(), renderTelegram, settings: { pollMs: 50, flushMs: 10 } });
      api.reset();
      const ids = await enqueueMarked(
        t.db,
        Array.from({ length: 10 }, (_, i) => ({ chatId: 71_000 + i, marker: 71_000 + i })),
      );
      api.latencyMs = 1500;
      const first = instance();
      first.start();
      await eventually(async () => first.leading()[0] === true, 5000, 'the sender to lead');
      await eventually(async () => Number(await sendingCount()) === 10, 5000, 'rows claimed');
      await new Promise((resolve) => setTimeout(resolve, 700)); // all ten under way
      const restore = await refuseConnections(t);
      let stopped: Promise<void>;
      try {
        stopped = first.stop(); // the calls under way finish while the database is down
        await api.waitFor(() => api.callsOf('sendMessage').length === 10, 5000);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      } finally {
        await restore();
      }
      await stopped;
      api.latencyMs = 0;
      expect(await states(t.db, ids)).toEqual(ids.map(() => 'sent'));

      const next = instance();
      next.start();
      await eventually(async () => next.leading()[0] === true, 5000, 'the next sender to lead');
      await new Promise((resolve) => setTimeout(resolve, 500));
      await next.stop();
      expect(api.callsOf('sendMessage')).toHaveLength(10); // none again
    });
  });
}
