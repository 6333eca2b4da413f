import { TZDate } from '@date-fns/tz';
import { addWorkingHours, isWorkingDay, localDateKey } from '../calendar/working-time.ts';
import type { Db } from '../db/types.ts';
import { inTransaction } from '../db/transaction.ts';
import { listMunicipalities } from '../municipalities/municipality.repository.ts';
import { PRIORITY } from '../outbox/outbox.repository.ts';
import { raiseAlert, type AlertResult } from '../alerts/alerts.ts';
import { computeKpis, computeMany, missingTables, type KpiResult } from './engine.ts';
import type { KpiStatus, Target } from './indicator.ts';
import { kpiResponsibleStaffIds } from './kpi-responsible.service.ts';
import { localPeriod, monthKeyAt, parseKpiPeriod, previousPeriodKey } from './period.ts';

/** The local hour from which the monthly summary goes out on the month's first working day. */
export const SUMMARY_HOUR = 9;

/** A text the bots render in each recipient's language (bots/render-text.ts): `kpi.*` keys of locales/<lang>/kpi.json. */
export interface KpiText {
  $key: string;
  $params?: Record<string, unknown>;
}

const isShareTarget = (target: Target) => target.kind === 'min_share' || target.kind === 'max_share';

/** Percent with one decimal at most, written by the language's rules (0,3 % in Russian): `kpi.percent`. */
const percent = (key: string, share: number): KpiText => ({ $key: key, $params: { value: Math.round(share * 1000) / 10 } });

/** A value as officials read it: shares in percent (one decimal), counts as they are (a fraction in the language's digits). */
export function formatValue(target: Target, value: number | null): string | KpiText {
  if (value === null) return '—';
  if (isShareTarget(target)) return percent('kpi.percent', value);
  const count = Math.round(value * 100) / 100;
  return Number.isInteger(count) ? String(count) : { $key: 'kpi.number', $params: { value: count } };
}

export function formatTarget(target: Target): string | KpiText {
  switch (target.kind) {
    case 'min_count':
      return `≥ ${target.min}`;
    case 'min_share':
      return percent('kpi.percent_min', target.min);
    case 'max_share':
      return percent('kpi.percent_max', target.max);
    case 'range':
      return `${target.min}–${target.max}`;
  }
}

/** A period key (2026-11, 2026) in words: «ноябрь 2026 г.», «2026 год» (November 2026, 2026). */
export function periodText(key: string): KpiText {
  const [year, month] = key.split('-');
  return month === undefined ? { $key: 'kpi.period_year', $params: { year } } : { $key: 'kpi.period_month', $params: { year, month: { $key: `kpi.month_${Number(month)}` } } };
}

export const STATUS_MARK: Record<KpiStatus, string> = { met: '✅', on_track: '🟢', at_risk: '🟠', missed: '🔴' };

/** Rules of the indicators whose breaking has a text of its own (`kpi.rules.<rule>`); others read as `kpi.rules.unknown`. */
const RULE_TEXTS = ['week_without_poll', 'two_in_a_day', 'month_below_target', 'month_out_of_range'];

/**
 * Why an indicator is at risk or missed when its total alone does not say it: a part short of its
 * own target (KPI 5: cultural and sport events apart) or a rule broken (KPI 3: a week without a
 * poll, a day with two; KPI 2 and 14 over a year: a month out of range), a line each after the
 * alert's text. Empty when the total tells it all.
 */
export function reasonsNote(r: Pick<KpiResult, 'parts' | 'violations'>): KpiText | '' {
  const lines: KpiText[] = r.parts
    .filter((p) => p.status === 'at_risk' || p.status === 'missed')
    .map((p) => ({ $key: `kpi.parts.${p.name}`, $params: { value: p.numerator, target: formatTarget(p.target) } }));
  const counts = new Map<string, number>();
  for (const v of r.violations) counts.set(v.rule, (counts.get(v.rule) ?? 0) + 1);
  for (const [rule, count] of counts) lines.push({ $key: `kpi.rules.${RULE_TEXTS.includes(rule) ? rule : 'unknown'}`, $params: { count } });
  return lines.length === 0 ? '' : { $key: 'kpi.reasons', $params: { list: lines } };
}

/**
 * Alerts an indicator's responsible officials (named one by one or through a group) once per
 * indicator, its own period and kind (`at_risk` or `missed`): the dedupe key holds all three.
 * Listed in GET /alerts (kind alert.kpi_at_risk / alert.kpi_missed), queued to linked messengers.
 */
export async function raiseKpiAlert(db: Db, municipalityId: number, r: KpiResult, kind: 'at_risk' | 'missed', now: Date): Promise<AlertResult> {
  const staff = await kpiResponsibleStaffIds(db, municipalityId, r.kpi);
  return raiseAlert(
    db,
    staff,
    {
      kind: `alert.kpi_${kind}`,
      key: `kpi.${kind}`,
      params: {
        kpi: r.kpi,
        name: { $key: `kpi.name_${r.kpi}` },
        period: periodText(r.ownPeriod),
        value: formatValue(r.target, r.value),
        // A count is projected in whole units (6 publications, not 5,63).
        projection: formatValue(r.target, r.projection !== null && !isShareTarget(r.target) ? Math.round(r.projection) : r.projection),
        target: formatTarget(r.target),
        reasonsNote: reasonsNote(r),
        municipalityId,
      },
      dedupeKey: `kpi_${kind}:${municipalityId}:${r.kpi}:${r.ownPeriod}`,
    },
    now,
  );
}

/**
 * Each working day (the municipality's work calendar: not on weekends and holidays, when nobody
 * could act on it): the current period's indicators of each municipality; each `at_risk` one
 * alerts its responsible officials once per indicator and period. One short transaction per municipality.
 */
export async function runKpiAtRiskAlerts(db: Db, now: Date): Promise<{ municipalities: number; atRisk: number; alerts: number; queued: number }> {
  const counts = { municipalities: 0, atRisk: 0, alerts: 0, queued: 0 };
  const missing = await missingTables(db);
  const working = (await listMunicipalities(db)).filter((m) => isWorkingDay(m.calendar, now));
  // One grouped computation per current month (one in Kuzbass), then one short transaction per municipality.
  const byMonth = Map.groupBy(working, (m) => monthKeyAt(now, m.timeZone));
  for (const [month, municipalities] of byMonth) {
    const all = await computeMany(db, municipalities, month, now, { trend: false, missing });
    for (const municipality of municipalities) {
      counts.municipalities++;
      const atRisk = all.get(municipality.id)!.filter((r) => r.status === 'at_risk');
      if (atRisk.length === 0) continue;
      await inTransaction(db, async (trx) => {
        for (const r of atRisk) {
          counts.atRisk++;
          const result = await raiseKpiAlert(trx, municipality.id, r, 'at_risk', now);
          counts.alerts += result.raised;
          counts.queued += result.queued;
        }
      });
    }
  }
  return counts;
}

/** The local date of the month's first working day on the municipality's calendar. */
export function firstWorkingDay(calendar: { timeZone: string; config: object }, year: number, month: number): string {
  const start = localPeriod(year, month, calendar.timeZone).from;
  return localDateKey(calendar.timeZone, addWorkingHours(calendar, start, 1 / 60));
}

/**
 * On the first working day of a month, from 09:00 local: each indicator whose own period ended
 * `missed` (the previous month and, in January, the previous year) alerts its responsible officials
 * once — in working hours, not when the snapshot job closes the period just after midnight — and
 * each responsible official (in person or through a group) gets the previous month's summary of
 * their indicators, once (dedupe per official and month). Reads the snapshots when taken (the
 * snapshot job runs before).
 */
export async function runKpiMonthlySummary(db: Db, now: Date): Promise<{ municipalities: number; missed: number; alerts: number; queued: number }> {
  const counts = { municipalities: 0, missed: 0, alerts: 0, queued: 0 };
  for (const municipality of await listMunicipalities(db)) {
    const local = new TZDate(now.getTime(), municipality.timeZone);
    if (localDateKey(municipality.timeZone, now) !== firstWorkingDay(municipality.calendar, local.getFullYear(), local.getMonth() + 1)) continue;
    if (local.getHours() < SUMMARY_HOUR) continue;
    const month = previousPeriodKey(parseKpiPeriod(monthKeyAt(now, municipality.timeZone)));
    const results = await computeKpis(db, municipality, month, now);
    const ended = month.endsWith('-12')
      ? [
          { key: month, results },
          { key: month.slice(0, 4), results: await computeKpis(db, municipality, month.slice(0, 4), now) },
        ]
      : [{ key: month, results }];
    await inTransaction(db, async (trx) => {
      for (const { key, results: own } of ended) {
        for (const r of own) {
          if (r.status !== 'missed' || !r.final || r.ownPeriod !== key) continue;
          const result = await raiseKpiAlert(trx, municipality.id, r, 'missed', now);
          if (result.raised > 0) counts.missed++;
          counts.alerts += result.raised;
          counts.queued += result.queued;
        }
      }
    });
    const byStaff = new Map<number, KpiResult[]>();
    for (const r of results) {
      if (r.status === null) continue;
      for (const staffId of await kpiResponsibleStaffIds(db, municipality.id, r.kpi)) byStaff.set(staffId, [...(byStaff.get(staffId) ?? []), r]);
    }
    counts.municipalities++;
    await inTransaction(db, async (trx) => {
      for (const [staffId, mine] of byStaff) {
        // A line each, rendered in the official's language (a list of texts is joined line by line).
        const lines = mine.map(
          (r): KpiText => ({ $key: 'kpi.summary_line', $params: { mark: STATUS_MARK[r.status!], kpi: r.kpi, value: formatValue(r.target, r.value), target: formatTarget(r.target) } }),
        );
        const tally = (s: KpiStatus) => mine.filter((r) => r.status === s).length;
        const result = await raiseAlert(
          trx,
          [staffId],
          {
            kind: 'digest.kpi_monthly',
            key: 'kpi.summary',
            params: { period: periodText(month), met: tally('met'), onTrack: tally('on_track'), atRisk: tally('at_risk'), missed: tally('missed'), lines },
            dedupeKey: `kpi_summary:${municipality.id}:${month}`,
            delivery: { priority: PRIORITY.digest },
          },
          now,
        );
        counts.alerts += result.raised;
        counts.queued += result.queued;
      }
    });
  }
  return counts;
}
