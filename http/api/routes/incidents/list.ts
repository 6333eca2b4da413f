import { createRoute } from '@hono/zod-openapi';
import { scopeOf } from '../../../../core/access/scope.ts';
import { listIncidents } from '../../../../core/incidents/incidents.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { jsonContent, pageOf, problems } from '../../schemas/common.ts';
import { IncidentListQuery, IncidentWithPhotosSchema, withPhotoCopies } from '../../schemas/incidents.ts';

export const route = createRoute({
  method: 'get',
  operationId: 'listIncidents',
  path: '/incidents',
  tags: ['incidents'],
  summary: 'The triage queue of open-source items (public posts found on VK walls, monitored pages and integrations)',
  description:
    "Newest first. A key sees its municipality's items and the region's shared queue (items whose municipality is not known yet). Each item carries `photoCopies` as GET /incidents/{id} does (read for the whole page at once).",
  ...access('incidents.triage'),
  request: { query: IncidentListQuery },
  responses: { 200: jsonContent(pageOf(IncidentWithPhotosSchema, 'IncidentPage'), 'A page of items'), ...problems(400, 404) },
});

export function registerListIncidents(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const query = c.req.valid('query');
    const page = await listIncidents(deps.db, scopeOf(c.get('principal')), query);
    return c.json({ items: await withPhotoCopies(deps.db, page.items), nextCursor: page.nextCursor }, 200);
  });
}
