import type { Generated, JSONColumnType } from 'kysely';

export type JobOutcome = 'running' | 'ok' | 'skipped' | 'error';

/** One run of a cron job on one instance; 'running' with no end means the process died mid-run. */
export interface JobRunTable {
  id: Generated<number>;
  job: string;
  instance: string | null;
  started_at: Date;
  finished_at: Date | null;
  outcome: Generated<JobOutcome>;
  counts: JSONColumnType<Record<string, number>, string | undefined, string>;
  error: string | null;
}

export interface JobRunTables {
  job_run: JobRunTable;
}
