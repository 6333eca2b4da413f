import { createRoute, z } from '@hono/zod-openapi';
import { municipalityInScope } from '../../../../core/access/scope.ts';
import { createSource } from '../../../../core/incidents/settings.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BodyId, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { SourceSchema, sourceDto } from '../../schemas/incidents.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({
  municipalityId: BodyId,
  ownerId: z
    .number()
    .int()
    .min(-2_000_000_000)
    .max(2_000_000_000)
    .refine((v) => v !== 0, 'not 0')
    .openapi({ description: 'the VK wall owner id: a community is negative (-123456)' }),
  name: z.string().max(200),
});

export const route = createRoute({
  method: 'post',
  operationId: 'createIncidentSource',
  path: '/incident-sources',
  tags: ['incidents'],
  summary: 'Monitor a public VK page for the municipality (polled with wall.get through VK_SERVICE_TOKEN)',
  ...access('incidents.configure'),
  request: { body: jsonBody(Body) },
  responses: { 201: jsonContent(SourceSchema, 'The monitored page'), ...problems(400, 404, 409) },
});

export function registerCreateSourceIncident(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const source = await audited(c, deps, async ({ trx, now, scope }) => {
      await municipalityInScope(trx, scope, body.municipalityId);
      const result = await createSource(trx, body, now);
      return { result, audit: { action: 'incident_source.create', entity: 'incident_source', entityId: result.id, municipalityId: result.municipalityId, data: { ownerId: result.ownerId } } };
    });
    return c.json(sourceDto(source), 201);
  });
}
