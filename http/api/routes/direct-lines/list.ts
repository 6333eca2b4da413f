import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { idCursor, pageSize, toPage } from '../../../../core/db/pagination.ts';
import { listDirectLines } from '../../../../core/polls/direct-line.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonContent, PageQuery, pageOf, problems } from '../../schemas/common.ts';
import { DirectLineSchema, directLineDto } from '../../schemas/polls.ts';

const Query = z.strictObject({ municipalityId: Id.optional(), ...PageQuery });

export const route = createRoute({
  method: 'get',
  operationId: 'listDirectLines',
  path: '/direct-lines',
  tags: ['direct lines'],
  summary: 'Direct-line campaigns with their number of questions, newest first',
  ...access('direct_lines.read'),
  request: { query: Query },
  responses: { 200: jsonContent(pageOf(DirectLineSchema, 'DirectLinePage'), 'A page of campaigns'), ...problems(400, 404) },
});

export function registerListDirectLines(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId, cursor, limit } = c.req.valid('query');
    const municipality = listMunicipality(scopeOf(c.get('principal')), municipalityId);
    const size = pageSize(limit);
    const rows = await listDirectLines(deps.db, { municipalityId: municipality, beforeId: idCursor(cursor), limit: size + 1 });
    return c.json(
      toPage(rows, size, directLineDto, (d) => ({ v: null, id: d.id })),
      200,
    );
  });
}
