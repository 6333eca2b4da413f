import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { OpenSourceMeasures } from './report.ts';

/** The values of one indicator for one closed period of one municipality, frozen when it closed. */
export interface KpiSnapshotTable {
  municipality_id: number;
  kpi: number;
  /** 'YYYY-MM' for a monthly indicator, 'YYYY' for a yearly one. */
  period: string;
  value: number | null;
  numerator: number;
  denominator: number | null;
  status: 'met' | 'on_track' | 'at_risk' | 'missed';
  details: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  computed_at: Date;
  /** Replaced by an (audited) recomputation after the period closed. */
  recomputed: Generated<boolean>;
}

/**
 * What the monthly report and the rankings measured for one closed period of one municipality, frozen
 * with its indicators (migration 2026-12-13T0100): the report's figures (months only) and the raw
 * rating measures of the municipality and of each of its executors. JSON as written by
 * core/kpi/report-snapshots.ts.
 */
export interface KpiReportSnapshotTable {
  municipality_id: number;
  period: string;
  report: JSONColumnType<Record<string, unknown> | null, string | null, string | null>;
  municipality_rating: JSONColumnType<Record<string, unknown>, string, string>;
  executor_ratings: JSONColumnType<Record<string, unknown>[], string, string>;
  computed_at: Date;
  recomputed: Generated<boolean>;
}

/** What the region's open-source summary of an ended month is summed from, per municipality (migration 2026-12-14T0200). */
export interface KpiOpenSourceSnapshotTable {
  municipality_id: number;
  period: string;
  measures: JSONColumnType<OpenSourceMeasures, string, string>;
  computed_at: Date;
  recomputed: Generated<boolean>;
}

/** KPI 14: one unit of outdoor advertising of the platform, entered by an official. */
export interface KpiPlacementTable {
  id: Generated<number>;
  municipality_id: number;
  address: string;
  /** Local dates 'YYYY-MM-DD' (both inclusive). */
  starts_on: ColumnType<string, string, string>;
  ends_on: ColumnType<string, string, string>;
  media_id: number | null;
  created_by: number | null;
  created_at: Date;
}

/** KPI 16: one publication about the platform in the media or on an official page. */
export interface KpiPublicationTable {
  id: Generated<number>;
  municipality_id: number;
  /** The page's URL as given (what officials open). */
  url: string;
  /** Its canonical spelling (core/incidents/url.ts), unique per municipality: the same page again is a repeat. */
  canonical_url: string;
  outlet: string;
  published_on: ColumnType<string, string, string>;
  created_by: number | null;
  created_at: Date;
}

/** A named group of officials (e.g. «рабочая группа») that can be responsible for an indicator. */
export interface StaffGroupTable {
  id: Generated<number>;
  municipality_id: number;
  name: string;
  created_at: Date;
}

export interface StaffGroupMemberTable {
  group_id: number;
  staff_id: number;
}

export interface KpiResponsibleGroupTable {
  id: Generated<number>;
  municipality_id: number;
  kpi: number;
  group_id: number;
  created_at: Date;
}

export interface KpiEngineTables {
  kpi_snapshot: KpiSnapshotTable;
  kpi_report_snapshot: KpiReportSnapshotTable;
  kpi_open_source_snapshot: KpiOpenSourceSnapshotTable;
  kpi_placement: KpiPlacementTable;
  kpi_publication: KpiPublicationTable;
  staff_group: StaffGroupTable;
  staff_group_member: StaffGroupMemberTable;
  kpi_responsible_group: KpiResponsibleGroupTable;
}
