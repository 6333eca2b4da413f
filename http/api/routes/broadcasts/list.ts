import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { listBroadcasts } from '../../../../core/broadcasts/broadcasts.ts';
import { idCursor, pageSize, toPage } from '../../../../core/db/pagination.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BroadcastSchema, broadcastDto } from '../../schemas/broadcasts.ts';
import { Id, jsonContent, PageQuery, pageOf, problems } from '../../schemas/common.ts';

const Query = z.strictObject({
  municipalityId: Id.optional(),
  ...PageQuery,
});

export const route = createRoute({
  method: 'get',
  operationId: 'listBroadcasts',
  path: '/broadcasts',
  tags: ['broadcasts'],
  summary: 'Broadcasts (announcements and mailings) with their progress, newest first',
  description: "Curators see their municipality's; operators every broadcast, region-wide ones included.",
  ...access('broadcasts.read'),
  request: { query: Query },
  responses: { 200: jsonContent(pageOf(BroadcastSchema, 'BroadcastPage'), 'A page of broadcasts'), ...problems(400, 404) },
});

export function registerListBroadcasts(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId, cursor, limit } = c.req.valid('query');
    const municipality = listMunicipality(scopeOf(c.get('principal')), municipalityId);
    const size = pageSize(limit);
    const rows = await listBroadcasts(deps.db, { municipalityIds: municipality === null ? undefined : [municipality], beforeId: idCursor(cursor), limit: size + 1 });
    return c.json(
      toPage(rows, size, broadcastDto, (b) => ({ v: null, id: b.id })),
      200,
    );
  });
}
