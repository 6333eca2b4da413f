import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { listPlacements } from '../../../../core/kpi/entries.service.ts';
import { DomainError } from '../../../../core/errors.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonContent, problems } from '../../schemas/common.ts';
import { PlacementSchema, placementDto } from '../../schemas/kpi.ts';

export const route = createRoute({
  method: 'get',
  operationId: 'listKpiPlacements',
  path: '/kpi/placements',
  tags: ['kpi'],
  summary: "The municipality's outdoor advertising units (KPI 14), latest first (at most 500)",
  ...access('kpi.read'),
  request: { query: z.strictObject({ municipalityId: Id.optional().openapi({ description: 'required for operators' }) }) },
  responses: { 200: jsonContent(z.object({ items: z.array(PlacementSchema) }), 'The entries'), ...problems(400, 404) },
});

export function registerListKpiPlacements(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const id = listMunicipality(scopeOf(c.get('principal')), c.req.valid('query').municipalityId);
    if (id === null) throw new DomainError('VALIDATION', { field: 'municipalityId', problem: 'required' });
    return c.json({ items: (await listPlacements(deps.db, id)).map(placementDto) }, 200);
  });
}
