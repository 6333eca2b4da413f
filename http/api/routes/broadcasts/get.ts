import { createRoute } from '@hono/zod-openapi';
import { scopeOf } from '../../../../core/access/scope.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BroadcastSchema, broadcastDto } from '../../schemas/broadcasts.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { broadcastInScope } from './scope.ts';

export const route = createRoute({
  method: 'get',
  operationId: 'getBroadcast',
  path: '/broadcasts/{id}',
  tags: ['broadcasts'],
  summary: 'One broadcast and its progress: recipients written, pending, sent, failed, cancelled',
  ...access('broadcasts.read'),
  request: { params: IdParams },
  responses: { 200: jsonContent(BroadcastSchema, 'The broadcast'), ...problems(400, 404) },
});

export function registerGetBroadcast(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(broadcastDto(await broadcastInScope(deps.db, scopeOf(c.get('principal')), id)), 200);
  });
}
