import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { listUnansweredComments } from '../../../../core/alerts/author-comments.ts';
import { idCursor, pageSize, toPage } from '../../../../core/db/pagination.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonContent, PageQuery, pageOf, problems, Timestamp } from '../../schemas/common.ts';

const Query = z.strictObject({ municipalityId: Id.optional(), ...PageQuery });

export const UnansweredCommentSchema = z
  .object({
    id: z.number().int(),
    messageId: z.number().int(),
    municipalityId: z.number().int(),
    executorId: z.number().int().nullable(),
    text: z.string(),
    createdAt: Timestamp,
    escalated: z.boolean().openapi({ description: 'a working day passed: the curators were alerted' }),
  })
  .openapi('UnansweredComment');

export const route = createRoute({
  method: 'get',
  operationId: 'listUnansweredComments',
  path: '/comments/unanswered',
  tags: ['messages'],
  summary: "Authors' comments on their messages that no official has answered yet, oldest first",
  description:
    "Answered means an official's comment replying to it (POST /messages/{id}/comments with replyToId) or any official's comment on the message after it. Executors see their organisation's messages only. KPI 8 counts these.",
  ...access('messages.read'),
  request: { query: Query },
  responses: { 200: jsonContent(pageOf(UnansweredCommentSchema, 'UnansweredCommentPage'), 'A page of unanswered comments'), ...problems(400, 404) },
});

export function registerListUnansweredComments(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId, cursor, limit } = c.req.valid('query');
    const scope = scopeOf(c.get('principal'));
    const municipality = listMunicipality(scope, municipalityId);
    const size = pageSize(limit);
    const rows = await listUnansweredComments(deps.db, scope, { municipalityId: municipality ?? undefined, afterId: idCursor(cursor), limit: size + 1 });
    return c.json(unansweredPage(rows, size), 200);
  });
}

/** A page of unanswered comments (also GET /comments?unanswered=true). */
export function unansweredPage(rows: Awaited<ReturnType<typeof listUnansweredComments>>, size: number) {
  return toPage(
    rows,
    size,
    (r) => ({ ...r, createdAt: r.createdAt.toISOString() }),
    (r) => ({ v: null, id: r.id }),
  );
}
