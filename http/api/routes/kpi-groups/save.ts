import { createRoute, z } from '@hono/zod-openapi';
import { municipalityInScope } from '../../../../core/access/scope.ts';
import { listStaffGroups, saveStaffGroup } from '../../../../core/kpi/groups.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BodyId, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { StaffGroupSchema } from '../../schemas/kpi.ts';
import { audited, editAudit } from '../../write.ts';

const Body = z.strictObject({
  id: BodyId.optional().openapi({ description: 'an existing group to replace; omit to create one' }),
  municipalityId: BodyId,
  name: z.string().min(1).max(200).openapi({ example: 'Рабочая группа по внедрению «Кузбасс Онлайн»' }),
  staffIds: z.array(BodyId).max(500),
  kpis: z.array(z.number().int().min(1).max(16)).max(16).openapi({ description: 'indicators the group answers for (its members get their alerts)' }),
});

export const route = createRoute({
  method: 'post',
  operationId: 'saveKpiGroup',
  path: '/kpi-groups',
  tags: ['directories'],
  summary: "Create or replace a group of officials responsible for KPI indicators (seed 000's working group)",
  ...access('municipality.team.write'),
  request: { body: jsonBody(Body) },
  responses: { 200: jsonContent(StaffGroupSchema, 'The group'), ...problems(400, 404, 409) },
});

export function registerSaveKpiGroup(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const group = await audited(c, deps, async ({ trx, now, scope }) => {
      await municipalityInScope(trx, scope, body.municipalityId);
      const before = body.id === undefined ? undefined : (await listStaffGroups(trx, body.municipalityId)).find((g) => g.id === body.id);
      const result = await saveStaffGroup(trx, body, now);
      const audit = {
        action: body.id ? 'kpi_group.update' : 'kpi_group.create',
        entity: 'staff_group',
        entityId: result.id,
        municipalityId: body.municipalityId,
        data: { staffIds: result.staffIds, kpis: result.kpis },
      };
      // A group saved again as it is changes nothing: no entry.
      return { result, audit: before ? editAudit(before, result, () => audit) : audit };
    });
    return c.json(group, 200);
  });
}
