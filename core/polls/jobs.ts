import type { Db } from '../db/types.ts';
import { pollCadenceAlerts } from './cadence.ts';
import { openDueDirectLines } from './direct-line.ts';
import { announceDuePolls, closeDuePolls } from './polls.ts';

/** The polls job (every 5 minutes): polls past their end are closed, KPI 3's weekly cadence watched. */
export async function runPollJobs(db: Db, now: Date): Promise<Record<string, number>> {
  return { ...(await closeDuePolls(db, now)), ...(await pollCadenceAlerts(db, now)) };
}

/** The poll-announcements job (every minute): polls published ahead of their start are announced when they open. */
export function runPollAnnouncements(db: Db, now: Date): Promise<{ pollsAnnounced: number }> {
  return announceDuePolls(db, now);
}

/** The direct-line-announcements job (every minute): campaigns created ahead of their collection are opened (announced) when it begins. */
export function runDirectLineAnnouncements(db: Db, now: Date): Promise<{ directLinesOpened: number }> {
  return openDueDirectLines(db, now);
}
