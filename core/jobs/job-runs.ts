import type { Selectable } from 'kysely';
import type { Db } from '../db/types.ts';
import type { JobOutcome, JobRunTable } from './job-run.table.ts';

export interface JobRun {
  id: number;
  job: string;
  instance: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  outcome: JobOutcome;
  counts: Record<string, number>;
  error: string | null;
}

function toJobRun(r: Selectable<JobRunTable>): JobRun {
  return { id: r.id, job: r.job, instance: r.instance, startedAt: r.started_at, finishedAt: r.finished_at, outcome: r.outcome, counts: r.counts, error: r.error };
}

export interface JobRunFilter {
  job?: string;
  outcome?: JobOutcome;
  /** Runs started at or after this instant. */
  since?: Date;
  /** Keyset paging: runs older than this id. */
  beforeId?: number;
  limit?: number;
}

/** Cron job runs, newest first (for the admin API). */
export async function listJobRuns(db: Db, filter: JobRunFilter = {}): Promise<JobRun[]> {
  let query = db
    .selectFrom('job_run')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(Math.min(Math.max(filter.limit ?? 50, 1), 500));
  if (filter.job !== undefined) query = query.where('job', '=', filter.job);
  if (filter.outcome !== undefined) query = query.where('outcome', '=', filter.outcome);
  if (filter.since !== undefined) query = query.where('started_at', '>=', filter.since);
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  const rows = await query.execute();
  return rows.map(toJobRun);
}

/** The latest run of each job (a status board: when did each job last run, and how did it end). */
export async function latestJobRuns(db: Db): Promise<JobRun[]> {
  const rows = await db
    .selectFrom('job_run')
    .selectAll()
    .distinctOn('job')
    .orderBy('job')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toJobRun);
}
