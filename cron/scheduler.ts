import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import cron from 'node-cron';
import type { Clock } from '../core/clock.ts';
import type { Database } from '../core/db/database.ts';
import { runJob, type Job } from '../core/jobs/run-job.ts';
import type { Logger } from '../logger.ts';
import { cronSchedules, JOBS, type CronSchedule } from './jobs.ts';

export interface CronOptions {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  /** CRON_ENABLED: false leaves this instance out of scheduling entirely. */
  enabled: boolean;
  /** Recorded on each run row, to tell instances apart. */
  instance?: string;
  /** Jobs that exist only with some configuration (the incident page poller needs VK_SERVICE_TOKEN). */
  extra?: CronSchedule[];
}

export interface CronHandle {
  schedules: CronSchedule[];
  /** The catch-up run at start (every job once); resolves when it is done. */
  catchUp: Promise<void>;
  /** Each scheduled task's next firing (for health output and tests). */
  nextRuns(): { name: string; next: Date | null }[];
  stop(): Promise<void>;
}

/**
 * Schedules every job with node-cron in the municipalities' time zones and runs each once at start
 * to catch up on what was missed while the app was down. Runs that are in flight finish before
 * stop() resolves; a run on another instance holding the job's lock makes this one skip.
 */
export async function startCron(options: CronOptions): Promise<CronHandle> {
  const { db, clock, logger } = options;
  if (!options.enabled) {
    logger.info('cron is off on this instance (CRON_ENABLED=false): no jobs scheduled');
    return { schedules: [], catchUp: Promise.resolve(), nextRuns: () => [], stop: async () => {} };
  }
  const instance = options.instance ?? `${hostname()}:${process.pid}`;
  const inFlight = new Set<Promise<void>>();

  const trigger = (job: Job): Promise<void> => {
    const run = runJob(db, job, clock, instance).then(
      (result) => {
        if (result.outcome === 'error') logger.error({ err: result.error, job: job.name, runId: result.runId }, 'cron job failed');
        else logger.debug({ job: job.name, outcome: result.outcome, counts: result.counts }, 'cron job finished');
      },
      // Recording the run itself failed (the database is away): log and wait for the next tick.
      (err: unknown) => logger.error({ err, job: job.name }, 'cron job could not run'),
    );
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
    return run;
  };

  const zones = await db.selectFrom('municipality').select('time_zone').distinct().execute();
  const schedules = [...cronSchedules(zones.map((z) => z.time_zone)), ...(options.extra ?? [])];
  const tasks = schedules.map((s) =>
    cron.schedule(s.expression, () => trigger(s.job), { name: `${s.job.name}@${s.timeZone}`, timezone: s.timeZone, noOverlap: true }),
  );
  logger.info({ jobs: schedules.map((s) => `${s.job.name} ${s.expression} ${s.timeZone}`) }, 'cron scheduled');

  const catchUp = (async () => {
    for (const job of [...Object.values(JOBS), ...(options.extra ?? []).map((s) => s.job)]) await trigger(job);
  })();

  return {
    schedules,
    catchUp,
    nextRuns: () => tasks.map((task) => ({ name: task.name ?? task.id, next: task.getNextRun() })),
    async stop() {
      for (const task of tasks) await task.destroy();
      await Promise.allSettled([catchUp, ...inFlight]);
    },
  };
}
