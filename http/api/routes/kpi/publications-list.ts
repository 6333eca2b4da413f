import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { listPublications } from '../../../../core/kpi/entries.service.ts';
import { DomainError } from '../../../../core/errors.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonContent, problems } from '../../schemas/common.ts';
import { PublicationSchema, publicationDto } from '../../schemas/kpi.ts';

export const route = createRoute({
  method: 'get',
  operationId: 'listKpiPublications',
  path: '/kpi/publications',
  tags: ['kpi'],
  summary: "The municipality's publications about the platform (KPI 16), latest first (at most 500)",
  ...access('kpi.read'),
  request: { query: z.strictObject({ municipalityId: Id.optional().openapi({ description: 'required for operators' }) }) },
  responses: { 200: jsonContent(z.object({ items: z.array(PublicationSchema) }), 'The entries'), ...problems(400, 404) },
});

export function registerListKpiPublications(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const id = listMunicipality(scopeOf(c.get('principal')), c.req.valid('query').municipalityId);
    if (id === null) throw new DomainError('VALIDATION', { field: 'municipalityId', problem: 'required' });
    return c.json({ items: (await listPublications(deps.db, id)).map(publicationDto) }, 200);
  });
}
