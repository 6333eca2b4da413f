import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { computeKpis } from '../../../../core/kpi/engine.ts';
import { DomainError } from '../../../../core/errors.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonContent, problems } from '../../schemas/common.ts';
import { KpiPeriodQuery, KpiResultSchema, kpiResultDto } from '../../schemas/kpi.ts';

const Query = z.strictObject({
  municipalityId: Id.optional().openapi({ description: "required for operators; others get their own municipality's" }),
  period: KpiPeriodQuery,
});

export const route = createRoute({
  method: 'get',
  operationId: 'getKpi',
  path: '/kpi',
  tags: ['kpi'],
  summary: "The municipality's 16 KPI indicators (seed 000) for a month or a year",
  description:
    'Each with value, numerator, denominator, target, status (met, on_track, at_risk, missed), projection and the trend against the previous period. ' +
    'An ended period is read from its snapshot (frozen when it ended: the official figure, snapshotAt) when there is one; a snapshot whose data now give ' +
    'another figure (a message reopened after the month ended) says so (liveDiffers, live) and changes only by POST /kpi/recompute. ' +
    'The running period, and an ended one without a snapshot, are measured live (fromSnapshot false).',
  ...access('kpi.read'),
  request: { query: Query },
  responses: { 200: jsonContent(z.object({ municipalityId: z.number().int(), period: z.string(), items: z.array(KpiResultSchema) }), 'The indicators'), ...problems(400, 404, 422) },
});

export function registerGetKpi(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId, period } = c.req.valid('query');
    const id = listMunicipality(scopeOf(c.get('principal')), municipalityId);
    if (id === null) throw new DomainError('VALIDATION', { field: 'municipalityId', problem: 'required' });
    const items = await computeKpis(deps.db, id, period, deps.clock(), { compareLive: true });
    return c.json({ municipalityId: id, period, items: items.map(kpiResultDto) }, 200);
  });
}
