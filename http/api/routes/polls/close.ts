import { createRoute, z } from '@hono/zod-openapi';
import { closePoll } from '../../../../core/polls/polls.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { PollSchema, pollDto } from '../../schemas/polls.ts';
import { audited } from '../../write.ts';
import { pollInScope } from './scope.ts';

const Body = z.strictObject({});

export const route = createRoute({
  method: 'post',
  operationId: 'closePoll',
  path: '/polls/{id}/close',
  tags: ['polls'],
  summary: 'Close a published poll early (polls also close at their end, by cron)',
  description: 'Other states: 409 ILLEGAL_TRANSITION.',
  ...access('polls.write'),
  request: { params: IdParams, body: { required: false, content: { 'application/json': { schema: Body } } } },
  responses: { 200: jsonContent(PollSchema, 'The poll, closed'), ...problems(400, 404, 409) },
});

export function registerClosePoll(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const poll = await audited(c, deps, async ({ trx, scope, now }) => {
      const before = await pollInScope(trx, scope, id);
      const closed = await closePoll(trx, id, now);
      return { result: closed, audit: { action: 'poll.close', entity: 'poll', entityId: id, municipalityId: before.municipalityId } };
    });
    return c.json(pollDto(poll), 200);
  });
}
