import type { Db } from '../db/types.ts';
import type { OpenSourceMeasures } from './report.ts';

/**
 * Where the figures of a monthly report or of a ranking's row come from, in the words of the KPI
 * results (KpiResult): an ended period's snapshot (`kpi_report_snapshot`, frozen with its indicators by
 * the kpi-snapshots job, replaced by POST /kpi/recompute), or measured live (the running period, an
 * ended one without a snapshot).
 */
export interface FigureSource {
  fromSnapshot: boolean;
  /** When the snapshot was taken or last recomputed (ISO 8601); null when measured live. */
  snapshotAt: string | null;
  snapshotRecomputed: boolean;
  /** A snapshot: whether the data now give other figures; null when measured live. */
  liveDiffers: boolean | null;
}

export const MEASURED_LIVE: FigureSource = { fromSnapshot: false, snapshotAt: null, snapshotRecomputed: false, liveDiffers: null };

export interface ReportSnapshotRow {
  municipality_id: number;
  report: Record<string, unknown> | null;
  municipality_rating: Record<string, unknown>;
  executor_ratings: Record<string, unknown>[];
  computed_at: Date;
  recomputed: boolean;
}

/** The snapshots of `period` of those of `municipalityIds` that have one, by municipality. */
export async function readReportSnapshots(db: Db, municipalityIds: number[], period: string): Promise<Map<number, ReportSnapshotRow>> {
  if (municipalityIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('kpi_report_snapshot')
    .select(['municipality_id', 'report', 'municipality_rating', 'executor_ratings', 'computed_at', 'recomputed'])
    .where('municipality_id', 'in', municipalityIds)
    .where('period', '=', period)
    .execute();
  return new Map(rows.map((r) => [r.municipality_id, r]));
}

export interface OpenSourceSnapshotRow {
  municipality_id: number;
  measures: OpenSourceMeasures;
  computed_at: Date;
  recomputed: boolean;
}

/** The open-source measures frozen for the month `period` of those of `municipalityIds` that have them, by municipality. */
export async function readOpenSourceSnapshots(db: Db, municipalityIds: number[], period: string): Promise<Map<number, OpenSourceSnapshotRow>> {
  if (municipalityIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('kpi_open_source_snapshot')
    .select(['municipality_id', 'measures', 'computed_at', 'recomputed'])
    .where('municipality_id', 'in', municipalityIds)
    .where('period', '=', period)
    .execute();
  return new Map(rows.map((r) => [r.municipality_id, r]));
}

/** A snapshot's source, `liveDiffers` as compared by the caller. */
export const snapshotSource = (s: { computed_at: Date; recomputed: boolean }, liveDiffers: boolean | null): FigureSource => ({
  fromSnapshot: true,
  snapshotAt: s.computed_at.toISOString(),
  snapshotRecomputed: s.recomputed,
  liveDiffers,
});

/**
 * Figures compared as JSON text: a snapshot comes back from its `json` column with its keys in the
 * order written, and a −0 a rounding made now is the 0 it was stored as.
 */
export const sameFigures = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
