import { createRoute, z } from '@hono/zod-openapi';
import { createMunicipality } from '../../../../core/municipalities/municipality.admin.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { jsonBody, jsonContent, MAX_ID, problems } from '../../schemas/common.ts';
import { BoundarySchema, MunicipalitySchema, municipalityDto } from '../../schemas/directory.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({
  nameRu: z.string().trim().min(1).max(200),
  nameEn: z.string().trim().min(1).max(200),
  oktmo: z.string().regex(/^\d{8}(\d{3})?$/, '8 or 11 digits'),
  populationOver14: z.number().int().min(0).max(MAX_ID),
  timeZone: z
    .string()
    .max(64)
    .optional()
    .openapi({ description: 'IANA zone name, default Asia/Novokuznetsk (a UTC offset such as +07:00 is 400: PostgreSQL would read it with the opposite sign; Etc/GMT-7 is a fixed UTC+7)' }),
  answersNeedApproval: z.boolean().optional(),
  boundary: BoundarySchema.optional(),
});

export const route = createRoute({
  method: 'post',
  operationId: 'createMunicipality',
  path: '/municipalities',
  tags: ['directories'],
  summary: 'Add a municipality',
  description:
    "409 ALREADY_EXISTS for a known OKTMO; 409 BOUNDARY_OVERLAP for a boundary sharing area with another municipality's (named in `details`); 422 BOUNDARY_CHECK_TIMEOUT when comparing it with its neighbours' takes longer than BOUNDARY_CHECK_TIMEOUT_MS.",
  ...access('directories.write'),
  request: { body: jsonBody(Body) },
  responses: { 201: jsonContent(MunicipalitySchema, 'The new municipality'), ...problems(400, 409, 413, 422) },
});

export function registerCreateMunicipality(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const municipality = await audited(c, deps, async ({ trx }) => {
      const result = await createMunicipality(trx, deps.overlapChecker, body);
      return { result, audit: { action: 'municipality.create', entity: 'municipality', entityId: result.id, municipalityId: result.id, data: { oktmo: result.oktmo } } };
    });
    return c.json(municipalityDto(municipality), 201);
  });
}
