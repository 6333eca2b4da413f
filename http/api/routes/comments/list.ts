import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { idCursor, pageSize, toPage } from '../../../../core/db/pagination.ts';
import { listItemComments } from '../../../../core/item-comments/comments.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonContent, PageQuery, pageOf, problems } from '../../schemas/common.ts';
import { ItemCommentSchema, itemCommentDto } from '../../schemas/item-comments.ts';

const Query = z.strictObject({
  municipalityId: Id.optional(),
  target: z
    .string()
    .regex(/^(?:news|poll)(?::[1-9][0-9]{0,9})?$/, 'news, poll, news:<id> or poll:<id>')
    .optional()
    .openapi({ description: 'news or poll, or one item: news:<id>, poll:<id>', example: 'news:12' }),
  state: z.enum(['pending', 'published', 'hidden', 'review']).optional().openapi({ description: 'pending: to approve; review: reported three times' }),
  ...PageQuery,
});

export const route = createRoute({
  method: 'get',
  path: '/comments',
  tags: ['comments'],
  summary: "Residents' comments on news and polls, newest first; filter by target and state",
  description: "A municipality's key sees comments on its municipality's items; operators every comment, on regional items too.",
  ...access('item_comments.moderate'),
  request: { query: Query },
  responses: { 200: jsonContent(pageOf(ItemCommentSchema, 'ItemCommentPage'), 'A page of comments'), ...problems(400, 404) },
});

export function registerListItemComments(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId, target, state, cursor, limit } = c.req.valid('query');
    const municipality = listMunicipality(scopeOf(c.get('principal')), municipalityId);
    const size = pageSize(limit);
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
