import { createRoute } from '@hono/zod-openapi';
import { scopeOf } from '../../../../core/access/scope.ts';
import { drawRecord } from '../../../../core/contests/contests.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { DrawSchema, drawDto } from '../../schemas/contests.ts';
import { contestInScope } from './scope.ts';

export const route = createRoute({
  method: 'get',
  operationId: 'getContestDraw',
  path: '/contests/{id}/draw',
  tags: ['contests'],
  summary: 'The verifiable draw: commitment (from entries opening), seed (after the draw), ordered candidates, winners, and the algorithm to recompute it',
  ...access('contests.read'),
  request: { params: IdParams },
  responses: { 200: jsonContent(DrawSchema, 'The draw'), ...problems(400, 404) },
});

export function registerGetContestDraw(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const contest = await contestInScope(deps.db, scopeOf(c.get('principal')), id);
    return c.json(drawDto(await drawRecord(deps.db, contest)), 200);
  });
}
