import { createRoute, z } from '@hono/zod-openapi';
import { municipalityInScope } from '../../../../core/access/scope.ts';
import { recomputePeriod } from '../../../../core/kpi/snapshots.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BodyId, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { KpiPeriodQuery, KpiResultSchema, kpiResultDto } from '../../schemas/kpi.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({ municipalityId: BodyId, period: KpiPeriodQuery });

export const route = createRoute({
  method: 'post',
  operationId: 'recomputeKpi',
  path: '/kpi/recompute',
  tags: ['kpi'],
  summary: 'Recompute the snapshot of an ended period from the current data (audited, with the old and new values)',
  description:
    "Replaces the period's 16 KPI snapshots and the snapshot of its monthly report, open-source summary and rankings' measures (GET /reports/monthly, GET /reports/open-sources, GET /ratings/…) " +
    "with what the data give now; the audit keeps the KPI values and the municipality's rating measures before and after.",
  ...access('kpi.recompute'),
  request: { body: jsonBody(Body) },
  responses: { 200: jsonContent(z.object({ items: z.array(KpiResultSchema) }), 'The new snapshot'), ...problems(400, 404) },
});

export function registerRecomputeKpi(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const items = await audited(c, deps, async ({ trx, now, scope }) => {
      await municipalityInScope(trx, scope, body.municipalityId);
      const before = await trx
        .selectFrom('kpi_snapshot')
        .select(['kpi', 'value', 'status'])
        .where('municipality_id', '=', body.municipalityId)
        .where('period', '=', body.period)
        .orderBy('kpi')
        .execute();
      // The report's and the rankings' snapshot is replaced too: the municipality's raw rating measures before and after are audited with the KPIs.
      const rating = () =>
        trx
          .selectFrom('kpi_report_snapshot')
          .select('municipality_rating')
          .where('municipality_id', '=', body.municipalityId)
          .where('period', '=', body.period)
          .executeTakeFirst()
          .then((r) => r?.municipality_rating ?? null);
      const ratingBefore = await rating();
      const result = await recomputePeriod(trx, body.municipalityId, body.period, now);
      return {
        result,
        audit: {
          action: 'kpi.recompute',
          entity: 'kpi_snapshot',
          entityId: null,
          municipalityId: body.municipalityId,
          data: {
            period: body.period,
            before,
            after: result.map((r) => ({ kpi: r.kpi, value: r.value, status: r.status })),
            rating: { before: ratingBefore, after: await rating() },
          },
        },
      };
    });
    return c.json({ items: items.map(kpiResultDto) }, 200);
  });
}
