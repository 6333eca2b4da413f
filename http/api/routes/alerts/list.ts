import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf, staffInScope } from '../../../../core/access/scope.ts';
import { listAlerts } from '../../../../core/alerts/alerts.ts';
import { idCursor, pageSize, toPage } from '../../../../core/db/pagination.ts';
import { DomainError } from '../../../../core/errors.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonContent, PageQuery, pageOf, problems } from '../../schemas/common.ts';
import { AlertSchema, alertDto } from '../../schemas/officials.ts';

const Query = z.strictObject({
  municipalityId: Id.optional(),
  staffId: Id.optional().openapi({ description: 'alerts of one official' }),
  messageId: Id.optional(),
  kind: z.string().max(64).optional().openapi({ example: 'alert.overdue' }),
  ...PageQuery,
});

export const route = createRoute({
  method: 'get',
  operationId: 'listAlerts',
  path: '/alerts',
  tags: ['alerts and jobs'],
  summary: 'Alerts raised for officials, newest first, whether or not a messenger delivered them',
  description: 'Officials see the alerts of their municipality\'s staff; executors only their own; operators everything.',
  ...access('alerts.read'),
  request: { query: Query },
  responses: { 200: jsonContent(pageOf(AlertSchema, 'AlertPage'), 'A page of alerts'), ...problems(400, 404) },
});

export function registerListAlerts(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId, staffId, cursor, limit, ...filter } = c.req.valid('query');
    const principal = c.get('principal');
    const scope = scopeOf(principal);
    const municipality = listMunicipality(scope, municipalityId) ?? undefined;
    let ownerId = staffId;
    if (principal.role === 'executor') {
      if (staffId !== undefined && staffId !== principal.staffId) throw new DomainError('STAFF_NOT_FOUND', { id: staffId });
      ownerId = principal.staffId;
    } else if (staffId !== undefined) {
      await staffInScope(deps.db, scope, staffId);
    }
    const size = pageSize(limit);
    const rows = await listAlerts(deps.db, {
      ...filter,
      municipalityId: municipality,
      staffId: ownerId,
      beforeId: idCursor(cursor),
      limit: size + 1,
      withOperators: scope.seesOperators === true,
    });
    const page = toPage(rows, size, alertDto, (a) => ({ v: null, id: a.id }));
    return c.json(page, 200);
  });
}
