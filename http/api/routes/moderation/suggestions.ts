import { createRoute, z } from '@hono/zod-openapi';
import { messageInScope, scopeOf } from '../../../../core/access/scope.ts';
import { isDomainError } from '../../../../core/errors.ts';
import { routeExecutor } from '../../../../core/messages/moderation.service.ts';
import { duplicateCandidates, NEARBY_RADIUS_M } from '../../../../core/messages/nearby.ts';
import { getExecutor } from '../../../../core/staff/executor.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems, Timestamp } from '../../schemas/common.ts';
import { MessageStatus } from '../../schemas/message.ts';

const SuggestionsSchema = z
  .object({
    suggestedExecutor: z
      .object({ id: z.number().int(), name: z.string() })
      .nullable()
      .openapi({ description: "the active executor the municipality's routing rules name for the message's category (what accept without executorId picks); null: no rule" }),
    nearby: z
      .array(z.object({ id: z.number().int(), text: z.string(), status: MessageStatus, categoryId: z.number().int(), createdAt: Timestamp, distanceM: z.number().int() }))
      .openapi({ description: `open messages of the same municipality within ${NEARBY_RADIUS_M} m, nearest first, at most 5: candidates for "mark duplicate"` }),
  })
  .openapi('ModerationSuggestions');

export const route = createRoute({
  method: 'get',
  operationId: 'getModerationSuggestions',
  path: '/messages/{id}/suggestions',
  tags: ['moderation'],
  summary: 'What to moderate a message with: the suggested executor and duplicates nearby',
  ...access('messages.moderate'),
  request: { params: IdParams },
  responses: { 200: jsonContent(SuggestionsSchema, 'The suggestions'), ...problems(400, 404) },
});

export function registerModerationSuggestions(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const message = await messageInScope(deps.db, scopeOf(c.get('principal')), id);
    const executorId = await routeExecutor(deps.db, message.municipalityId, message.categoryId).catch((error: unknown) => {
      if (isDomainError(error, 'NO_ROUTING_RULE')) return null;
      throw error;
    });
    const executor = executorId === null ? null : await getExecutor(deps.db, executorId);
    const nearby = await duplicateCandidates(deps.db, message);
    return c.json(
      {
        suggestedExecutor: executor && { id: executor.id, name: executor.name },
        nearby: nearby.map((n) => ({ id: n.id, text: n.text, status: n.status, categoryId: n.categoryId, createdAt: n.createdAt.toISOString(), distanceM: Math.round(n.distanceM) })),
      },
      200,
    );
  });
}
