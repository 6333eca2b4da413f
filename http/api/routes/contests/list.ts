import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { listContests } from '../../../../core/contests/contests.ts';
import { idCursor, pageSize, toPage } from '../../../../core/db/pagination.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonContent, PageQuery, pageOf, problems } from '../../schemas/common.ts';
import { ContestSchema, contestDto } from '../../schemas/contests.ts';

const Query = z.strictObject({
  municipalityId: Id.optional(),
  state: z.enum(['draft', 'published', 'entries_open', 'voting_open', 'winners_chosen', 'results_published', 'withdrawn']).optional(),
  ...PageQuery,
});

export const route = createRoute({
  method: 'get',
  operationId: 'listContests',
  path: '/contests',
  tags: ['contests'],
  summary: 'Contests, newest first',
  description: "Officials see their municipality's; operators every contest, region-wide ones included.",
  ...access('contests.read'),
  request: { query: Query },
  responses: { 200: jsonContent(pageOf(ContestSchema, 'ContestPage'), 'A page of contests'), ...problems(400, 404) },
});

export function registerListContests(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId, state, cursor, limit } = c.req.valid('query');
    const municipality = listMunicipality(scopeOf(c.get('principal')), municipalityId);
    const size = pageSize(limit);
    const rows = await listContests(deps.db, {
      municipalityIds: municipality === null ? undefined : [municipality],
      ...(state && { states: [state] }),
      beforeId: idCursor(cursor),
      limit: size + 1,
    });
    return c.json(
      toPage(rows, size, contestDto, (x) => ({ v: null, id: x.id })),
      200,
    );
  });
}
