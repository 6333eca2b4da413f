import { createRoute, z } from '@hono/zod-openapi';
import { computeRegion } from '../../../../core/kpi/engine.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { jsonContent, problems } from '../../schemas/common.ts';
import { KpiPeriodQuery, KpiResultSchema, kpiResultDto } from '../../schemas/kpi.ts';

const Query = z.strictObject({ period: KpiPeriodQuery });

const RowSchema = z
  .object({
    rank: z.number().int(),
    municipalityId: z.number().int(),
    nameRu: z.string(),
    nameEn: z.string(),
    score: z.number().openapi({ description: '(2 × met + on_track) / (2 × judged indicators) × 100' }),
    counts: z.object({ met: z.number().int(), on_track: z.number().int(), at_risk: z.number().int(), missed: z.number().int() }),
    indicators: z.array(KpiResultSchema),
  })
  .openapi('KpiRegionRow');

export const route = createRoute({
  method: 'get',
  operationId: 'getRegionKpi',
  path: '/kpi/region',
  tags: ['kpi'],
  summary: "Every municipality's indicators side by side, ranked",
  description:
    'Ranking: score = (2 points per indicator met + 1 per indicator on track) / (2 × indicators judged) × 100; ties by indicators met, then name. ' +
    'As GET /kpi: an ended period from its snapshots where taken (liveDiffers when the data now differ), the running one live.',
  ...access('kpi.region'),
  request: { query: Query },
  responses: { 200: jsonContent(z.object({ period: z.string(), items: z.array(RowSchema) }), 'The ranking'), ...problems(400, 422) },
});

export function registerKpiRegion(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { period } = c.req.valid('query');
    const rows = await computeRegion(deps.db, period, deps.clock(), { compareLive: true });
    return c.json({ period, items: rows.map((r) => ({ ...r, indicators: r.indicators.map(kpiResultDto) })) }, 200);
  });
}
