import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { listStaff } from '../../../../core/access/staff.service.ts';
import { MAX_PAGE_SIZE } from '../../../../core/db/pagination.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, PageQuery, QueryBoolean, jsonContent, pageOf, problems } from '../../schemas/common.ts';
import { StaffRole, StaffSchema, staffDto } from '../../schemas/directory.ts';

const Query = z.strictObject({
  municipalityId: Id.optional(),
  role: StaffRole.optional(),
  active: QueryBoolean.optional(),
  ids: z
    .string()
    .transform((v) => v.split(','))
    .pipe(z.array(Id).min(1).max(MAX_PAGE_SIZE))
    .optional()
    .openapi({
      type: 'string',
      description: `comma-separated staff ids, at most ${MAX_PAGE_SIZE}: only those (one out of the key's scope or missing is left out), e.g. to name the staff of an audit page`,
      example: '3,17',
    }),
  ...PageQuery,
});

export const route = createRoute({
  method: 'get',
  operationId: 'listStaff',
  path: '/staff',
  tags: ['staff and keys'],
  summary: 'Staff in the key\'s scope (curators: their municipality)',
  ...access('staff.read'),
  request: { query: Query },
  responses: { 200: jsonContent(pageOf(StaffSchema, 'StaffPage'), 'A page of staff'), ...problems(400, 404) },
});

export function registerListStaff(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId, cursor, limit, ...filter } = c.req.valid('query');
    const scope = scopeOf(c.get('principal'));
    const page = await listStaff(deps.db, { ...filter, municipalityId: listMunicipality(scope, municipalityId), withOperators: scope.seesOperators === true }, { cursor, limit });
    return c.json({ items: page.items.map(staffDto), nextCursor: page.nextCursor }, 200);
  });
}
