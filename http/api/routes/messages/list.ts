import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { MESSAGE_SORTS, MIN_SEARCH_LENGTH, searchMessages } from '../../../../core/messages/message.search.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, instantRange, jsonContent, PageQuery, pageOf, problems, QueryBoolean } from '../../schemas/common.ts';
import { MessageSchema, MessageStatus, messageDto } from '../../schemas/message.ts';

const Query = z.strictObject({
  municipalityId: Id.optional(),
  status: z
    .string()
    .transform((v) => v.split(','))
    .pipe(z.array(MessageStatus))
    .optional()
    .openapi({ type: 'string', description: 'comma-separated statuses, e.g. new,in_work', example: 'new,in_work' }),
  categoryId: Id.optional(),
  executorId: Id.optional(),
  overdue: QueryBoolean.optional().openapi({ description: 'true: in work and overdue now (KPI 7)' }),
  openSource: QueryBoolean.optional().openapi({ description: 'messages found in public posts (VK/OK)' }),
  published: QueryBoolean.optional(),
  lowRating: QueryBoolean.optional().openapi({ description: "true: the author rated it 1 or 2 stars (the curator's low-rating alert)" }),
  from: z.iso.datetime({ offset: true }).optional().openapi({ description: 'filed at or after' }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: 'filed before' }),
  q: z.string().trim().min(MIN_SEARCH_LENGTH).max(200).optional().openapi({ description: `text or address contains (case-insensitive); at least ${MIN_SEARCH_LENGTH} characters (a trigram index serves it)` }),
  sort: z.enum(MESSAGE_SORTS).default('-created_at'),
  ...PageQuery,
});

export const route = createRoute({
  method: 'get',
  operationId: 'listMessages',
  path: '/messages',
  tags: ['messages'],
  summary: 'List messages in the key\'s scope',
  description: 'Filters combine with AND. Executors see only messages assigned to their organisation. Cursor pagination: pass nextCursor back unchanged with the same filters.',
  ...access('messages.read'),
  request: { query: Query },
  responses: { 200: jsonContent(pageOf(MessageSchema, 'MessagePage'), 'A page of messages'), ...problems(400, 404) },
});

export function registerListMessages(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { cursor, limit, sort, from, to, municipalityId, ...filter } = c.req.valid('query');
    const scope = scopeOf(c.get('principal'));
    const now = deps.clock();
    const page = await searchMessages(
      deps.db,
      scope,
      { ...filter, municipalityId: listMunicipality(scope, municipalityId) ?? undefined, ...instantRange(from, to) },
      sort,
      { cursor, limit },
      now,
    );
    return c.json({ items: page.items.map((m) => messageDto(m, now)), nextCursor: page.nextCursor }, 200);
  });
}
