import { createRoute, z } from '@hono/zod-openapi';
import { listCategories } from '../../../../core/categories/category.repository.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, QueryBoolean, jsonContent, problems } from '../../schemas/common.ts';
import { CategorySchema, categoryDto } from '../../schemas/directory.ts';

const Query = z.strictObject({ sectorId: Id.optional(), active: QueryBoolean.optional() });

export const route = createRoute({
  method: 'get',
  operationId: 'listCategories',
  path: '/categories',
  tags: ['directories'],
  summary: 'The category directory (one for the whole region)',
  ...access('directories.read'),
  request: { query: Query },
  responses: { 200: jsonContent(z.object({ items: z.array(CategorySchema) }), 'The categories'), ...problems(400) },
});

export function registerListCategories(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { sectorId, active } = c.req.valid('query');
    const categories = await listCategories(deps.db, { sectorId });
    return c.json({ items: categories.filter((x) => active === undefined || x.active === active).map(categoryDto) }, 200);
  });
}
