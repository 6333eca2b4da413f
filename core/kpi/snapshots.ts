import type { Db } from '../db/types.ts';
import { inTransaction } from '../db/transaction.ts';
import { DomainError } from '../errors.ts';
import { getMunicipality, listMunicipalities, type Municipality } from '../municipalities/municipality.repository.ts';
import { computeKpis, missingTables, snapshotValues, type KpiResult } from './engine.ts';
import { INDICATORS } from './indicators/index.ts';
import { localPeriod, monthKeyAt, parseKpiPeriod, previousPeriodKey } from './period.ts';
import { measureResponses } from './ratings.ts';
import { measureMonthlyReport, measureOpenSource } from './report.ts';

/** The period's end in the municipality's zone: snapshots exist only for ended periods. */
export function periodEnd(municipality: Municipality, period: string): Date {
  const p = parseKpiPeriod(period);
  return localPeriod(p.year, p.month, municipality.timeZone).to;
}

/**
 * Freezes the 16 indicators of an ended period: one kpi_snapshot row each, and what its monthly
 * report and rankings measure (snapshotReport). Without `replace` an
 * existing row is kept (the job may run twice); with it (the audited recomputation) it is
 * overwritten and marked recomputed. Returns the results written.
 */
export async function snapshotPeriod(db: Db, municipality: Municipality, period: string, now: Date, options: { replace?: boolean } = {}): Promise<KpiResult[]> {
  if (now.getTime() < periodEnd(municipality, period).getTime()) throw new DomainError('VALIDATION', { field: 'period', problem: 'the period has not ended yet' });
  const results = await computeKpis(db, municipality, period, now, { trend: false, useSnapshots: false });
  const written: KpiResult[] = [];
  for (const r of results) {
    if (!r.available) continue;
    const v = snapshotValues(r);
    const row = {
      municipality_id: municipality.id,
      kpi: r.kpi,
      period,
      value: v.value,
      numerator: v.numerator,
      denominator: v.denominator,
      status: v.status,
      details: JSON.stringify(v.details),
      computed_at: now,
    };
    const inserted = await db
      .insertInto('kpi_snapshot')
      .values({ ...row, recomputed: options.replace ?? false })
      .onConflict((oc) =>
        options.replace
          ? oc
              .columns(['municipality_id', 'kpi', 'period'])
              .doUpdateSet({ value: v.value, numerator: v.numerator, denominator: v.denominator, status: v.status, details: row.details, computed_at: now, recomputed: true })
          : oc.columns(['municipality_id', 'kpi', 'period']).doNothing(),
      )
      .returning('kpi')
      .executeTakeFirst();
    // What was written is now the period's snapshot.
    if (inserted) written.push({ ...r, fromSnapshot: true, snapshotAt: now, snapshotRecomputed: options.replace ?? false });
  }
  await snapshotReport(db, municipality, period, now, options);
  return written;
}

/**
 * Freezes what the monthly report (a month), the region's open-source summary (a month) and the
 * rankings (a month or a year) measure for an ended period, beside its indicators and under the same
 * rule: kept when taken (the job may run twice), replaced and marked recomputed with `replace`. The
 * rankings' raw measures, not their ranks: they are weighted and normalised among the
 * municipalities when read; the open-source messages' facts, not the summary's figures: its total
 * pools them over the municipalities when read. Returns whether the report's row was written.
 */
export async function snapshotReport(db: Db, municipality: Municipality, period: string, now: Date, options: { replace?: boolean } = {}): Promise<boolean> {
  const requested = parseKpiPeriod(period);
  const report = requested.kind === 'month' ? await measureMonthlyReport(db, municipality, period, now) : null;
  const responses = await measureResponses(db, municipality, period, now);
  const values = {
    report: report === null ? null : JSON.stringify(report),
    municipality_rating: JSON.stringify(responses.municipality),
    executor_ratings: JSON.stringify(responses.executors),
    computed_at: now,
  };
  const written = await db
    .insertInto('kpi_report_snapshot')
    .values({ municipality_id: municipality.id, period, ...values, recomputed: options.replace ?? false })
    .onConflict((oc) => (options.replace ? oc.columns(['municipality_id', 'period']).doUpdateSet({ ...values, recomputed: true }) : oc.columns(['municipality_id', 'period']).doNothing()))
    .returning('period')
    .executeTakeFirst();
  if (requested.kind === 'month') await snapshotOpenSource(db, municipality, period, now, options);
  return written !== undefined;
}

/** The open-source measures of an ended month (kpi_open_source_snapshot), under snapshotReport's rule. */
async function snapshotOpenSource(db: Db, municipality: Municipality, period: string, now: Date, options: { replace?: boolean }): Promise<void> {
  const values = { measures: JSON.stringify(await measureOpenSource(db, municipality, period, now)), computed_at: now };
  await db
    .insertInto('kpi_open_source_snapshot')
    .values({ municipality_id: municipality.id, period, ...values, recomputed: options.replace ?? false })
    .onConflict((oc) => (options.replace ? oc.columns(['municipality_id', 'period']).doUpdateSet({ ...values, recomputed: true }) : oc.columns(['municipality_id', 'period']).doNothing()))
    .execute();
}

/**
 * Daily (and at start): for each municipality, the month that ended before the current local
 * month and, in January, the year that ended, are snapshotted if not yet. One transaction per
 * municipality and period: short, and nothing half-saved. The indicators that ended `missed` are
 * told later, in working hours, by the monthly summary (runKpiMonthlySummary), not at night.
 */
export async function runKpiSnapshots(db: Db, now: Date): Promise<{ periods: number; snapshots: number }> {
  const counts = { periods: 0, snapshots: 0 };
  const missing = await missingTables(db);
  const expected = INDICATORS.filter((i) => !(i.tables ?? []).some((table) => missing.has(table))).length;
  for (const municipality of await listMunicipalities(db)) {
    const previousMonth = previousPeriodKey(parseKpiPeriod(monthKeyAt(now, municipality.timeZone)));
    const keys = previousMonth.endsWith('-12') ? [previousMonth, previousMonth.slice(0, 4)] : [previousMonth];
    for (const key of keys) {
      const taken = await db
        .selectFrom('kpi_snapshot')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('municipality_id', '=', municipality.id)
        .where('period', '=', key)
        .executeTakeFirstOrThrow();
      const report = await db.selectFrom('kpi_report_snapshot').select('period').where('municipality_id', '=', municipality.id).where('period', '=', key).executeTakeFirst();
      const openSource = key.includes('-')
        ? await db.selectFrom('kpi_open_source_snapshot').select('period').where('municipality_id', '=', municipality.id).where('period', '=', key).executeTakeFirst()
        : true;
      // A period frozen before the report (or the open-source summary) had snapshots gets theirs now (kept from then on).
      if (Number(taken.n) >= expected && report && openSource) continue;
      await inTransaction(db, async (trx) => {
        const written = await snapshotPeriod(trx, municipality, key, now);
        if (written.length === 0) return;
        counts.periods++;
        counts.snapshots += written.length;
      });
    }
  }
  return counts;
}

/** The audited recomputation of an ended period (POST /kpi/recompute): replaces its snapshots, the report's and the rankings' too. */
export async function recomputePeriod(db: Db, municipalityId: number, period: string, now: Date): Promise<KpiResult[]> {
  const municipality = await getMunicipality(db, municipalityId);
  parseKpiPeriod(period);
  return snapshotPeriod(db, municipality, period, now, { replace: true });
}
