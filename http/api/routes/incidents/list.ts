import { createRoute } from '@hono/zod-openapi';
import { scopeOf } from '../../../../core/access/scope.ts';
import { listIncidents } from '../../../../core/incidents/incidents.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { jsonContent, pageOf, problems } from '../../schemas/common.ts';
import { IncidentListQuery, IncidentSchema, incidentDto } from '../../schemas/incidents.ts';

export const route = createRoute({
  method: 'get',
  operationId: 'listIncidents',
  path: '/incidents',
  tags: ['incidents'],
  summary: 'The triage queue of open-source items (public posts found on VK walls, monitored pages and integrations)',
  description: "Newest first. A key sees its municipality's items and the region's shared queue (items whose municipality is not known yet).",
  ...access('incidents.triage'),
  request: { query: IncidentListQuery },
  responses: { 200: jsonContent(pageOf(IncidentSchema, 'IncidentPage'), 'A page of items'), ...problems(400, 404) },
});

export function registerListIncidents(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const query = c.req.valid('query');
    const page = await listIncidents(deps.db, scopeOf(c.get('principal')), query);
    return c.json({ items: page.items.map(incidentDto), nextCursor: page.nextCursor }, 200);
  });
}
