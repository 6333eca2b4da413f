import { createRoute, z } from '@hono/zod-openapi';
import { updateCategory } from '../../../../core/categories/category.admin.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { CategorySchema, categoryDto } from '../../schemas/directory.ts';
import { audited, changedPart, editAudit } from '../../write.ts';

const Body = z.strictObject({
  titleRu: z.string().trim().min(1).max(200).optional(),
  titleEn: z.string().trim().min(1).max(200).optional(),
  position: z.number().int().min(0).max(10_000).optional(),
  active: z.boolean().optional().openapi({ description: 'false retires it from filing; messages keep it' }),
});

export const route = createRoute({
  method: 'patch',
  operationId: 'updateCategory',
  path: '/categories/{id}',
  tags: ['directories'],
  summary: 'Rename, reorder or retire a category',
  ...access('directories.write'),
  request: { params: IdParams, body: jsonBody(Body) },
  responses: { 200: jsonContent(CategorySchema, 'The category'), ...problems(400, 404, 409) },
});

export function registerUpdateCategory(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const patch = c.req.valid('json');
    const category = await audited(c, deps, async ({ trx }) => {
      // The stored fields a patch names (position is not part of a category as the API gives it).
      const before = await trx.selectFrom('category').select(['title_ru as titleRu', 'title_en as titleEn', 'position', 'active']).where('id', '=', id).executeTakeFirst();
      const result = await updateCategory(trx, id, patch);
      return { result, audit: editAudit(before ?? {}, patch, (fields) => ({ action: 'category.update', entity: 'category', entityId: id, municipalityId: null, data: changedPart(patch, fields) })) };
    });
    return c.json(categoryDto(category), 200);
  });
}
