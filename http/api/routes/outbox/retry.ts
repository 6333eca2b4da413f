import { createRoute, z } from '@hono/zod-openapi';
import { retryDead, whyNotRetried } from '../../../../core/outbox/outbox.dead.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { OutboxRetriedSchema } from '../../schemas/outbox.ts';
import { audited } from '../../write.ts';

/** No fields; a body is optional, but one that names anything is refused (mass assignment). */
const Body = z.strictObject({});

export const route = createRoute({
  method: 'post',
  operationId: 'retryDeadOutbox',
  path: '/outbox/{id}/retry',
  tags: ['outbox'],
  summary: 'Send a dead notification again: a fresh set of attempts, due now',
  description:
    'The sender is woken when the request ends, so the row leaves at once. 404 OUTBOX_NOT_FOUND: no row with this id. ' +
    '409 OUTBOX_NOT_DEAD: the row exists but is not dead (details.state says what it is), e.g. it was already retried; nothing changes. ' +
    '409 OUTBOX_BROADCAST_CANCELLED: a dead row of a broadcast cancelled since (details.broadcastId; what it announced was withdrawn): it stays dead.',
  ...access('outbox.retry'),
  request: { params: IdParams, body: { required: false, content: { 'application/json': { schema: Body } } } },
  responses: { 200: jsonContent(OutboxRetriedSchema, 'The row, pending again'), ...problems(400, 404, 409) },
});

export function registerRetryDeadOutbox(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    await audited(c, deps, async ({ trx }) => {
      if (!(await retryDead(trx, id))) throw await whyNotRetried(trx, id);
      return { result: null, audit: { action: 'outbox.retry', entity: 'outbox', entityId: id, municipalityId: null } };
    });
    return c.json({ id, state: 'pending' as const }, 200);
  });
}
