import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import type { Db } from '../db/types.ts';
import { isDomainError } from '../errors.ts';
import type { JobOutcome } from './job-run.table.ts';
import { cronRuns, cronSeconds } from '../metrics/metrics.ts';

export type JobCounts = Record<string, number>;

/**
 * A periodic job: a name that is also its lock, and work done at `now`. By default the work runs in
 * one transaction holding the lock. A `batched` job gets a plain connection holding a session
 * lock instead and commits its own short transactions (batches of a large backlog), so its rows
 * are visible as it goes and no transaction stays open for long (on PGlite it would block every
 * webhook); the lock is released at the end, or with the connection if the process dies.
 */
export interface Job {
  name: string;
  run(db: Db, now: Date): Promise<JobCounts>;
  batched?: boolean;
}

export interface JobRunResult {
  runId: number;
  outcome: Exclude<JobOutcome, 'running'>;
  counts: JobCounts;
  error?: unknown;
}

/** Keys in the first half of the two-int advisory lock space, so other lock users cannot collide. */
export const LOCK_NAMESPACE = 0x4f746b6c; // 'Otkl'

/** A stable 32-bit lock key per job name (the same on every instance and every release). */
export function jobLockKey(name: string): number {
  return createHash('sha256').update(name).digest().readInt32BE(0);
}

/** Error text kept in the run row: a domain code or the error's own message, never data values. */
function describe(error: unknown): string {
  if (isDomainError(error)) return error.code;
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 500);
}

/**
 * Runs a job once across all instances: inside a transaction it takes
 * pg_try_advisory_xact_lock(namespace, key(job)); an instance that does not get it records a
 * 'skipped' run and leaves. The lock goes with the transaction, so a crashed run frees it at once.
 * The run row is written outside that transaction so that a failed job still leaves its 'error'.
 */
export async function runJob(db: Kysely<Database>, job: Job, clock: Clock, instance: string | null = null): Promise<JobRunResult> {
  const now = clock();
  const startedAt = Date.now();
  const { id: runId } = await db
    .insertInto('job_run')
    .values({ job: job.name, instance, started_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  let result: JobRunResult;
  try {
    const outcome = job.batched
      ? await db.connection().execute(async (conn) => {
          const lock = await sql<{ locked: boolean }>`SELECT pg_try_advisory_lock(${LOCK_NAMESPACE}::int, ${jobLockKey(job.name)}::int) AS locked`.execute(conn);
          if (!lock.rows[0]?.locked) return null;
          try {
            return await job.run(conn, now);
          } finally {
            await sql`SELECT pg_advisory_unlock(${LOCK_NAMESPACE}::int, ${jobLockKey(job.name)}::int)`.execute(conn);
          }
        })
      : await db.transaction().execute(async (trx) => {
          const lock = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(${LOCK_NAMESPACE}::int, ${jobLockKey(job.name)}::int) AS locked`.execute(trx);
          if (!lock.rows[0]?.locked) return null;
          return job.run(trx, now);
        });
    result = outcome === null ? { runId, outcome: 'skipped', counts: {} } : { runId, outcome: 'ok', counts: outcome };
  } catch (error) {
    result = { runId, outcome: 'error', counts: {}, error };
  }
  cronRuns.inc({ job: job.name, outcome: result.outcome });
  if (result.outcome !== 'skipped') cronSeconds.observe({ job: job.name }, (Date.now() - startedAt) / 1000);
  await db
    .updateTable('job_run')
    .set({ finished_at: clock(), outcome: result.outcome, counts: JSON.stringify(result.counts), error: result.error === undefined ? null : describe(result.error) })
    .where('id', '=', runId)
    .execute();
  return result;
}
