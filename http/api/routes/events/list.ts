import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { idCursor, pageSize, toPage } from '../../../../core/db/pagination.ts';
import { listEvents } from '../../../../core/news/events.service.ts';
import { periodRange, REGION_TIME_ZONE, timeZoneOf } from '../../../../core/news/local-time.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonContent, PageQuery, pageOf, problems } from '../../schemas/common.ts';
import { EventSchema, eventDto } from '../../schemas/news.ts';

const Query = z.strictObject({
  municipalityId: Id.optional(),
  kind: z.enum(['culture', 'sport']).optional(),
  state: z.enum(['draft', 'published', 'cancelled']).optional(),
  period: z.enum(['today', 'weekend', 'week']).optional().openapi({ description: "events overlapping today, this weekend or the next 7 days, in the municipality's zone" }),
  ...PageQuery,
});

export const route = createRoute({
  method: 'get',
  operationId: 'listEvents',
  path: '/events',
  tags: ['events'],
  summary: 'Events of «Афиша», newest first; filter by kind, period and municipality',
  ...access('news.read'),
  request: { query: Query },
  responses: { 200: jsonContent(pageOf(EventSchema, 'EventPage'), 'A page of events'), ...problems(400, 404) },
});

export function registerListEvents(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId, kind, state, period, cursor, limit } = c.req.valid('query');
    const municipality = listMunicipality(scopeOf(c.get('principal')), municipalityId);
    const zone = municipality === null ? REGION_TIME_ZONE : await timeZoneOf(deps.db, municipality);
    const range = period ? periodRange(period, deps.clock(), zone) : undefined;
    const size = pageSize(limit);
    const rows = await listEvents(deps.db, {
      municipalityIds: municipality === null ? undefined : [municipality],
      kind,
      state,
      ...(range && { from: range.from, to: range.to }),
      beforeId: idCursor(cursor),
      limit: size + 1,
    });
    return c.json(
      toPage(rows, size, eventDto, (e) => ({ v: null, id: e.id })),
      200,
    );
  });
}
