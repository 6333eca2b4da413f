import { createRoute, z } from '@hono/zod-openapi';
import { getSource, updateSource } from '../../../../core/incidents/settings.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { SourceSchema, sourceDto } from '../../schemas/incidents.ts';
import { audited, editAudit } from '../../write.ts';

const Body = z.strictObject({ name: z.string().max(200).optional(), active: z.boolean().optional() }).refine((b) => b.name !== undefined || b.active !== undefined, 'name or active is required');

export const route = createRoute({
  method: 'patch',
  operationId: 'updateIncidentSource',
  path: '/incident-sources/{id}',
  tags: ['incidents'],
  summary: 'Rename a monitored page, or pause / resume its polling',
  ...access('incidents.configure'),
  request: { params: IdParams, body: jsonBody(Body) },
  responses: { 200: jsonContent(SourceSchema, 'The monitored page'), ...problems(400, 404) },
});

export function registerUpdateSourceIncident(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const source = await audited(c, deps, async ({ trx, scope }) => {
      const before = await getSource(trx, scope, id);
      const result = await updateSource(trx, id, body);
      const audit = editAudit(before, result, (fields) => ({
        action: 'incident_source.update',
        entity: 'incident_source',
        entityId: id,
        municipalityId: result.municipalityId,
        data: { ...(fields.includes('active') && { active: result.active }), renamed: fields.includes('name') },
      }));
      return { result, audit };
    });
    return c.json(sourceDto(source), 200);
  });
}
