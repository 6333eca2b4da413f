import { createRoute, z } from '@hono/zod-openapi';
import { municipalityInScope } from '../../../../core/access/scope.ts';
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
  summary: 'Name an official of the municipality responsible for a KPI indicator (idempotent: 201 the first time, 200 with the same assignment after)',
  ...access('municipality.team.write'),
  request: { body: jsonBody(Body) },
  responses: { 201: jsonContent(KpiResponsibleSchema, 'The assignment'), 200: jsonContent(KpiResponsibleSchema, 'The assignment made before'), ...problems(400, 404) },
});

export function registerAssignKpiResponsible(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const { assignment, created } = await audited(c, deps, async ({ trx, now, scope }) => {
      await municipalityInScope(trx, scope, body.municipalityId);
      const result = await assignKpiResponsible(trx, body, now);
      const audit = { action: 'kpi_responsible.assign', entity: 'kpi_responsible', entityId: result.assignment.id, municipalityId: body.municipalityId, data: { kpi: body.kpi, staffId: body.staffId } };
      // Naming the same official again changes nothing: the assignment as it is, no audit entry.
      return { result, audit: result.created ? audit : null };
    });
    return created ? c.json(kpiResponsibleDto(assignment), 201) : c.json(kpiResponsibleDto(assignment), 200);
  });
}
