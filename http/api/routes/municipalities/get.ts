import { createRoute } from '@hono/zod-openapi';
import { requireMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { getMunicipality } from '../../../../core/municipalities/municipality.repository.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { MunicipalityWithBoundarySchema, municipalityDto } from '../../schemas/directory.ts';

export const route = createRoute({
  method: 'get',
  operationId: 'getMunicipality',
  path: '/municipalities/{id}',
  tags: ['directories'],
  summary: 'One municipality with its GeoJSON boundary',
  ...access('directories.read'),
  request: { params: IdParams },
  responses: { 200: jsonContent(MunicipalityWithBoundarySchema, 'The municipality'), ...problems(400, 404) },
});

export function registerGetMunicipality(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    requireMunicipality(scopeOf(c.get('principal')), id);
    const municipality = await getMunicipality(deps.db, id);
    return c.json({ ...municipalityDto(municipality), boundary: municipality.boundary }, 200);
  });
}
