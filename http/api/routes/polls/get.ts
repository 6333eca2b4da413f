import { createRoute } from '@hono/zod-openapi';
import { scopeOf } from '../../../../core/access/scope.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { PollSchema, pollDto } from '../../schemas/polls.ts';
import { pollInScope } from './scope.ts';

export const route = createRoute({
  method: 'get',
  operationId: 'getPoll',
  path: '/polls/{id}',
  tags: ['polls'],
  summary: 'One poll with its questions and options',
  ...access('polls.read'),
  request: { params: IdParams },
  responses: { 200: jsonContent(PollSchema, 'The poll'), ...problems(400, 404) },
});

export function registerGetPoll(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(pollDto(await pollInScope(deps.db, scopeOf(c.get('principal')), id)), 200);
  });
}
