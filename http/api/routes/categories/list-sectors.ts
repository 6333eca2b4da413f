import { createRoute, z } from '@hono/zod-openapi';
import { listSectors } from '../../../../core/categories/category.repository.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { jsonContent, problems } from '../../schemas/common.ts';
import { SectorSchema, sectorDto } from '../../schemas/directory.ts';

export const route = createRoute({
  method: 'get',
  operationId: 'listSectors',
  path: '/sectors',
  tags: ['directories'],
  summary: 'Sector blocks (ЖКХ, roads, …) that group the categories',
  ...access('directories.read'),
  request: { query: z.strictObject({}) },
  responses: { 200: jsonContent(z.object({ items: z.array(SectorSchema) }), 'The sectors'), ...problems() },
});

export function registerListSectors(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => c.json({ items: (await listSectors(deps.db)).map(sectorDto) }, 200));
}
