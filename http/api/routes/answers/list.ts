import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { searchAnswers } from '../../../../core/messages/answer.search.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonContent, PageQuery, pageOf, problems } from '../../schemas/common.ts';
import { AnswerSchema, answerDto } from '../../schemas/message.ts';

const Query = z.strictObject({
  state: z.enum(['draft', 'returned', 'approved', 'delivered']).optional().openapi({ description: 'draft: waiting for the curator' }),
  municipalityId: Id.optional(),
  messageId: Id.optional(),
  ...PageQuery,
});

export const route = createRoute({
  method: 'get',
  operationId: 'listAnswers',
  path: '/answers',
  tags: ['answers'],
  summary: 'List answers in the key\'s scope (e.g. drafts awaiting approval), oldest first',
  ...access('messages.read'),
  request: { query: Query },
  responses: { 200: jsonContent(pageOf(AnswerSchema, 'AnswerPage'), 'A page of answers'), ...problems(400, 404) },
});

export function registerListAnswers(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { cursor, limit, municipalityId, ...filter } = c.req.valid('query');
    const scope = scopeOf(c.get('principal'));
    const page = await searchAnswers(deps.db, scope, { ...filter, municipalityId: listMunicipality(scope, municipalityId) ?? undefined }, { cursor, limit });
    return c.json({ items: page.items.map(answerDto), nextCursor: page.nextCursor }, 200);
  });
}
