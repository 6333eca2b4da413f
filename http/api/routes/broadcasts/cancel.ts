import { createRoute, z } from '@hono/zod-openapi';
import { cancelBroadcast, getBroadcast } from '../../../../core/broadcasts/broadcasts.ts';
import { DomainError } from '../../../../core/errors.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BroadcastSchema, broadcastDto } from '../../schemas/broadcasts.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { audited } from '../../write.ts';
import { broadcastInScope } from './scope.ts';

const Body = z.strictObject({});

export const route = createRoute({
  method: 'post',
  operationId: 'cancelBroadcast',
  path: '/broadcasts/{id}/cancel',
  tags: ['broadcasts'],
  summary: 'Cancel a broadcast: no more recipients are written, rows not yet sent are dropped',
  description: 'Rows a sender already took (about one second of sending) still go out. 409 BROADCAST_NOT_ACTIVE: it was cancelled already or every row is settled.',
  ...access('broadcasts.send'),
  request: { params: IdParams, body: { required: false, content: { 'application/json': { schema: Body } } } },
  responses: { 200: jsonContent(BroadcastSchema, 'The broadcast, cancelled'), ...problems(400, 404, 409) },
});

export function registerCancelBroadcast(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    await audited(c, deps, async ({ trx, scope, now }) => {
      const broadcast = await broadcastInScope(trx, scope, id);
      if (broadcast.status === 'done' || !(await cancelBroadcast(trx, id, now))) throw new DomainError('BROADCAST_NOT_ACTIVE', { id, status: broadcast.status });
      return { result: null, audit: { action: 'broadcast.cancel', entity: 'broadcast', entityId: id, municipalityId: broadcast.municipalityId } };
    });
    return c.json(broadcastDto((await getBroadcast(deps.db, id))!), 200);
  });
}
