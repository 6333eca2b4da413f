import { createRoute, z } from '@hono/zod-openapi';
import { createCategory } from '../../../../core/categories/category.admin.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BodyId, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { CategorySchema, categoryDto } from '../../schemas/directory.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({
  sectorId: BodyId,
  code: z.string().regex(/^[a-z0-9_]+\.[a-z0-9_]+$/, 'sector.problem, lower case').max(64),
  titleRu: z.string().trim().min(1).max(200),
  titleEn: z.string().trim().min(1).max(200),
  position: z.number().int().min(0).max(10_000).optional(),
});

export const route = createRoute({
  method: 'post',
  operationId: 'createCategory',
  path: '/categories',
  tags: ['directories'],
  summary: 'Add a category (e.g. when "other within the sector" becomes a priority)',
  ...access('directories.write'),
  request: { body: jsonBody(Body) },
  responses: { 201: jsonContent(CategorySchema, 'The new category'), ...problems(400, 404, 409) },
});

export function registerCreateCategory(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const category = await audited(c, deps, async ({ trx }) => {
      const result = await createCategory(trx, body);
      return { result, audit: { action: 'category.create', entity: 'category', entityId: result.id, municipalityId: null, data: { code: result.code } } };
    });
    return c.json(categoryDto(category), 201);
  });
}
