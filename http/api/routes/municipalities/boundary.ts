import { createRoute } from '@hono/zod-openapi';
import { getMunicipality, setBoundary } from '../../../../core/municipalities/municipality.repository.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { BoundarySchema, MunicipalitySchema, municipalityDto } from '../../schemas/directory.ts';
import { audited, editAudit } from '../../write.ts';

export const route = createRoute({
  method: 'put',
  operationId: 'setMunicipalityBoundary',
  path: '/municipalities/{id}/boundary',
  tags: ['directories'],
  summary: 'Upload a municipality\'s boundary (GeoJSON Polygon or MultiPolygon, up to 4 MiB)',
  description:
    'Validated (closed rings, [lon, lat] in range); messages are placed into municipalities by this boundary. ' +
    "A boundary sharing area with another municipality's is 409 BOUNDARY_OVERLAP naming it in `details` (a shared border is fine, also when the two copies of it lie up to a metre apart). " +
    'The comparison runs off the event loop; one taking longer than BOUNDARY_CHECK_TIMEOUT_MS (default 20 s; about 13 s near the 4 MiB limit) is 422 BOUNDARY_CHECK_TIMEOUT, nothing saved.',
  ...access('directories.write'),
  request: { params: IdParams, body: jsonBody(BoundarySchema) },
  responses: { 200: jsonContent(MunicipalitySchema, 'The municipality'), ...problems(400, 404, 409, 413, 422) },
});

export function registerSetMunicipalityBoundary(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const boundary = c.req.valid('json');
    const municipality = await audited(c, deps, async ({ trx }) => {
      const before = await trx.selectFrom('municipality').select('boundary').where('id', '=', id).executeTakeFirst();
      await setBoundary(trx, deps.overlapChecker, id, boundary);
      const result = await getMunicipality(trx, id);
      // The same boundary uploaded again changes nothing: no entry.
      const audit = editAudit({ boundary: before?.boundary ?? null }, { boundary: result.boundary }, () => ({
        action: 'municipality.set_boundary',
        entity: 'municipality',
        entityId: id,
        municipalityId: id,
        data: { type: boundary.type },
      }));
      return { result, audit };
    });
    return c.json(municipalityDto(municipality), 200);
  });
}
