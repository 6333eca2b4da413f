import { sql } from 'kysely';
import { localDay } from '../../activity/activity.ts';
import { num, type Indicator, type Measurement, type Violation } from '../indicator.ts';

/** States of a poll that has been run (a draft has not). */
export const RUN_POLL_STATES = ['published', 'closed', 'results_published'];

/**
 * KPI 3, monthly. Polls and votes of the municipality (its own: municipality_id = it) started in
 * the month (starts_at; one closed before it started was never held), at least 5, "not rarer than
 * once a week, not more often than once a day":
 * - a week is an ISO week (Monday to Sunday, local) that belongs to the month by its Thursday (the
 *   ISO rule); each such week that has ended by the time of measurement needs a poll start;
 * - no local day may have two starts.
 * Each broken rule is reported (violations); the period is `met` only without violations.
 */
export const kpi03: Indicator = {
  number: 3,
  nameRu: 'Количество проведённых опросов/голосований в месяц',
  nameEn: 'Polls and votes held per month',
  period: 'month',
  target: { kind: 'min_count', min: 5 },
  numerator: 'polls and votes (not drafts, not closed before their start) started in the month; weeks without one and days with two reported',
  denominator: null,
  tables: ['poll'],
  async measure(db, ctx) {
    // A week of the month may start up to 3 days before it and end up to 3 days after it.
    const { rows } = await sql<{ municipality_id: number; day: string; n: string }>`
      SELECT municipality_id, to_char((starts_at AT TIME ZONE ${ctx.timeZone})::date, 'YYYY-MM-DD') AS day, count(*) AS n
      FROM poll
      WHERE municipality_id = ANY(${ctx.ids}::int[]) AND state IN ('published', 'closed', 'results_published')
        AND starts_at >= ${ctx.period.from}::timestamptz - interval '7 days' AND starts_at < ${ctx.period.to}::timestamptz + interval '7 days'
        AND starts_at <= ${ctx.now}
        -- closed before it started: never held (a published poll may be closed early at any time)
        AND (closed_at IS NULL OR closed_at > starts_at)
      GROUP BY 1, 2 ORDER BY 1, 2`.execute(db);
    const result = new Map<number, Measurement>();
    for (const id of ctx.ids) {
      const byDay = new Map(rows.filter((r) => Number(r.municipality_id) === id).map((r) => [r.day, num(r.n)]));
      result.set(id, judgeWeeks(byDay, ctx.period.fromDay, ctx.period.toDay, localDay(ctx.now, ctx.timeZone)));
    }
    return result;
  },
};

function judgeWeeks(byDay: Map<string, number>, fromDay: string, toDay: string, today: string): Measurement {
  {
    const inMonth = (day: string) => day >= fromDay && day < toDay;
    let started = 0;
    const violations: Violation[] = [];
    for (const [day, n] of byDay) {
      if (!inMonth(day)) continue;
      started += n;
      if (n > 1) violations.push({ rule: 'two_in_a_day', day, count: n });
    }
    for (const week of monthWeeks(fromDay, toDay)) {
      const sunday = week.days[6]!;
      // A week still running is not judged yet (one crossing into the next month ends there).
      if (sunday >= today) continue;
      if (!week.days.some((d) => (byDay.get(d) ?? 0) > 0)) violations.push({ rule: 'week_without_poll', weekStart: week.days[0], weekEnd: sunday });
    }
    return { numerator: started, denominator: null, accumulates: { base: 0 }, violations };
  }
}

const DAY_MS = 86_400_000;
const dayString = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The ISO weeks (Monday..Sunday) whose Thursday falls within [fromDay, toDay). */
export function monthWeeks(fromDay: string, toDay: string): { days: string[] }[] {
  const from = Date.parse(`${fromDay}T00:00:00Z`);
  const to = Date.parse(`${toDay}T00:00:00Z`);
  const weeks: { days: string[] }[] = [];
  for (let t = from; t < to; t += DAY_MS) {
    if (new Date(t).getUTCDay() !== 4) continue;
    const monday = t - 3 * DAY_MS;
    weeks.push({ days: Array.from({ length: 7 }, (_, i) => dayString(monday + i * DAY_MS)) });
  }
  return weeks;
}
