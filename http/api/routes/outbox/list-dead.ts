import { createRoute, z } from '@hono/zod-openapi';
import { idCursor, pageSize, toPage } from '../../../../core/db/pagination.ts';
import { listDead } from '../../../../core/outbox/outbox.dead.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { jsonContent, PageQuery, pageOf, problems } from '../../schemas/common.ts';
import { Channel } from '../../schemas/officials.ts';
import { DeadOutboxRowSchema, deadOutboxRowDto } from '../../schemas/outbox.ts';

const Query = z.strictObject({
  channel: Channel.optional(),
  ...PageQuery,
});

export const route = createRoute({
  method: 'get',
  operationId: 'listDeadOutbox',
  path: '/outbox/dead',
  tags: ['outbox'],
  summary: 'Notifications that stopped for good (dead outbox rows), newest first',
  description:
    'A row dies when the messenger refuses it permanently or its attempts run out. The list shows who it was for and why it failed, ' +
    'never its payload (it may hold personal data). POST /outbox/{id}/retry sends one again.',
  ...access('outbox.read'),
  request: { query: Query },
  responses: { 200: jsonContent(pageOf(DeadOutboxRowSchema, 'DeadOutboxRowPage'), 'A page of dead rows'), ...problems(400) },
});

export function registerListDeadOutbox(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { channel, cursor, limit } = c.req.valid('query');
    const size = pageSize(limit);
    const rows = await listDead(deps.db, { channel, beforeId: idCursor(cursor), limit: size + 1 });
    return c.json(toPage(rows, size, deadOutboxRowDto, (r) => ({ v: null, id: r.id })), 200);
  });
}
