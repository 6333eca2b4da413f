import { createRoute, z } from '@hono/zod-openapi';
import { createSector } from '../../../../core/categories/category.admin.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { SectorSchema, sectorDto } from '../../schemas/directory.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({
  code: z
    .string()
    .regex(/^[a-z0-9_]+$/, 'lower case letters, digits and _')
    .max(32),
  titleRu: z.string().trim().min(1).max(200),
  titleEn: z.string().trim().min(1).max(200),
  position: z.number().int().min(0).max(10_000).optional(),
});

export const route = createRoute({
  method: 'post',
  operationId: 'createSector',
  path: '/sectors',
  tags: ['directories'],
  summary: 'Add a sector block (seed 002 §3.1); give it at least three categories',
  ...access('directories.write'),
  request: { body: jsonBody(Body) },
  responses: { 201: jsonContent(SectorSchema, 'The new sector'), ...problems(400, 409) },
});

export function registerCreateSector(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const sector = await audited(c, deps, async ({ trx }) => {
      const result = await createSector(trx, body);
      return { result, audit: { action: 'sector.create', entity: 'sector', entityId: result.id, municipalityId: null, data: { code: result.code } } };
    });
    return c.json(sectorDto(sector), 201);
  });
}
