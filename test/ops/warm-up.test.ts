import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { createLogger } from '../../logger.ts';
import { createTestDatabase, isRealPostgres, type TestDatabase } from '../database.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

describe('start()', () => {
  it('builds the HTTP router before the first request (the first webhook after a start does not pay for it)', async () => {
    const app = await buildApp({ config: loadConfig({ CRON_ENABLED: 'false' }), logger: createLogger('silent'), database: t });
    expect(app.http.router.name).toBe('SmartRouter');
    await app.start();
    try {
      // Hono's SmartRouter names the router it chose once it has matched.
      expect(app.http.router.name).toMatch(/^SmartRouter \+ \w+Router$/);
      expect((await app.http.request('/health')).status).toBe(200);
    } finally {
      await app.stop();
    }
  });

  it.runIf(isRealPostgres())("opens the pool's connections before the first burst (PostgreSQL)", async () => {
    const pool = t.pool!;
    const app = await buildApp({ config: loadConfig({ CRON_ENABLED: 'false' }), logger: createLogger('silent'), database: t });
    await app.start();
    try {
      expect(pool.totalCount).toBe(pool.options.max);
      expect(pool.idleCount).toBe(pool.options.max);
    } finally {
      await app.stop();
    }
  });
});
