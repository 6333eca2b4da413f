import { createRoute, z } from '@hono/zod-openapi';
import { scopeOf } from '../../../../core/access/scope.ts';
import { listEntries } from '../../../../core/contests/contests.ts';
import { MAX_PAGE_SIZE } from '../../../../core/db/pagination.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, IdParams, jsonContent, problems, urlInteger } from '../../schemas/common.ts';
import { EntrySchema, entryDto } from '../../schemas/contests.ts';
import { contestInScope } from './scope.ts';

const Query = z.strictObject({
  state: z.enum(['pending', 'accepted', 'rejected']).optional(),
  after: Id.optional().openapi({ description: 'entries with a larger id (the last id of the previous page)' }),
  limit: urlInteger(1, MAX_PAGE_SIZE).optional(),
});

export const route = createRoute({
  method: 'get',
  operationId: 'listContestEntries',
  path: '/contests/{id}/entries',
  tags: ['contests'],
  summary: "A contest's entries in the order they came (media in the store: GET /api/v1/media/{mediaId})",
  ...access('contests.read'),
  request: { params: IdParams, query: Query },
  responses: { 200: jsonContent(z.object({ items: z.array(EntrySchema) }).openapi('ContestEntryList'), 'Entries'), ...problems(400, 404) },
});

export function registerListContestEntries(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { state, after, limit } = c.req.valid('query');
    await contestInScope(deps.db, scopeOf(c.get('principal')), id);
    const rows = await listEntries(deps.db, id, { ...(state && { states: [state] }), afterId: after, limit: limit ?? MAX_PAGE_SIZE });
    return c.json({ items: rows.map(entryDto) }, 200);
  });
}
