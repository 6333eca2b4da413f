import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { listAudit } from '../../../../core/audit/audit.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, instantRange, PageQuery, jsonContent, pageOf, problems } from '../../schemas/common.ts';
import { AuditEntrySchema, auditEntryDto } from '../../schemas/directory.ts';

const Query = z.strictObject({
  municipalityId: Id.optional(),
  staffId: Id.optional(),
  action: z.string().max(64).optional().openapi({ example: 'message.accept' }),
  entity: z.string().max(64).optional().openapi({ example: 'message' }),
  entityId: z.string().max(64).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  ...PageQuery,
});

export const route = createRoute({
  method: 'get',
  operationId: 'listAudit',
  path: '/audit',
  tags: ['audit'],
  summary: 'The audit log, newest first: who changed what, when, with which key and request',
  description: 'Curators see the entries of their municipality; operators see everything, including platform-wide entries.',
  ...access('audit.read'),
  request: { query: Query },
  responses: { 200: jsonContent(pageOf(AuditEntrySchema, 'AuditPage'), 'A page of entries'), ...problems(400, 404) },
});

export function registerListAudit(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId, cursor, limit, from, to, ...filter } = c.req.valid('query');
    const scope = scopeOf(c.get('principal'));
    const page = await listAudit(
      deps.db,
      { ...filter, municipalityId: listMunicipality(scope, municipalityId), ...instantRange(from, to), withOperators: scope.seesOperators === true },
      { cursor, limit },
    );
    return c.json({ items: page.items.map(auditEntryDto), nextCursor: page.nextCursor }, 200);
  });
}
