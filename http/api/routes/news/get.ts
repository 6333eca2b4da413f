import { createRoute } from '@hono/zod-openapi';
import { scopeOf } from '../../../../core/access/scope.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { NewsSchema, newsDto } from '../../schemas/news.ts';
import { newsInScope } from './scope.ts';

export const route = createRoute({
  method: 'get',
  operationId: 'getNews',
  path: '/news/{id}',
  tags: ['news'],
  summary: 'One news item',
  ...access('news.read'),
  request: { params: IdParams },
  responses: { 200: jsonContent(NewsSchema, 'The item'), ...problems(400, 404) },
});

export function registerGetNews(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(newsDto(await newsInScope(deps.db, scopeOf(c.get('principal')), id)), 200);
  });
}
