import { createRoute, z } from '@hono/zod-openapi';
import { scopeOf } from '../../../../core/access/scope.ts';
import { idCursor, pageSize, toPage } from '../../../../core/db/pagination.ts';
import { requireMunicipality } from '../../../../core/access/scope.ts';
import { listPolls } from '../../../../core/polls/polls.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonContent, PageQuery, pageOf, problems } from '../../schemas/common.ts';
import { PollSchema, pollDto } from '../../schemas/polls.ts';

const Query = z.strictObject({
  municipalityId: Id.optional(),
  state: z.enum(['draft', 'published', 'closed', 'results_published']).optional(),
  ...PageQuery,
});

export const route = createRoute({
  method: 'get',
  operationId: 'listPolls',
  path: '/polls',
  tags: ['polls'],
  summary: 'Polls and votes, newest first',
  description: "Officials see their municipality's polls; operators every poll, region-wide ones included.",
  ...access('polls.read'),
  request: { query: Query },
  responses: { 200: jsonContent(pageOf(PollSchema, 'PollPage'), 'A page of polls'), ...problems(400, 404) },
});

export function registerListPolls(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId, state, cursor, limit } = c.req.valid('query');
    const scope = scopeOf(c.get('principal'));
    if (municipalityId !== undefined) requireMunicipality(scope, municipalityId);
    const size = pageSize(limit);
    const rows = await listPolls(deps.db, { municipalityId: municipalityId ?? scope.municipalityId, withRegion: false, state, beforeId: idCursor(cursor), limit: size + 1 });
    return c.json(
      toPage(rows, size, pollDto, (p) => ({ v: null, id: p.id })),
      200,
    );
  });
}
