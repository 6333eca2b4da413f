import { createRoute, z } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import { PERMISSIONS, requirePermission } from '../../../../core/access/permissions.ts';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { listUnansweredComments } from '../../../../core/alerts/author-comments.ts';
import { idCursor, pageSize, toPage } from '../../../../core/db/pagination.ts';
import { listItemComments } from '../../../../core/item-comments/comments.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { BEARER, Id, jsonContent, MAX_ID, PageQuery, pageOf, problems, QueryBoolean } from '../../schemas/common.ts';
import type { ApiEnv } from '../../env.ts';
import { UnansweredCommentSchema, unansweredPage } from './unanswered.ts';
import { ItemCommentSchema, itemCommentDto } from '../../schemas/item-comments.ts';

const Query = z.strictObject({
  municipalityId: Id.optional(),
  target: z
    .string()
    .regex(/^(?:news|poll)(?::[1-9][0-9]{0,9})?$/, 'news, poll, news:<id> or poll:<id>')
    // Ten digits pass the pattern; past 2^31-1 the id is refused here, as in a path (not a 500 from the int column).
    .refine((v) => Number(v.split(':')[1] ?? 0) <= MAX_ID, `the id is at most ${MAX_ID}`)
    .optional()
    .openapi({ description: 'news or poll, or one item: news:<id>, poll:<id> (an id of 1 to 2147483647)', example: 'news:12' }),
  state: z.enum(['pending', 'published', 'hidden', 'review']).optional().openapi({ description: 'pending: to approve; review: reported three times' }),
  unanswered: QueryBoolean.optional().openapi({
    description:
      "true: instead, authors' comments on their own messages that no official has answered yet, oldest first (KPI 8; the same list as GET /comments/unanswered); `target` and `state` do not apply",
  }),
  ...PageQuery,
});

/**
 * Who may call it depends on what is asked, and is decided before the query is validated (a wrong
 * role gets 403 whatever it sent): the unanswered authors' comments are every official's work
 * (messages.read, executors their own); comments on news and polls are for their moderators.
 */
const permitByList = createMiddleware<ApiEnv>(async (c, next) => {
  requirePermission(c.get('principal'), c.req.query('unanswered') === 'true' ? 'messages.read' : 'item_comments.moderate');
  await next();
});

export const route = createRoute({
  method: 'get',
  operationId: 'listItemComments',
  path: '/comments',
  tags: ['comments'],
  summary: "Residents' comments on news and polls, newest first; filter by target and state",
  description: "A municipality's key sees comments on its municipality's items; operators every comment, on regional items too.",
  security: BEARER,
  middleware: [permitByList],
  'x-roles': [...PERMISSIONS['messages.read']],
  request: { query: Query },
  responses: {
    200: jsonContent(
      z.union([pageOf(ItemCommentSchema, 'ItemCommentPage'), pageOf(UnansweredCommentSchema, 'UnansweredCommentPage')]),
      "A page of comments on news and polls, or (unanswered=true) of unanswered authors' comments",
    ),
    ...problems(400, 404),
  },
});

export function registerListItemComments(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId, target, state, unanswered, cursor, limit } = c.req.valid('query');
    const scope = scopeOf(c.get('principal'));
    const municipality = listMunicipality(scope, municipalityId);
    const size = pageSize(limit);
    if (unanswered) {
      const rows = await listUnansweredComments(deps.db, scope, { municipalityId: municipality ?? undefined, afterId: idCursor(cursor), limit: size + 1 });
      return c.json(unansweredPage(rows, size), 200);
    }
    const [kind, id] = (target ?? '').split(':') as ['news' | 'poll' | '', string | undefined];
    const rows = await listItemComments(deps.db, {
      municipalityIds: municipality === null ? undefined : [municipality],
      ...(kind && id ? { target: { kind, id: Number(id) } } : kind ? { targetKind: kind } : {}),
      state,
      beforeId: idCursor(cursor),
      limit: size + 1,
    });
    return c.json(
      toPage(rows, size, itemCommentDto, (x) => ({ v: null, id: x.id })),
      200,
    );
  });
}
