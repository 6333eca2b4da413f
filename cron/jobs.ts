import { runDeadlineReminders, runFirstResponseAlerts, runOverdueAlerts } from '../core/alerts/deadlines.ts';
import { runDueDigests } from '../core/alerts/digest.ts';
import { pruneProcessedUpdates } from '../core/inbound/retention.ts';
import type { Job } from '../core/jobs/run-job.ts';
import { pruneActivity } from '../core/activity/activity.ts';
import { runFillMessageCells } from '../core/stats/cells.ts';
import { runPollJobs } from '../core/polls/jobs.ts';

/**
 * Every periodic job. Each is idempotent (alerts carry unique keys, the digest marks its day), so a
 * run at start after downtime, or one more run than planned, only does what is still undone.
 */
export const JOBS = {
  firstResponse: { name: 'first-response-alerts', run: runFirstResponseAlerts },
  reminders: { name: 'deadline-reminders', run: runDeadlineReminders },
  overdue: { name: 'overdue-alerts', run: runOverdueAlerts },
  digest: { name: 'daily-digest', run: runDueDigests },
  retention: { name: 'inbound-retention', run: pruneProcessedUpdates },
  activityRetention: { name: 'activity-retention', run: pruneActivity },
  cells: { name: 'message-cells', run: runFillMessageCells },
  polls: { name: 'polls', run: runPollJobs },
} as const satisfies Record<string, Job>;

export interface CronSchedule {
  job: Job;
  expression: string;
  timeZone: string;
}

/**
 * When each job fires. The scans run every few minutes (the one-working-hour rule needs the
 * finest grain); the digest fires at 09:00 in each municipality time zone and once an hour until
 * 21:00, which does nothing once the day is done but retries a 09:00 run that failed.
 */
export function cronSchedules(timeZones: string[], defaultTimeZone = 'Asia/Novokuznetsk'): CronSchedule[] {
  const zones = [...new Set(timeZones)].sort();
  return [
    { job: JOBS.firstResponse, expression: '*/5 * * * *', timeZone: defaultTimeZone },
    { job: JOBS.reminders, expression: '*/15 * * * *', timeZone: defaultTimeZone },
    { job: JOBS.overdue, expression: '*/15 * * * *', timeZone: defaultTimeZone },
    { job: JOBS.retention, expression: '17 3 * * *', timeZone: defaultTimeZone },
    { job: JOBS.activityRetention, expression: '27 3 * * *', timeZone: defaultTimeZone },
    { job: JOBS.cells, expression: '*/5 * * * *', timeZone: defaultTimeZone },
    { job: JOBS.polls, expression: '*/5 * * * *', timeZone: defaultTimeZone },
    ...zones.map((timeZone) => ({ job: JOBS.digest, expression: '0 9-21 * * *', timeZone })),
  ];
}
