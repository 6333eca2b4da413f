import { createRoute, z } from '@hono/zod-openapi';
import { requireMunicipality } from '../../../../core/access/scope.ts';
import { assignKpiResponsible } from '../../../../core/kpi/kpi-responsible.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BodyId, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { KpiResponsibleSchema, kpiResponsibleDto } from '../../schemas/directory.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({ municipalityId: BodyId, kpi: z.number().int().min(1).max(16), staffId: BodyId });

export const route = createRoute({
  method: 'post',
  operationId: 'assignKpiResponsible',
  path: '/kpi-responsibles',
  tags: ['directories'],
  summary: 'Name an official of the municipality responsible for a KPI indicator (idempotent)',
  ...access('municipality.team.write'),
  request: { body: jsonBody(Body) },
  responses: { 201: jsonContent(KpiResponsibleSchema, 'The assignment'), ...problems(400, 404) },
});

export function registerAssignKpiResponsible(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const assignment = await audited(c, deps, async ({ trx, now, scope }) => {
      requireMunicipality(scope, body.municipalityId);
      const result = await assignKpiResponsible(trx, body, now);
      return { result, audit: { action: 'kpi_responsible.assign', entity: 'kpi_responsible', entityId: result.id, municipalityId: body.municipalityId, data: { kpi: body.kpi, staffId: body.staffId } } };
    });
    return c.json(kpiResponsibleDto(assignment), 201);
  });
}
