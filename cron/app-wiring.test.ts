import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { listJobRuns } from '../core/jobs/job-runs.ts';
import { createLogger } from '../logger.ts';
import { createTestDatabase, type TestDatabase } from '../test/database.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const logger = createLogger('silent');
const clock = () => new Date('2026-11-20T05:00:00Z');

describe('cron in the app', () => {
  it('CRON_ENABLED=false: start() runs no job on this instance', async () => {
    const app = await buildApp({ config: loadConfig({ CRON_ENABLED: 'false' }), logger, clock, database: t });
    await app.start();
    await app.stop();
    expect(await listJobRuns(t.db)).toEqual([]);
  });

  it('by default start() schedules the jobs and catches up; stop() waits for runs in flight', async () => {
    const app = await buildApp({ config: loadConfig({}), logger, clock, database: t });
    await app.start();
    await app.stop();
    const runs = await listJobRuns(t.db);
    expect(runs.map((r) => r.job).sort()).toEqual([
      'activity-retention',
      'contests-advance',
      'daily-digest',
      'deadline-reminders',
      'direct-line-announcements',
      'event-reminders',
      'first-response-alerts',
      'hourly-new-message-cards',
      'inbound-retention',
      'kpi-at-risk',
      'kpi-monthly-summary',
      'kpi-snapshots',
      'media-orphan-sweep',
      'message-cells',
      'news-publish',
      'overdue-alerts',
      'poll-announcements',
      'polls',
      'unanswered-comment-alerts',
    ]);
    expect(runs.every((r) => r.outcome === 'ok' && r.finishedAt !== null)).toBe(true);
  });
});
