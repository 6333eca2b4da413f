import { createRoute } from '@hono/zod-openapi';
import { scopeOf } from '../../../../core/access/scope.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { EventSchema, eventDto } from '../../schemas/news.ts';
import { eventInScope } from '../news/scope.ts';

export const route = createRoute({
  method: 'get',
  operationId: 'getEvent',
  path: '/events/{id}',
  tags: ['events'],
  summary: 'One event of «Афиша»',
  ...access('news.read'),
  request: { params: IdParams },
  responses: { 200: jsonContent(EventSchema, 'The event'), ...problems(400, 404) },
});

export function registerGetEvent(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(eventDto(await eventInScope(deps.db, scopeOf(c.get('principal')), id)), 200);
  });
}
