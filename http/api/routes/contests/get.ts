import { createRoute } from '@hono/zod-openapi';
import { scopeOf } from '../../../../core/access/scope.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { ContestSchema, contestDto } from '../../schemas/contests.ts';
import { contestInScope } from './scope.ts';

export const route = createRoute({
  method: 'get',
  operationId: 'getContest',
  path: '/contests/{id}',
  tags: ['contests'],
  summary: 'A contest with its attributes, dates, state and draw commitment',
  ...access('contests.read'),
  request: { params: IdParams },
  responses: { 200: jsonContent(ContestSchema, 'The contest'), ...problems(400, 404) },
});

export function registerGetContest(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(contestDto(await contestInScope(deps.db, scopeOf(c.get('principal')), id)), 200);
  });
}
