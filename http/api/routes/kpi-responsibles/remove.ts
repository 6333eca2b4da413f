import { createRoute } from '@hono/zod-openapi';
import { requireMunicipality } from '../../../../core/access/scope.ts';
import { getKpiResponsible, removeKpiResponsible } from '../../../../core/kpi/kpi-responsible.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, problems } from '../../schemas/common.ts';
import { audited } from '../../write.ts';

export const route = createRoute({
  method: 'delete',
  operationId: 'removeKpiResponsible',
  path: '/kpi-responsibles/{id}',
  tags: ['directories'],
  summary: 'Remove a KPI responsible assignment',
  ...access('municipality.team.write'),
  request: { params: IdParams },
  responses: { 204: { description: 'Removed' }, ...problems(400, 404) },
});

export function registerRemoveKpiResponsible(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    await audited(c, deps, async ({ trx, scope }) => {
      const assignment = await getKpiResponsible(trx, id);
      requireMunicipality(scope, assignment.municipalityId, 'KPI_RESPONSIBLE_NOT_FOUND', id);
      await removeKpiResponsible(trx, id);
      return { result: null, audit: { action: 'kpi_responsible.remove', entity: 'kpi_responsible', entityId: id, municipalityId: assignment.municipalityId, data: { kpi: assignment.kpi, staffId: assignment.staffId } } };
    });
    return c.body(null, 204);
  });
}
