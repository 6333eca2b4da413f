import { createRoute, z } from '@hono/zod-openapi';
import { DomainError } from '../../../../core/errors.ts';
import { publishPoll } from '../../../../core/polls/polls.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { PollSchema, pollDto } from '../../schemas/polls.ts';
import { audited } from '../../write.ts';
import { pollInScope } from './scope.ts';

const Body = z.strictObject({
  force: z.boolean().optional().openapi({ description: 'curators and operators: publish although another poll of the municipality starts that local day (recorded in the audit log)' }),
});

export const route = createRoute({
  method: 'post',
  operationId: 'publishPoll',
  path: '/polls/{id}/publish',
  tags: ['polls'],
  summary: 'Publish a draft (announced to subscribed residents with an "Answer" button when it opens), or the results of a closed poll (voters are told)',
  description:
    'A draft whose start has come is announced at once; one published ahead of its start is announced when it opens (announcedAt stays null until then; closing it before means no announcement). ' +
    'A draft whose start falls on a local calendar day on which another poll of the same municipality starts is refused with 409 POLL_CADENCE ' +
    '(details.pollId names that poll), unless a curator or operator passes force: true. Other states: 409 ILLEGAL_TRANSITION.',
  ...access('polls.write'),
  request: { params: IdParams, body: { required: false, content: { 'application/json': { schema: Body } } } },
  responses: { 200: jsonContent(PollSchema, 'The poll, published (or its results)'), ...problems(400, 404, 409) },
});

export function registerPublishPoll(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const force = (c.req.valid('json') as z.infer<typeof Body> | undefined)?.force === true;
    const result = await audited(c, deps, async ({ trx, scope, principal, now }) => {
      const poll = await pollInScope(trx, scope, id);
      if (force && principal.role !== 'curator' && principal.role !== 'operator') throw new DomainError('FORBIDDEN', { field: 'force', permission: 'curator or operator' });
      const published = await publishPoll(trx, id, { force, staffId: principal.staffId }, now);
      return {
        result: published,
        audit: {
          action: published.published === 'results' ? 'poll.publish_results' : 'poll.publish',
          entity: 'poll',
          entityId: id,
          municipalityId: poll.municipalityId,
          data: {
            ...(force && { force: true }),
            ...(published.forcedOver !== undefined && { forcedOver: published.forcedOver }),
            ...(published.broadcastId !== undefined && { broadcastId: published.broadcastId }),
            ...(published.notified !== undefined && { votersNotified: published.notified }),
          },
        },
      };
    });
    return c.json(pollDto(result.poll), 200);
  });
}
