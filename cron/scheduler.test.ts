import { Writable } from 'node:stream';
import cron from 'node-cron';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listJobRuns } from '../core/jobs/job-runs.ts';
import { createLogger } from '../logger.ts';
import { createTestDatabase, type TestDatabase } from '../test/database.ts';
import { demoStaff, linkStaff, messageInWork } from '../test/staff.ts';
import { cronSchedules, JOBS } from './jobs.ts';
import { startCron } from './scheduler.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: createLogger('debug', destination), lines };
}

/**
 * Waits, if need be, until `ms` remain before the next minute's turn: the scheduled tasks run on the
 * wall clock, and a turn during a catch-up would add the every-minute jobs' own runs to those counted.
 */
async function clearOfMinuteTurn(ms = 20_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < ms) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

describe('the cron scheduler', () => {
  it('CRON_ENABLED=false: nothing is scheduled or run on this instance, and it says so', async () => {
    const { logger, lines } = capturingLogger();
    const before = cron.getTasks().size;
    const handle = await startCron({ db: t.db, clock: () => new Date('2026-11-20T05:00:00Z'), logger, enabled: false });
    await handle.catchUp;
    expect(handle.schedules).toEqual([]);
    expect(cron.getTasks().size).toBe(before);
    expect(await listJobRuns(t.db)).toEqual([]);
    expect(lines.map((l) => l.msg)).toContain('cron is off on this instance (CRON_ENABLED=false): no jobs scheduled');
    await handle.stop();
  });

  it('catches up on start: the overdue alert and today\'s digest missed while down are sent, each run recorded', async () => {
    const kemerovo = t.demo.municipalities.Kemerovo;
    const staff = await demoStaff(t.db, kemerovo);
    await linkStaff(t.db, staff.executor);
    await linkStaff(t.db, staff.curator);
    // Accepted 20 days before a start at 12:00 local: overdue since day 14, and 09:00 has passed.
    const startAt = new Date('2026-11-20T05:00:00Z');
    const id = await messageInWork(t.db, { municipalityId: kemerovo, acceptedAt: new Date(startAt.getTime() - 20 * 86_400_000) });

    const { logger } = capturingLogger();
    await clearOfMinuteTurn();
    const handle = await startCron({ db: t.db, clock: () => startAt, logger, enabled: true, instance: 'test' });
    await handle.catchUp;
    await handle.stop();

    const runs = await listJobRuns(t.db);
    expect(runs.map((r) => [r.job, r.outcome]).sort()).toEqual(Object.values(JOBS).map((j) => [j.name, 'ok']).sort());
    expect(runs.find((r) => r.job === 'overdue-alerts')!.counts).toMatchObject({ messages: 1, alerts: 2 });
    expect(runs.find((r) => r.job === 'daily-digest')!.counts).toMatchObject({ municipalities: 3 });
    const kinds = await t.db.selectFrom('outbox').select(['kind', 'staff_id']).where('recipient_kind', '=', 'staff').where('kind', 'in', ['alert.overdue', 'digest.daily']).execute();
    expect(kinds.filter((k) => k.kind === 'alert.overdue').map((k) => k.staff_id).sort()).toEqual([staff.executor, staff.curator].sort());
    expect(kinds.filter((k) => k.kind === 'digest.daily').map((k) => k.staff_id).sort()).toEqual([staff.executor, staff.curator].sort());
    expect((await t.db.selectFrom('outbox').select('payload').where('kind', '=', 'alert.overdue').executeTakeFirstOrThrow()).payload.params?.messageId).toBe(id);

    // A second start the same day (a restart, another instance) sends nothing again.
    await clearOfMinuteTurn();
    const again = await startCron({ db: t.db, clock: () => new Date(startAt.getTime() + 600_000), logger, enabled: true, instance: 'test-2' });
    await again.catchUp;
    await again.stop();
    const second = (await listJobRuns(t.db)).filter((r) => r.instance === 'test-2');
    expect(second).toHaveLength(Object.keys(JOBS).length);
    const nothingAgain = (job: string) =>
      job === 'daily-digest'
        ? { municipalities: 0, alerts: 0 }
        : job === 'inbound-retention'
          ? { processedUpdatesPruned: 0, runningLinesPruned: 0 }
          : job === 'activity-retention'
            ? { activityPruned: 0 }
            : job === 'message-cells'
              ? { filled: 0 }
              : job === 'news-publish'
                ? { published: 0 }
                : job === 'event-reminders'
                  ? { queued: 0 }
                  : job === 'polls'
                    ? { pollsClosed: 0, cadenceAlerts: 0 }
                    : job === 'poll-announcements'
                      ? { pollsAnnounced: 0 }
                    : job === 'direct-line-announcements'
                      ? { directLinesOpened: 0 }
                    : job === 'contests-advance'
                      ? { entriesOpened: 0, votingOpened: 0, winnersChosen: 0, resultsPublished: 0 }
                      : job === 'kpi-snapshots'
                        ? { periods: 0, snapshots: 0 }
                        : { alerts: 0 };
    for (const run of second) expect(run.counts, run.job).toMatchObject(nothingAgain(run.job));
  }, 90_000);

  it('schedules the digest at 09:00 in the municipalities\' time zone and removes every task on stop', async () => {
    const { logger } = capturingLogger();
    const before = cron.getTasks().size;
    const handle = await startCron({ db: t.db, clock: () => new Date('2026-11-21T05:00:00Z'), logger, enabled: true });
    await handle.catchUp;
    expect(handle.schedules.map((s) => [s.job.name, s.expression, s.timeZone])).toEqual([
      ['first-response-alerts', '*/5 * * * *', 'Asia/Novokuznetsk'],
      ['deadline-reminders', '*/15 * * * *', 'Asia/Novokuznetsk'],
      ['overdue-alerts', '*/15 * * * *', 'Asia/Novokuznetsk'],
      ['inbound-retention', '17 3 * * *', 'Asia/Novokuznetsk'],
      ['activity-retention', '27 3 * * *', 'Asia/Novokuznetsk'],
      ['message-cells', '*/5 * * * *', 'Asia/Novokuznetsk'],
      ['news-publish', '* * * * *', 'Asia/Novokuznetsk'],
      ['event-reminders', '* * * * *', 'Asia/Novokuznetsk'],
      ['polls', '*/5 * * * *', 'Asia/Novokuznetsk'],
      ['poll-announcements', '* * * * *', 'Asia/Novokuznetsk'],
      ['direct-line-announcements', '* * * * *', 'Asia/Novokuznetsk'],
      ['unanswered-comment-alerts', '*/15 * * * *', 'Asia/Novokuznetsk'],
      ['hourly-new-message-cards', '0 * * * *', 'Asia/Novokuznetsk'],
      ['contests-advance', '* * * * *', 'Asia/Novokuznetsk'],
      ['daily-digest', '0 9-21 * * *', 'Asia/Novokuznetsk'],
      ['kpi-snapshots', '20 0 * * *', 'Asia/Novokuznetsk'],
      ['kpi-at-risk', '0 8 * * *', 'Asia/Novokuznetsk'],
      ['kpi-monthly-summary', '5 9-21 * * *', 'Asia/Novokuznetsk'],
    ]);
    const digest = handle.nextRuns().find((r) => r.name === 'daily-digest@Asia/Novokuznetsk')!;
    // 09:00..21:00 at UTC+7 is 02:00..14:00 UTC, on the hour.
    expect(digest.next!.getUTCMinutes()).toBe(0);
    expect(digest.next!.getUTCHours()).toBeGreaterThanOrEqual(2);
    expect(digest.next!.getUTCHours()).toBeLessThanOrEqual(14);
    expect(cron.getTasks().size).toBe(before + 18);
    await handle.stop();
    expect(cron.getTasks().size).toBe(before);
  });

  it("schedules the digest in the region's zone too (the regional curators' digest), whatever the municipalities' zones", () => {
    const zones = (timeZones: string[]) => cronSchedules(timeZones).filter((s) => s.job === JOBS.digest).map((s) => s.timeZone);
    expect(zones(['Europe/Moscow'])).toEqual(['Asia/Novokuznetsk', 'Europe/Moscow']);
    expect(zones(['Asia/Novokuznetsk', 'Asia/Novokuznetsk'])).toEqual(['Asia/Novokuznetsk']);
  });
});
