import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { listKpiResponsibles } from '../../../../core/kpi/kpi-responsible.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonContent, problems, urlInteger } from '../../schemas/common.ts';
import { KpiResponsibleSchema, kpiResponsibleDto } from '../../schemas/directory.ts';

const Query = z.strictObject({ municipalityId: Id.optional(), kpi: urlInteger(1, 16).optional() });

export const route = createRoute({
  method: 'get',
  operationId: 'listKpiResponsibles',
  path: '/kpi-responsibles',
  tags: ['directories'],
  summary: 'Responsible officials per KPI indicator (1..16, seed 000 table 2)',
  ...access('directories.read'),
  request: { query: Query },
  responses: { 200: jsonContent(z.object({ items: z.array(KpiResponsibleSchema) }), 'The assignments'), ...problems(400, 404) },
});

export function registerListKpiResponsibles(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId, kpi } = c.req.valid('query');
    const scope = scopeOf(c.get('principal'));
    const items = await listKpiResponsibles(deps.db, { municipalityId: listMunicipality(scope, municipalityId), kpi });
    return c.json({ items: items.map(kpiResponsibleDto) }, 200);
  });
}
