import { createRoute, z } from '@hono/zod-openapi';
import { updateSector } from '../../../../core/categories/category.admin.ts';
import { getSector } from '../../../../core/categories/category.repository.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { SectorSchema, sectorDto } from '../../schemas/directory.ts';
import { audited, changedPart, editAudit } from '../../write.ts';

const Body = z.strictObject({
  titleRu: z.string().trim().min(1).max(200).optional(),
  titleEn: z.string().trim().min(1).max(200).optional(),
  position: z.number().int().min(0).max(10_000).optional(),
  active: z.boolean().optional().openapi({ description: 'false retires the whole sector: its categories leave filing; messages keep them' }),
});

export const route = createRoute({
  method: 'patch',
  operationId: 'updateSector',
  path: '/sectors/{id}',
  tags: ['directories'],
  summary: 'Rename, reorder or retire a sector',
  ...access('directories.write'),
  request: { params: IdParams, body: jsonBody(Body) },
  responses: { 200: jsonContent(SectorSchema, 'The sector'), ...problems(400, 404) },
});

export function registerUpdateSector(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const patch = c.req.valid('json');
    const sector = await audited(c, deps, async ({ trx }) => {
      const before = await getSector(trx, id);
      const result = await updateSector(trx, id, patch);
      return { result, audit: editAudit(before, patch, (fields) => ({ action: 'sector.update', entity: 'sector', entityId: id, municipalityId: null, data: changedPart(patch, fields) })) };
    });
    return c.json(sectorDto(sector), 200);
  });
}
