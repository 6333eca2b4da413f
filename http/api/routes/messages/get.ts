import { createRoute } from '@hono/zod-openapi';
import { messageInScope, scopeOf } from '../../../../core/access/scope.ts';
import { getFirstResponse } from '../../../../core/incidents/first-response.ts';
import { getMessageCard } from '../../../../core/messages/message.queries.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access, etag } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { MessageCardSchema, messageCardDto } from '../../schemas/message.ts';

export const route = createRoute({
  method: 'get',
  operationId: 'getMessage',
  path: '/messages/{id}',
  tags: ['messages'],
  summary: 'One message with its history, answers, comments, photos, supporters and rating',
  description: 'The ETag header carries the version for If-Match on moderation requests.',
  ...access('messages.read'),
  request: { params: IdParams },
  responses: { 200: jsonContent(MessageCardSchema, 'The message card'), ...problems(400, 404) },
});

export function registerGetMessage(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    await messageInScope(deps.db, scopeOf(c.get('principal')), id);
    const card = await getMessageCard(deps.db, id);
    const first = await getFirstResponse(deps.db, id);
    const firstResponse = first && {
      acceptedAt: first.acceptedAt.toISOString(),
      dueAt: first.dueAt.toISOString(),
      draftedAt: first.draftedAt?.toISOString() ?? null,
      met: first.met,
      workingMinutes: first.workingMinutes,
    };
    return c.json({ ...messageCardDto(card, deps.clock()), firstResponse }, 200, etag(card.message.version));
  });
}
