import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { listStaffGroups } from '../../../../core/kpi/groups.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonContent, problems } from '../../schemas/common.ts';
import { StaffGroupSchema } from '../../schemas/kpi.ts';

export const route = createRoute({
  method: 'get',
  operationId: 'listKpiGroups',
  path: '/kpi-groups',
  tags: ['directories'],
  summary: 'Groups of officials responsible for KPI indicators, with members and indicators',
  ...access('directories.read'),
  request: { query: z.strictObject({ municipalityId: Id.optional() }) },
  responses: { 200: jsonContent(z.object({ items: z.array(StaffGroupSchema) }), 'The groups'), ...problems(400, 404) },
});

export function registerListKpiGroups(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const id = listMunicipality(scopeOf(c.get('principal')), c.req.valid('query').municipalityId);
    return c.json({ items: await listStaffGroups(deps.db, id) }, 200);
  });
}
