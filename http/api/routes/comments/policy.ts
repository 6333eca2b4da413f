import { createRoute, z } from '@hono/zod-openapi';
import { municipalityInScope } from '../../../../core/access/scope.ts';
import { setPremoderation } from '../../../../core/item-comments/comments.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BodyId, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({ municipalityId: BodyId, premoderation: z.boolean() }).openapi('CommentPolicy');

export const route = createRoute({
  method: 'put',
  operationId: 'setCommentPolicy',
  path: '/comments/policy',
  tags: ['comments'],
  summary: "A municipality's comment moderation: after publication (default) or before (premoderation true)",
  ...access('item_comments.moderate'),
  request: { body: jsonBody(Body) },
  responses: { 200: jsonContent(Body, 'The policy'), ...problems(400, 404) },
});

export function registerSetCommentPolicy(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    await audited(c, deps, async ({ trx, scope, now }) => {
      await municipalityInScope(trx, scope, body.municipalityId);
      const before = await trx.selectFrom('item_comment_policy').select('premoderation').where('municipality_id', '=', body.municipalityId).executeTakeFirst();
      await setPremoderation(trx, body.municipalityId, body.premoderation, now);
      // The same policy again (or "off" where it was never turned on) is a repeat: no entry.
      if ((before?.premoderation ?? false) === body.premoderation) return { result: null, audit: null };
      return {
        result: null,
        audit: { action: 'item_comment.policy', entity: 'municipality', entityId: body.municipalityId, municipalityId: body.municipalityId, data: { premoderation: body.premoderation } },
      };
    });
    return c.json(body, 200);
  });
}
