import { createRoute, z } from '@hono/zod-openapi';
import { municipalityInScope } from '../../../../core/access/scope.ts';
import { createPlacement } from '../../../../core/kpi/entries.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BodyId, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { PlacementSchema, placementDto } from '../../schemas/kpi.ts';
import { audited } from '../../write.ts';

const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .openapi({ example: '2026-11-01', description: 'a local date of the years 2000 to 2100 (else 400)' });

const Body = z.strictObject({
  municipalityId: BodyId,
  address: z.string().min(1).max(500),
  startsOn: LocalDate,
  endsOn: LocalDate.openapi({ description: 'last day on display (inclusive), of the years 2000 to 2100; KPI 14 counts units placed for at least three calendar months' }),
  mediaId: BodyId.nullable().optional().openapi({ description: 'a photo of the unit uploaded through POST /media' }),
});

export const route = createRoute({
  method: 'post',
  operationId: 'createKpiPlacement',
  path: '/kpi/placements',
  tags: ['kpi'],
  summary: 'Enter a unit of outdoor advertising of the platform (KPI 14)',
  description: 'The same unit entered again (same address, whatever its case and spaces, and the same days) is 409: it would count twice.',
  ...access('kpi.enter'),
  request: { body: jsonBody(Body) },
  responses: { 201: jsonContent(PlacementSchema, 'The placement'), ...problems(400, 404, 409) },
});

export function registerCreateKpiPlacement(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const placement = await audited(c, deps, async ({ trx, now, scope, principal }) => {
      await municipalityInScope(trx, scope, body.municipalityId);
      const result = await createPlacement(trx, { ...body, staffId: principal.staffId }, now);
      return {
        result,
        audit: {
          action: 'kpi.placement.create',
          entity: 'kpi_placement',
          entityId: result.id,
          municipalityId: body.municipalityId,
          data: { startsOn: result.startsOn, endsOn: result.endsOn, mediaId: result.mediaId },
        },
      };
    });
    return c.json(placementDto(placement), 201);
  });
}
