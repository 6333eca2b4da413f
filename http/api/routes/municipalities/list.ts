import { createRoute, z } from '@hono/zod-openapi';
import { scopeOf, seesMunicipality } from '../../../../core/access/scope.ts';
import { listMunicipalities } from '../../../../core/municipalities/municipality.repository.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { jsonContent, problems } from '../../schemas/common.ts';
import { MunicipalitySchema, municipalityDto } from '../../schemas/directory.ts';

export const route = createRoute({
  method: 'get',
  operationId: 'listMunicipalities',
  path: '/municipalities',
  tags: ['directories'],
  summary: 'Municipalities in the key\'s scope (boundaries omitted; see GET /municipalities/{id})',
  ...access('directories.read'),
  request: { query: z.strictObject({}) },
  responses: { 200: jsonContent(z.object({ items: z.array(MunicipalitySchema) }), 'The municipalities'), ...problems() },
});

export function registerListMunicipalities(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const scope = scopeOf(c.get('principal'));
    const all = await listMunicipalities(deps.db);
    return c.json({ items: all.filter((m) => seesMunicipality(scope, m.id)).map(municipalityDto) }, 200);
  });
}
