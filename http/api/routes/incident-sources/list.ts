import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { listSources } from '../../../../core/incidents/settings.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonContent, problems } from '../../schemas/common.ts';
import { SourceSchema, sourceDto } from '../../schemas/incidents.ts';

const Query = z.strictObject({ municipalityId: Id.optional() });

export const route = createRoute({
  method: 'get',
  operationId: 'listIncidentSources',
  path: '/incident-sources',
  tags: ['incidents'],
  summary: 'Monitored public VK pages (communities) per municipality',
  ...access('incidents.configure'),
  request: { query: Query },
  responses: { 200: jsonContent(z.object({ items: z.array(SourceSchema) }), 'The list'), ...problems(400, 404) },
});

export function registerListSourcesIncident(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId } = c.req.valid('query');
    const items = await listSources(deps.db, listMunicipality(scopeOf(c.get('principal')), municipalityId));
    return c.json({ items: items.map(sourceDto) }, 200);
  });
}
