import { createRoute, z } from '@hono/zod-openapi';
import { updateMunicipality } from '../../../../core/municipalities/municipality.admin.ts';
import { getMunicipality } from '../../../../core/municipalities/municipality.repository.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, MAX_ID, problems } from '../../schemas/common.ts';
import { MunicipalitySchema, WorkCalendarSchema, municipalityDto } from '../../schemas/directory.ts';
import { audited, editAudit } from '../../write.ts';

const Body = z.strictObject({
  nameRu: z.string().trim().min(1).max(200).optional(),
  nameEn: z.string().trim().min(1).max(200).optional(),
  populationOver14: z.number().int().min(0).max(MAX_ID).optional(),
  answersNeedApproval: z.boolean().optional().openapi({ description: 'false: executors\' and moderators\' answers reach residents without the curator' }),
  workCalendar: WorkCalendarSchema.optional().openapi({ description: 'replaces the whole calendar' }),
});

export const route = createRoute({
  method: 'patch',
  operationId: 'updateMunicipality',
  path: '/municipalities/{id}',
  tags: ['directories'],
  summary: 'Change a municipality\'s settings: names, population, answer approval, work calendar',
  ...access('directories.write'),
  request: { params: IdParams, body: jsonBody(Body) },
  responses: { 200: jsonContent(MunicipalitySchema, 'The municipality'), ...problems(400, 404) },
});

export function registerUpdateMunicipality(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const patch = c.req.valid('json');
    const municipality = await audited(c, deps, async ({ trx }) => {
      const before = await getMunicipality(trx, id);
      const result = await updateMunicipality(trx, id, patch);
      const audit = editAudit({ ...before, workCalendar: before.calendar.config }, patch, (fields) => ({
        action: 'municipality.update',
        entity: 'municipality',
        entityId: id,
        municipalityId: id,
        data: { fields, answersNeedApproval: fields.includes('answersNeedApproval') ? patch.answersNeedApproval : undefined },
      }));
      return { result, audit };
    });
    return c.json(municipalityDto(municipality), 200);
  });
}
