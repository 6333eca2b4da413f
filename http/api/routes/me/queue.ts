import { createRoute, z } from '@hono/zod-openapi';
import { scopeOf } from '../../../../core/access/scope.ts';
import { staffQueue } from '../../../../core/messages/queue.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { jsonContent, PageQuery, problems, Timestamp } from '../../schemas/common.ts';
import { MessageStatus } from '../../schemas/message.ts';

const QueueItemSchema = z
  .object({
    kind: z.enum(['moderate', 'answer', 'revise', 'approve']).openapi({
      description:
        'moderate: a new message to accept or reject; answer: assigned to your organisation, no answer drafted; revise: an answer the curator returned; approve: a draft waiting for approval',
    }),
    messageId: z.number().int(),
    answerId: z.number().int().nullable(),
    status: MessageStatus,
    municipalityId: z.number().int(),
    categoryId: z.number().int(),
    executorId: z.number().int().nullable(),
    text: z.string(),
    since: Timestamp,
  })
  .openapi('QueueItem');

export const route = createRoute({
  method: 'get',
  operationId: 'getMyQueue',
  path: '/me/queue',
  tags: ['staff and keys'],
  summary: 'What waits for the caller, by role, oldest first, a page at a time',
  description:
    "Moderators: new messages to moderate and returned answers; curators and operators: new messages and drafts to approve; executors: messages assigned to their organisation without a pending answer, and returned answers; responsible officials: nothing. Within the key's scope. " +
    'Paged like the other lists: `limit` items (default 25, at most 100), `nextCursor` non-null while more wait (send it as `cursor`).',
  ...access('directories.read'),
  request: { query: z.strictObject({ ...PageQuery }) },
  responses: {
    200: jsonContent(
      z.object({
        role: z.string(),
        items: z.array(QueueItemSchema),
        nextCursor: z.string().nullable().openapi({ description: 'null on the last page; otherwise more items wait: pass it as `cursor`' }),
      }),
      'A page of the queue',
    ),
    ...problems(400),
  },
});

export function registerMyQueue(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const principal = c.get('principal');
    const page = await staffQueue(deps.db, principal.role, scopeOf(principal), c.req.valid('query'));
    return c.json({ role: principal.role, items: page.items.map((i) => ({ ...i, since: i.since.toISOString() })), nextCursor: page.nextCursor }, 200);
  });
}
