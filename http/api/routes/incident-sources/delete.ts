import { createRoute } from '@hono/zod-openapi';
import { deleteSource, getSource } from '../../../../core/incidents/settings.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, problems } from '../../schemas/common.ts';
import { audited } from '../../write.ts';

export const route = createRoute({
  method: 'delete',
  operationId: 'deleteIncidentSource',
  path: '/incident-sources/{id}',
  tags: ['incidents'],
  summary: 'Remove a monitored page',
  ...access('incidents.configure'),
  request: { params: IdParams },
  responses: { 204: { description: 'Removed' }, ...problems(400, 404) },
});

export function registerDeleteSourceIncident(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    await audited(c, deps, async ({ trx, scope }) => {
      const item = await getSource(trx, scope, id);
      await deleteSource(trx, id);
      return { result: null, audit: { action: 'incident_source.delete', entity: 'incident_source', entityId: id, municipalityId: item.municipalityId } };
    });
    return c.body(null, 204);
  });
}
