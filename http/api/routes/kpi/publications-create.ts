import { createRoute, z } from '@hono/zod-openapi';
import { municipalityInScope } from '../../../../core/access/scope.ts';
import { createPublication } from '../../../../core/kpi/entries.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BodyId, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { PublicationSchema, publicationDto } from '../../schemas/kpi.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({
  municipalityId: BodyId,
  url: z.string().min(1).max(2000).openapi({ example: 'https://belovo.example/news/123' }),
  outlet: z.string().min(1).max(300).openapi({ example: 'Сайт администрации' }),
  publishedOn: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
    .openapi({ example: '2026-11-20', description: 'the local date it appeared; not after today (400)' }),
});

export const route = createRoute({
  method: 'post',
  operationId: 'createKpiPublication',
  path: '/kpi/publications',
  tags: ['kpi'],
  summary: 'Enter a publication about the platform in the media or on an official page (KPI 16); a URL once per municipality (409)',
  ...access('kpi.enter'),
  request: { body: jsonBody(Body) },
  responses: { 201: jsonContent(PublicationSchema, 'The publication'), ...problems(400, 404, 409) },
});

export function registerCreateKpiPublication(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const publication = await audited(c, deps, async ({ trx, now, scope, principal }) => {
      await municipalityInScope(trx, scope, body.municipalityId);
      const result = await createPublication(trx, { ...body, staffId: principal.staffId }, now);
      return { result, audit: { action: 'kpi.publication.create', entity: 'kpi_publication', entityId: result.id, municipalityId: body.municipalityId, data: { publishedOn: result.publishedOn } } };
    });
    return c.json(publicationDto(publication), 201);
  });
}
