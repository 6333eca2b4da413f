import { sql } from 'kysely';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { getMunicipality, listMunicipalities, type Municipality } from '../municipalities/municipality.repository.ts';
import type { Indicator, KpiStatus, Measurement, Target, Violation } from './indicator.ts';
import { INDICATORS } from './indicators/index.ts';
import { type IndicatorWindow, indicatorWindow, parseKpiPeriod, previousPeriodKey, requireStarted, scaleTarget, type RequestedPeriod } from './period.ts';
import { judge } from './status.ts';
import { competitionRanks } from './competition-rank.ts';

export interface KpiTrend {
  previousPeriod: string;
  previousValue: number | null;
  /** value − previous value (null when either is null). */
  delta: number | null;
  direction: 'up' | 'down' | 'flat' | null;
  /** Whether the change moves towards the target (down is better for an upper bound). */
  improving: boolean | null;
}

/** What the data give now for a period read from its snapshot, when that differs from the snapshot. */
export interface KpiLiveFigure {
  value: number | null;
  numerator: number;
  denominator: number | null;
  status: KpiStatus | null;
  parts: { name: string; numerator: number }[];
  asOf: Date;
}

export interface KpiResult {
  kpi: number;
  nameRu: string;
  nameEn: string;
  /** The indicator's own period kind (seed 000). */
  periodKind: 'month' | 'year';
  /** The requested period. */
  period: string;
  /** The indicator's own period the status refers to ('2026' for a yearly indicator asked for '2026-11'). */
  ownPeriod: string;
  from: Date;
  to: Date;
  /** The instant the value was taken at. */
  asOf: Date;
  /** The status is final (the indicator's own period has ended). */
  final: boolean;
  value: number | null;
  numerator: number;
  denominator: number | null;
  target: Target;
  status: KpiStatus | null;
  projection: number | null;
  parts: { name: string; numerator: number; target: Target; status: KpiStatus }[];
  violations: Violation[];
  details: Record<string, unknown>;
  trend: KpiTrend | null;
  /**
   * Read from the snapshot taken when the period closed: the official figure of an ended period
   * (a later edit of the data, a message reopened, changes it only through POST /kpi/recompute).
   */
  fromSnapshot: boolean;
  /** When the snapshot was taken or last recomputed; null for a figure measured live. */
  snapshotAt: Date | null;
  /** The snapshot was replaced by POST /kpi/recompute. */
  snapshotRecomputed: boolean;
  /**
   * A snapshot compared with the data now (ComputeOptions.compareLive): whether they give another
   * figure (value, numerator, denominator, a part or the target). Null when measured live or not compared.
   */
  liveDiffers: boolean | null;
  /** The figure the data give now, when liveDiffers. */
  live: KpiLiveFigure | null;
  /** False when the data source is not installed (a module's table missing). */
  available: boolean;
}

export interface ComputeOptions {
  kpis?: number[];
  /** Compare with the previous period (default true). */
  trend?: boolean;
  /** Read closed periods from their snapshots (default true). */
  useSnapshots?: boolean;
  /** Tables known to be missing (missingTables), when the caller computes many municipalities. */
  missing?: Set<string>;
  /**
   * Also measure live what is read from a snapshot, to say whether the data now differ
   * (liveDiffers, live). Default false: one more query per indicator.
   */
  compareLive?: boolean;
}

export function indicatorByNumber(n: number): Indicator {
  const found = INDICATORS.find((i) => i.number === n);
  if (!found) throw new DomainError('VALIDATION', { field: 'kpi', problem: '1 to 16' });
  return found;
}

/** Tables of other modules the indicators read that this database does not have (yet). */
export async function missingTables(db: Db): Promise<Set<string>> {
  const wanted = [...new Set(INDICATORS.flatMap((i) => i.tables ?? []))];
  if (wanted.length === 0) return new Set();
  const { rows } = await sql<{ name: string }>`SELECT name FROM unnest(${wanted}::text[]) AS name WHERE to_regclass(name) IS NULL`.execute(db);
  return new Set(rows.map((r) => r.name));
}

/** What a result says of itself whatever its figures: its indicator, the period asked for and its own, the window measured. */
function heading(indicator: Indicator, requested: RequestedPeriod, w: IndicatorWindow) {
  return {
    kpi: indicator.number,
    nameRu: indicator.nameRu,
    nameEn: indicator.nameEn,
    periodKind: indicator.period,
    period: requested.key,
    ownPeriod: w.ownKey,
    from: w.measured.from,
    to: w.measured.to,
  };
}

/**
 * Measures and judges one indicator live (no snapshot) for several municipalities: one grouped
 * query per time zone among them (one, in Kuzbass), whatever their number.
 */
export async function measureIndicators(
  db: Db,
  municipalities: Municipality[],
  indicator: Indicator,
  requested: RequestedPeriod,
  now: Date,
  missing: Set<string> = new Set(),
): Promise<Map<number, KpiResult>> {
  const results = new Map<number, KpiResult>();
  for (const [timeZone, group] of Map.groupBy(municipalities, (m) => m.timeZone)) {
    const w = indicatorWindow(indicator, requested, timeZone);
    const at = new Date(Math.min(now.getTime(), w.measured.to.getTime()));
    const final = now.getTime() >= w.judgedTo.getTime();
    const fraction = Math.min(1, Math.max(0, (at.getTime() - w.judgedFrom.getTime()) / (w.judgedTo.getTime() - w.judgedFrom.getTime())));
    const base = {
      ...heading(indicator, requested, w),
      asOf: at,
      final,
      trend: null,
      fromSnapshot: false,
      snapshotAt: null,
      snapshotRecomputed: false,
      liveDiffers: null,
      live: null,
    };
    if ((indicator.tables ?? []).some((table) => missing.has(table))) {
      for (const m of group)
        results.set(m.id, { ...base, value: null, numerator: 0, denominator: null, target: w.target, status: null, projection: null, parts: [], violations: [], details: {}, available: false });
      continue;
    }
    const measured = await indicator.measure(db, {
      municipalities: group.map((m) => ({ id: m.id, populationOver14: m.populationOver14 })),
      ids: group.map((m) => m.id),
      timeZone,
      period: w.measured,
      at,
      now,
    });
    const scale = indicator.period === 'month' && requested.kind === 'year' ? 12 : 1;
    for (const municipality of group) {
      const m: Measurement = measured.get(municipality.id)!;
      const target = m.target ? m.target : w.target;
      const parts = (m.parts ?? []).map((p) => ({ ...p, target: scaleTarget(p.target, scale) }));
      const j = judge(target, { ...m, parts }, fraction, final);
      results.set(municipality.id, {
        ...base,
        value: j.value,
        numerator: m.numerator,
        denominator: m.denominator,
        target,
        status: j.status,
        projection: j.projection,
        parts: parts.map((p, i) => ({ ...p, status: j.parts[i]!.status })),
        violations: m.violations ?? [],
        details: m.details ?? {},
        available: true,
      });
    }
  }
  return results;
}

/** One indicator of one municipality, live. */
export async function measureIndicator(db: Db, municipality: Municipality, indicator: Indicator, requested: RequestedPeriod, now: Date, missing: Set<string> = new Set()): Promise<KpiResult> {
  return (await measureIndicators(db, [municipality], indicator, requested, now, missing)).get(municipality.id)!;
}

type SnapshotRow = {
  kpi: number;
  value: number | null;
  numerator: number;
  denominator: number | null;
  status: KpiStatus;
  details: Record<string, unknown>;
  computed_at: Date;
  recomputed: boolean;
};

/** What a snapshot keeps: the result's values, and the rest of it in `details`. */
export function snapshotValues(r: KpiResult) {
  return {
    value: r.value,
    numerator: r.numerator,
    denominator: r.denominator,
    status: r.status ?? 'missed',
    details: { ...r.details, target: r.target, projection: r.projection, parts: r.parts, violations: r.violations, ownPeriod: r.ownPeriod, final: r.final, asOf: r.asOf.toISOString() },
  };
}

function fromSnapshot(live: Omit<KpiResult, 'value'> & { value: number | null }, s: SnapshotRow): KpiResult {
  const d = s.details as { target?: Target; projection?: number | null; parts?: KpiResult['parts']; violations?: Violation[]; final?: boolean; asOf?: string } & Record<string, unknown>;
  const { target, projection, parts, violations, final, asOf, ownPeriod: _own, ...details } = d;
  return {
    ...live,
    value: s.value,
    numerator: s.numerator,
    denominator: s.denominator,
    status: s.status,
    target: target ?? live.target,
    projection: projection ?? null,
    parts: parts ?? [],
    violations: violations ?? [],
    final: final ?? live.final,
    asOf: asOf ? new Date(asOf) : live.asOf,
    details,
    fromSnapshot: true,
    snapshotAt: s.computed_at,
    snapshotRecomputed: s.recomputed,
    available: true,
  };
}

const same = (a: number | null, b: number | null) => (a === null || b === null ? a === b : Math.abs(a - b) < 1e-9);

/**
 * Whether the data now give another figure than the snapshot. The status is left out: a yearly
 * indicator's status turns final when the year ends, the figures being the same.
 */
function figuresDiffer(snapshot: KpiResult, live: KpiResult): boolean {
  if (!same(snapshot.value, live.value) || !same(snapshot.numerator, live.numerator) || !same(snapshot.denominator, live.denominator)) return true;
  // Field by field: the snapshot's target comes back from jsonb with its keys in another order.
  const target = (t: Target) => [t.kind, 'min' in t ? t.min : null, 'max' in t ? t.max : null].join(':');
  if (target(snapshot.target) !== target(live.target)) return true;
  const parts = (r: KpiResult) => JSON.stringify(r.parts.map((p) => [p.name, p.numerator]));
  return parts(snapshot) !== parts(live);
}

/** A snapshot's result with its comparison against the live one (unavailable live: not compared). */
function compared(snapshot: KpiResult, live: KpiResult | undefined): KpiResult {
  if (!live?.available) return snapshot;
  if (!figuresDiffer(snapshot, live)) return { ...snapshot, liveDiffers: false };
  const { value, numerator, denominator, status, asOf } = live;
  return { ...snapshot, liveDiffers: true, live: { value, numerator, denominator, status, parts: live.parts.map((p) => ({ name: p.name, numerator: p.numerator })), asOf } };
}

function trendOf(current: KpiResult, previous: KpiResult | undefined, previousKey: string): KpiTrend {
  const prev = previous?.available ? previous.value : null;
  const delta = current.value !== null && prev !== null ? current.value - prev : null;
  const direction = delta === null ? null : Math.abs(delta) < 1e-9 ? 'flat' : delta > 0 ? 'up' : 'down';
  const lowerIsBetter = current.target.kind === 'max_share';
  const improving = direction === null || direction === 'flat' ? null : (direction === 'down') === lowerIsBetter;
  return { previousPeriod: previousKey, previousValue: prev, delta, direction, improving };
}

async function readSnapshots(db: Db, municipalityIds: number[], period: string): Promise<Map<string, SnapshotRow>> {
  if (municipalityIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('kpi_snapshot')
    .select(['municipality_id', 'kpi', 'value', 'numerator', 'denominator', 'status', 'details', 'computed_at', 'recomputed'])
    .where('municipality_id', 'in', municipalityIds)
    .where('period', '=', period)
    .execute();
  return new Map(rows.map((r) => [`${r.municipality_id}:${r.kpi}`, r]));
}

/**
 * The indicators of one period for several municipalities, without trends: an ended period's
 * snapshots where taken, the rest measured live, one grouped query per indicator; with
 * `compareLive` the snapshots' municipalities are measured too and each snapshot says whether the
 * data now differ.
 */
async function periodResults(
  db: Db,
  municipalities: Municipality[],
  requested: RequestedPeriod,
  indicators: readonly Indicator[],
  now: Date,
  useSnapshots: boolean,
  missing: Set<string>,
  compareLive = false,
): Promise<Map<number, KpiResult[]>> {
  const ended = municipalities.filter((m) => now.getTime() >= indicatorWindow(INDICATORS[0]!, requested, m.timeZone).measured.to.getTime()).map((m) => m.id);
  const snapshots = useSnapshots ? await readSnapshots(db, ended, requested.key) : new Map<string, SnapshotRow>();
  const results = new Map<number, KpiResult[]>(municipalities.map((m) => [m.id, []]));
  for (const indicator of indicators) {
    const live = compareLive ? municipalities : municipalities.filter((m) => !snapshots.has(`${m.id}:${indicator.number}`));
    const measured = live.length > 0 ? await measureIndicators(db, live, indicator, requested, now, missing) : new Map<number, KpiResult>();
    for (const municipality of municipalities) {
      const snapshot = snapshots.get(`${municipality.id}:${indicator.number}`);
      if (!snapshot) {
        results.get(municipality.id)!.push(measured.get(municipality.id)!);
        continue;
      }
      const w = indicatorWindow(indicator, requested, municipality.timeZone);
      const frozen = fromSnapshot(
        {
          ...heading(indicator, requested, w),
          asOf: w.measured.to,
          final: now >= w.judgedTo,
          value: null,
          numerator: 0,
          denominator: null,
          target: w.target,
          status: null,
          projection: null,
          parts: [],
          violations: [],
          details: {},
          trend: null,
          fromSnapshot: true,
          snapshotAt: null,
          snapshotRecomputed: false,
          liveDiffers: null,
          live: null,
          available: true,
        },
        snapshot,
      );
      results.get(municipality.id)!.push(compareLive ? compared(frozen, measured.get(municipality.id)) : frozen);
    }
  }
  return results;
}

/** The indicators of several municipalities for `period`, with trends unless asked not to. */
export async function computeMany(db: Db, municipalities: Municipality[], period: string, now: Date, options: ComputeOptions): Promise<Map<number, KpiResult[]>> {
  const requested = parseKpiPeriod(period);
  for (const m of municipalities) requireStarted(requested, m.timeZone, now);
  const indicators = options.kpis ? options.kpis.map(indicatorByNumber) : INDICATORS;
  const useSnapshots = options.useSnapshots ?? true;
  const missing = options.missing ?? (await missingTables(db));
  const current = await periodResults(db, municipalities, requested, indicators, now, useSnapshots, missing, options.compareLive ?? false);
  if (options.trend === false) return current;
  const previousKey = previousPeriodKey(requested);
  const previous = await periodResults(db, municipalities, parseKpiPeriod(previousKey), indicators, now, useSnapshots, missing);
  return new Map([...current].map(([id, results]) => [id, results.map((r, i) => ({ ...r, trend: trendOf(r, previous.get(id)![i], previousKey) }))]));
}

/**
 * All (or some) indicators of a municipality for `period` ('2026-11' or '2026'), each with its
 * trend against the previous period (its snapshot when taken, else computed). Every query is a
 * range over the period's own rows (see the migration's indexes), in no transaction of its own.
 */
export async function computeKpis(db: Db, municipalityOrId: Municipality | number, period: string, now: Date, options: ComputeOptions = {}): Promise<KpiResult[]> {
  parseKpiPeriod(period);
  const municipality = typeof municipalityOrId === 'number' ? await getMunicipality(db, municipalityOrId) : municipalityOrId;
  return (await computeMany(db, [municipality], period, now, options)).get(municipality.id)!;
}

export interface RegionRow {
  municipalityId: number;
  nameRu: string;
  nameEn: string;
  indicators: KpiResult[];
  counts: Record<KpiStatus, number>;
  /** (2 × met + on_track) / (2 × judged indicators) × 100, two decimals. */
  score: number;
  rank: number;
}

/**
 * Every municipality's indicators for one period side by side, ranked by score: 2 points per
 * indicator met, 1 per indicator on track, none at risk or missed, over twice the number of
 * indicators that could be judged (a module not installed is left out), as a percentage. An
 * equal score is an equal rank (1, 2, 2, 4); listed among equals by more indicators met, then the name.
 */
export async function computeRegion(db: Db, period: string, now: Date, options: ComputeOptions = {}): Promise<RegionRow[]> {
  parseKpiPeriod(period);
  const municipalities = await listMunicipalities(db);
  const all = await computeMany(db, municipalities, period, now, options);
  const rows: Omit<RegionRow, 'rank'>[] = municipalities.map((municipality) => {
    const indicators = all.get(municipality.id)!;
    const counts: Record<KpiStatus, number> = { met: 0, on_track: 0, at_risk: 0, missed: 0 };
    let judged = 0;
    for (const r of indicators) {
      if (r.status === null) continue;
      counts[r.status]++;
      judged++;
    }
    const score = judged === 0 ? 0 : Math.round(((2 * counts.met + counts.on_track) / (2 * judged)) * 10_000) / 100;
    return { municipalityId: municipality.id, nameRu: municipality.nameRu, nameEn: municipality.nameEn, indicators, counts, score };
  });
  rows.sort((a, b) => b.score - a.score || b.counts.met - a.counts.met || a.nameRu.localeCompare(b.nameRu, 'ru'));
  return competitionRanks(rows);
}
