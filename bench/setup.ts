import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../config.ts';
import type { ChannelLimits } from '../bots/outbox/sender.ts';
import { connectDatabase, type DatabaseHandle } from '../core/db/connect.ts';
import { migrateToLatest } from '../core/db/migrate.ts';
import { createTestDatabase } from '../test/database.ts';
import { startFakeApi, type FakeApiHandle } from './fake-telegram.ts';

export interface Bench {
  scale: number;
  config: Config;
  /** Telegram's limits from the config, scaled by BENCH_SCALE (to keep the run short). */
  limits: ChannelLimits;
  database: DatabaseHandle;
  api: FakeApiHandle;
  /** Stops the fake, closes (and drops) the scratch database. */
  close(): Promise<void>;
}

/**
 * What every outbox benchmark starts from: the config's Telegram limits scaled by BENCH_SCALE
 * (default: the benchmark's own), a scratch database — a fresh one on the DATABASE_URL server (dropped after), else
 * PGlite in a temporary directory (memory:// grows its files by copying them, which stalls the
 * event loop) — migrated, and the fake Bot API enforcing the limits on a thread of its own.
 */
export async function startBench(options: { defaultScale: number }): Promise<Bench> {
  const scale = Number(process.env.BENCH_SCALE ?? options.defaultScale);
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const limits = {
    perSecond: config.OUTBOX_TG_PER_SECOND * scale,
    perChatPerSecond: config.OUTBOX_TG_PER_CHAT_PER_SECOND * scale,
    perGroupPerMinute: config.OUTBOX_TG_PER_GROUP_PER_MINUTE * scale,
  };
  if (process.env.DATABASE_URL) process.env.TEST_DATABASE_URL = process.env.DATABASE_URL;
  const dataDir = process.env.DATABASE_URL ? undefined : mkdtempSync(join(tmpdir(), 'otklik-bench-'));
  const database = process.env.DATABASE_URL ? await createTestDatabase({ seed: false }) : await connectDatabase({ dataDir });
  await migrateToLatest(database.db);
  const api = await startFakeApi(limits);
  return {
    scale,
    config,
    limits,
    database,
    api,
    async close() {
      await api.stop();
      await database.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
