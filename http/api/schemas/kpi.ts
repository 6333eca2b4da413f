import { z } from '@hono/zod-openapi';
import type { KpiResult } from '../../../core/kpi/engine.ts';
import type { Placement, Publication } from '../../../core/kpi/entries.service.ts';
import { Timestamp } from './common.ts';
import { KPI_PERIOD_PATTERN } from '../../../core/kpi/period.ts';

export const KpiPeriodQuery = z.string().regex(KPI_PERIOD_PATTERN, 'expected YYYY-MM or YYYY').openapi({
  description: "a local month (YYYY-MM) or year (YYYY) of the municipality's time zone; the running one is answered as of now, one not begun yet is 422 PERIOD_NOT_STARTED",
  example: '2026-11',
});

export const KpiStatusSchema = z.enum(['met', 'on_track', 'at_risk', 'missed']);

export const KpiTargetSchema = z
  .object({ kind: z.enum(['min_count', 'min_share', 'max_share', 'range']), min: z.number().optional(), max: z.number().optional() })
  .openapi('KpiTarget', { description: 'min_count / range: counts per period; min_share / max_share: fractions (0.45 = 45 %)' });

export const KpiResultSchema = z
  .object({
    kpi: z.number().int(),
    nameRu: z.string(),
    nameEn: z.string(),
    periodKind: z.enum(['month', 'year']),
    period: z.string(),
    ownPeriod: z.string().openapi({ description: "the indicator's own period its status refers to (a yearly indicator asked for a month: the year to date)" }),
    from: z.string(),
    to: z.string(),
    asOf: z.string(),
    final: z.boolean().openapi({ description: "the indicator's own period has ended: the status is met or missed" }),
    value: z.number().nullable(),
    numerator: z.number(),
    denominator: z.number().nullable(),
    target: KpiTargetSchema,
    status: KpiStatusSchema.nullable().openapi({ description: 'null when the data source is not installed (available false)' }),
    projection: z.number().nullable(),
    parts: z.array(z.object({ name: z.string(), numerator: z.number(), target: KpiTargetSchema, status: KpiStatusSchema })),
    violations: z.array(z.record(z.string(), z.unknown())),
    details: z.record(z.string(), z.unknown()),
    trend: z
      .object({
        previousPeriod: z.string(),
        previousValue: z.number().nullable(),
        delta: z.number().nullable(),
        direction: z.enum(['up', 'down', 'flat']).nullable(),
        improving: z.boolean().nullable(),
      })
      .nullable(),
    fromSnapshot: z.boolean().openapi({
      description: 'read from the snapshot frozen when the period ended: the official figure of an ended period; false for the running period and an ended one without a snapshot (measured live)',
    }),
    snapshotAt: z.string().nullable().openapi({ description: 'when the snapshot was taken or last recomputed (null when measured live)' }),
    snapshotRecomputed: z.boolean().openapi({ description: 'the snapshot was replaced by POST /kpi/recompute' }),
    liveDiffers: z.boolean().nullable().openapi({
      description: 'a snapshot: whether the data now give another figure (a message reopened, a late entry); POST /kpi/recompute makes that the snapshot. Null when measured live',
    }),
    live: z
      .object({
        value: z.number().nullable(),
        numerator: z.number(),
        denominator: z.number().nullable(),
        status: KpiStatusSchema.nullable(),
        parts: z.array(z.object({ name: z.string(), numerator: z.number() })),
        asOf: z.string(),
      })
      .nullable()
      .openapi({ description: 'the figure the data give now, when liveDiffers' }),
    available: z.boolean(),
  })
  .openapi('KpiResult');

/**
 * Where the figures of an ended period come from, in the words of GET /kpi's results: shared by the
 * monthly report and the rankings' rows.
 */
export const FigureSourceFields = {
  fromSnapshot: z.boolean().openapi({
    description:
      'read from the snapshot frozen when the period ended (with its KPI, by the kpi-snapshots job): the official figures; false for the running period and an ended one without a snapshot (measured live)',
  }),
  snapshotAt: z.string().nullable().openapi({ description: 'when the snapshot was taken or last recomputed by POST /kpi/recompute (null when measured live)' }),
  snapshotRecomputed: z.boolean().openapi({ description: 'the snapshot was replaced by POST /kpi/recompute' }),
  liveDiffers: z.boolean().nullable().openapi({
    description: 'a snapshot: whether the data now give other figures (a message reopened after the month ended); POST /kpi/recompute makes them the snapshot. Null when measured live',
  }),
};

export function kpiResultDto(r: KpiResult) {
  return {
    ...r,
    from: r.from.toISOString(),
    to: r.to.toISOString(),
    asOf: r.asOf.toISOString(),
    snapshotAt: r.snapshotAt?.toISOString() ?? null,
    live: r.live ? { ...r.live, asOf: r.live.asOf.toISOString() } : null,
  };
}

export const PlacementSchema = z
  .object({ id: z.number().int(), municipalityId: z.number().int(), address: z.string(), startsOn: z.string(), endsOn: z.string(), mediaId: z.number().int().nullable(), createdAt: Timestamp })
  .openapi('KpiPlacement');

export const placementDto = (p: Placement) => ({ ...p, createdAt: p.createdAt.toISOString() });

export const PublicationSchema = z
  .object({ id: z.number().int(), municipalityId: z.number().int(), url: z.string(), outlet: z.string(), publishedOn: z.string(), createdAt: Timestamp })
  .openapi('KpiPublication');

export const publicationDto = (p: Publication) => ({ ...p, createdAt: p.createdAt.toISOString() });

export const StaffGroupSchema = z
  .object({ id: z.number().int(), municipalityId: z.number().int(), name: z.string(), staffIds: z.array(z.number().int()), kpis: z.array(z.number().int()) })
  .openapi('KpiGroup');
