import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { idCursor, pageSize, toPage } from '../../../../core/db/pagination.ts';
import { listNews } from '../../../../core/news/news.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonContent, PageQuery, pageOf, problems } from '../../schemas/common.ts';
import { NewsSchema, newsDto } from '../../schemas/news.ts';

const Query = z.strictObject({
  municipalityId: Id.optional(),
  state: z.enum(['draft', 'scheduled', 'published', 'archived']).optional(),
  pollId: Id.optional().openapi({ description: 'items reporting a decision on this poll' }),
  ...PageQuery,
});

export const route = createRoute({
  method: 'get',
  operationId: 'listNews',
  path: '/news',
  tags: ['news'],
  summary: 'News items, newest first (archived ones included: they are kept for reports)',
  description: "A municipality's key sees its municipality's items; operators every item, regional ones included.",
  ...access('news.read'),
  request: { query: Query },
  responses: { 200: jsonContent(pageOf(NewsSchema, 'NewsPage'), 'A page of items'), ...problems(400, 404) },
});

export function registerListNews(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId, state, pollId, cursor, limit } = c.req.valid('query');
    const municipality = listMunicipality(scopeOf(c.get('principal')), municipalityId);
    const size = pageSize(limit);
    const rows = await listNews(deps.db, { municipalityIds: municipality === null ? undefined : [municipality], state, pollId, beforeId: idCursor(cursor), limit: size + 1 });
    return c.json(
      toPage(rows, size, newsDto, (n) => ({ v: null, id: n.id })),
      200,
    );
  });
}
