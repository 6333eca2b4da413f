import { createRoute, z } from '@hono/zod-openapi';
import { archiveNews } from '../../../../core/news/news.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { NewsSchema, newsDto } from '../../schemas/news.ts';
import { audited } from '../../write.ts';
import { newsInScope } from './scope.ts';

const Body = z.strictObject({});

export const route = createRoute({
  method: 'post',
  operationId: 'archiveNews',
  path: '/news/{id}/archive',
  tags: ['news'],
  summary: 'Archive a news item: hidden from residents, kept for reports',
  ...access('news.write'),
  request: { params: IdParams, body: { required: false, content: { 'application/json': { schema: Body } } } },
  responses: { 200: jsonContent(NewsSchema, 'The item'), ...problems(400, 404, 409) },
});

export function registerArchiveNews(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const item = await audited(c, deps, async ({ trx, scope, now }) => {
      await newsInScope(trx, scope, id);
      const archived = await archiveNews(trx, id, now);
      return { result: archived, audit: { action: 'news.archive', entity: 'news_item', entityId: id, municipalityId: archived.municipalityId } };
    });
    return c.json(newsDto(item), 200);
  });
}
