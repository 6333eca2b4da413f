import { runDeadlineReminders, runFirstResponseAlerts, runOverdueAlerts } from '../core/alerts/deadlines.ts';
import { runDueDigests } from '../core/alerts/digest.ts';
import { REGION_TIME_ZONE } from '../core/news/local-time.ts';
import { pruneProcessedUpdates } from '../core/inbound/retention.ts';
import { pruneRunningLines } from '../core/outbox/running-line.ts';
import type { Job } from '../core/jobs/run-job.ts';
import { pruneActivity } from '../core/activity/activity.ts';
import { runFillMessageCells } from '../core/stats/cells.ts';
import { publishDueNews } from '../core/news/news.service.ts';
import { queueDueReminders } from '../core/news/events.service.ts';
import { runDirectLineAnnouncements, runPollAnnouncements, runPollJobs } from '../core/polls/jobs.ts';
import { runUnansweredCommentAlerts } from '../core/alerts/author-comments.ts';
import { runHourlyNewMessageCards } from '../core/alerts/new-message.ts';
import { advanceContests } from '../core/contests/contests.ts';
import { runKpiAtRiskAlerts, runKpiMonthlySummary } from '../core/kpi/kpi-alerts.ts';
import { runKpiSnapshots } from '../core/kpi/snapshots.ts';

/**
 * Every periodic job. Each is idempotent (alerts carry unique keys, the digest marks its day), so a
 * run at start after downtime, or one more run than planned, only does what is still undone.
 */
export const JOBS = {
  firstResponse: { name: 'first-response-alerts', run: runFirstResponseAlerts },
  reminders: { name: 'deadline-reminders', run: runDeadlineReminders, batched: true },
  overdue: { name: 'overdue-alerts', run: runOverdueAlerts, batched: true },
  digest: { name: 'daily-digest', run: runDueDigests },
  // With the update ids, the running lines' sent messages (core/outbox/running-line.ts).
  retention: { name: 'inbound-retention', run: async (trx, now) => ({ ...(await pruneProcessedUpdates(trx, now)), ...(await pruneRunningLines(trx, now)) }) },
  activityRetention: { name: 'activity-retention', run: pruneActivity },
  cells: { name: 'message-cells', run: runFillMessageCells },
  newsPublish: { name: 'news-publish', run: publishDueNews },
  eventReminders: { name: 'event-reminders', run: queueDueReminders },
  polls: { name: 'polls', run: runPollJobs },
  pollAnnouncements: { name: 'poll-announcements', run: runPollAnnouncements },
  directLineAnnouncements: { name: 'direct-line-announcements', run: runDirectLineAnnouncements },
  unansweredComments: { name: 'unanswered-comment-alerts', run: runUnansweredCommentAlerts },
  hourlyNewMessages: { name: 'hourly-new-message-cards', run: runHourlyNewMessageCards },
  contests: { name: 'contests-advance', run: async (trx, now) => ({ ...(await advanceContests(trx, now)) }) },
  kpiSnapshots: { name: 'kpi-snapshots', run: runKpiSnapshots, batched: true },
  kpiAtRisk: { name: 'kpi-at-risk', run: runKpiAtRiskAlerts, batched: true },
  kpiSummary: { name: 'kpi-monthly-summary', run: runKpiMonthlySummary, batched: true },
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
    // Scheduled news go out on the minute they were set for; reminders within a minute of start − 3 h.
    { job: JOBS.newsPublish, expression: '* * * * *', timeZone: defaultTimeZone },
    { job: JOBS.eventReminders, expression: '* * * * *', timeZone: defaultTimeZone },
    { job: JOBS.polls, expression: '*/5 * * * *', timeZone: defaultTimeZone },
    // A poll published ahead of its start is announced on the minute it opens.
    { job: JOBS.pollAnnouncements, expression: '* * * * *', timeZone: defaultTimeZone },
    // A direct line created ahead of its collection is announced on the minute the collection begins.
    { job: JOBS.directLineAnnouncements, expression: '* * * * *', timeZone: defaultTimeZone },
    { job: JOBS.unansweredComments, expression: '*/15 * * * *', timeZone: defaultTimeZone },
    { job: JOBS.hourlyNewMessages, expression: '0 * * * *', timeZone: defaultTimeZone },
    { job: JOBS.contests, expression: '* * * * *', timeZone: defaultTimeZone },
    // The regional curators' digest goes at 09:00 of the region's zone, whatever the municipalities' zones.
    ...[...new Set([...zones, REGION_TIME_ZONE])].sort().map((timeZone) => ({ job: JOBS.digest, expression: '0 9-21 * * *', timeZone })),
    // KPI: close the month just after local midnight (snapshots), check the running periods each
    // morning (at-risk alerts), tell the missed indicators and send the monthly summary from 09:00 on
    // the first working day (nobody is alerted at night).
    { job: JOBS.kpiSnapshots, expression: '20 0 * * *', timeZone: defaultTimeZone },
    { job: JOBS.kpiAtRisk, expression: '0 8 * * *', timeZone: defaultTimeZone },
    ...zones.map((timeZone) => ({ job: JOBS.kpiSummary, expression: '5 9-21 * * *', timeZone })),
  ];
}
