import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, isRealPostgres, type TestDatabase } from '../../test/database.ts';
import { DomainError } from '../errors.ts';
import { listJobRuns, latestJobRuns } from './job-runs.ts';
import { jobLockKey, runJob, type Job } from './run-job.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ seed: false });
});
afterAll(() => t.close());

const clockAt = (iso: string) => () => new Date(iso);

/** A promise with its resolve function, to hold a job inside its transaction deterministically. */
function latch() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('running a job', () => {
  it('records a successful run with its counts, start and end', async () => {
    let seen: Date | null = null;
    const job: Job = {
      name: 'test-ok',
      run: async (_trx, now) => {
        seen = now;
        return { alerts: 3 };
      },
    };
    const result = await runJob(t.db, job, clockAt('2026-11-20T02:00:00Z'), 'instance-a');
    expect(result).toMatchObject({ outcome: 'ok', counts: { alerts: 3 } });
    expect(seen).toEqual(new Date('2026-11-20T02:00:00Z'));
    const [run] = await listJobRuns(t.db, { job: 'test-ok' });
    expect(run).toMatchObject({ id: result.runId, job: 'test-ok', instance: 'instance-a', outcome: 'ok', counts: { alerts: 3 }, error: null, startedAt: new Date('2026-11-20T02:00:00Z'), finishedAt: new Date('2026-11-20T02:00:00Z') });
  });

  it('a failing job rolls back its work and leaves an error run', async () => {
    const job: Job = {
      name: 'test-error',
      run: async (trx) => {
        await trx.insertInto('job_run').values({ job: 'work-of-the-failed-job', started_at: new Date() }).execute();
        throw new DomainError('NOT_FOUND', { secret: 'never stored' });
      },
    };
    const result = await runJob(t.db, job, clockAt('2026-11-20T02:00:00Z'));
    expect(result.outcome).toBe('error');
    const [run] = await listJobRuns(t.db, { job: 'test-error' });
    expect(run).toMatchObject({ outcome: 'error', error: 'NOT_FOUND', counts: {} });
    expect(await listJobRuns(t.db, { job: 'work-of-the-failed-job' })).toEqual([]);
  });

  it('lists runs newest first, filtered, and the latest run of each job', async () => {
    await runJob(t.db, { name: 'test-ok', run: async () => ({ alerts: 0 }) }, clockAt('2026-11-20T03:00:00Z'));
    const runs = await listJobRuns(t.db, { job: 'test-ok' });
    expect(runs.map((r) => r.startedAt.toISOString())).toEqual(['2026-11-20T03:00:00.000Z', '2026-11-20T02:00:00.000Z']);
    expect(await listJobRuns(t.db, { outcome: 'error' })).toHaveLength(1);
    expect(await listJobRuns(t.db, { since: new Date('2026-11-20T02:30:00Z') })).toHaveLength(1);
    expect(await listJobRuns(t.db, { job: 'test-ok', beforeId: runs[0]!.id })).toHaveLength(1);
    const latest = await latestJobRuns(t.db);
    expect(latest.map((r) => [r.job, r.outcome])).toEqual([['test-error', 'error'], ['test-ok', 'ok']]);
  });

  it('lock keys are stable per job name and differ between jobs', () => {
    expect(jobLockKey('overdue-alerts')).toBe(jobLockKey('overdue-alerts'));
    expect(jobLockKey('overdue-alerts')).not.toBe(jobLockKey('deadline-reminders'));
    expect(Number.isInteger(jobLockKey('daily-digest'))).toBe(true);
  });

  if (isRealPostgres()) {
    it('two concurrent runs of one job on PostgreSQL: one runs, the other is skipped', async () => {
      const inside = latch();
      const release = latch();
      let runs = 0;
      const job: Job = {
        name: 'test-concurrent',
        run: async () => {
          runs++;
          inside.open();
          await release.opened;
          return { runs };
        },
      };
      const first = runJob(t.db, job, clockAt('2026-11-20T02:00:00Z'), 'instance-a');
      await inside.opened; // the first run holds the lock inside its transaction
      const second = await runJob(t.db, job, clockAt('2026-11-20T02:00:00Z'), 'instance-b');
      release.open();
      expect(second.outcome).toBe('skipped');
      expect((await first).outcome).toBe('ok');
      expect(runs).toBe(1);
      // A different job is not blocked by that lock, and once released the same job runs again.
      expect((await runJob(t.db, job, clockAt('2026-11-20T02:05:00Z'))).outcome).toBe('ok');
      const recorded = await listJobRuns(t.db, { job: 'test-concurrent' });
      expect(recorded.map((r) => [r.instance, r.outcome])).toEqual([[null, 'ok'], ['instance-b', 'skipped'], ['instance-a', 'ok']]);
    });
  } else {
    it('two concurrent runs of one job on PGlite (one connection): they run one after the other, never overlapping', async () => {
      const trace: string[] = [];
      const job: Job = {
        name: 'test-concurrent',
        run: async (trx) => {
          trace.push('enter');
          await trx.selectFrom('job_run').select('id').execute();
          trace.push('leave');
          return {};
        },
      };
      const results = await Promise.all([runJob(t.db, job, clockAt('2026-11-20T02:00:00Z'), 'a'), runJob(t.db, job, clockAt('2026-11-20T02:00:00Z'), 'b')]);
      // PGlite has a single session, so the second transaction starts only after the first ended
      // and its lock was released: both run, serially. The skip needs two sessions (PostgreSQL).
      expect(results.map((r) => r.outcome)).toEqual(['ok', 'ok']);
      expect(trace).toEqual(['enter', 'leave', 'enter', 'leave']);
    });
  }
});
