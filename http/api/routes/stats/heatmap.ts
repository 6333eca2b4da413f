import { createRoute, z } from '@hono/zod-openapi';
import { scopeOf } from '../../../../core/access/scope.ts';
import { DomainError } from '../../../../core/errors.ts';
import { cellPolygon, MAX_RESOLUTION, MIN_RESOLUTION } from '../../../../core/stats/h3.ts';
import { heatmapCells, heatmapPoints, MAX_POINTS, type HeatCell, type HeatPoint } from '../../../../core/stats/heatmap.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { problems, urlInteger } from '../../schemas/common.ts';
import { statsFilterOf, StatsFilterQuery } from '../../schemas/stats.ts';

export const GEOJSON_CONTENT_TYPE = 'application/geo+json';

const Query = z.strictObject({
  ...StatsFilterQuery,
  aggregate: z.enum(['h3']).optional().openapi({ description: 'h3: hexagon cells instead of points' }),
  resolution: urlInteger(MIN_RESOLUTION, MAX_RESOLUTION)
    .optional()
    .openapi({ description: `H3 resolution ${MIN_RESOLUTION}-${MAX_RESOLUTION} with aggregate=h3 (default 8; 5 ≈ 250 km² a cell, 10 ≈ 0.015 km²)` }),
  cursor: z.string().max(200).optional().openapi({ description: 'nextCursor of the previous response (points only)' }),
  limit: urlInteger(1, MAX_POINTS)
    .optional()
    .openapi({ description: `points per response, at most ${MAX_POINTS} (the default)` }),
});

const Position = z.array(z.number()).openapi({ description: '[longitude, latitude] (RFC 7946)', example: [86.0873, 55.3547] });

const PointFeature = z
  .object({
    type: z.literal('Feature'),
    id: z.number().int(),
    geometry: z.object({ type: z.literal('Point'), coordinates: Position }),
    properties: z.object({
      id: z.number().int(),
      municipalityId: z.number().int(),
      categoryId: z.number().int(),
      status: z.string(),
      published: z.boolean(),
      source: z.string(),
      createdAt: z.string(),
      acceptedAt: z.string().nullable(),
      firstAnswerAt: z.string().nullable(),
      closedAt: z.string().nullable(),
      overdue: z.boolean(),
      rating: z.number().int().nullable(),
    }),
  })
  .openapi('HeatmapPoint');

const CellFeature = z
  .object({
    type: z.literal('Feature'),
    id: z.string(),
    geometry: z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(Position)) }),
    properties: z.object({
      cell: z.string().openapi({ description: 'H3 index' }),
      resolution: z.number().int(),
      count: z.number().int(),
      overdue: z.number().int(),
      accepted: z.number().int(),
      overdueShare: z.number().nullable().openapi({ description: 'overdue among accepted into work' }),
      solvedShare: z.number().nullable().openapi({ description: 'solved among solved + explained' }),
      medianFirstAnswerHours: z.number().nullable(),
      avgRating: z.number().nullable(),
    }),
  })
  .openapi('HeatmapCell');

const Collection = z
  .object({
    type: z.literal('FeatureCollection'),
    features: z.array(z.union([PointFeature, CellFeature])),
    nextCursor: z.string().nullable().optional().openapi({ description: 'points: set when more match; pass it as cursor' }),
    hint: z.string().optional(),
    unplaced: z.number().int().optional().openapi({ description: 'cells: matching messages with a point whose cell is not filled in yet (those without a point are off the map)' }),
  })
  .openapi('HeatmapCollection');

export const route = createRoute({
  method: 'get',
  operationId: 'getHeatmap',
  path: '/heatmap',
  tags: ['statistics'],
  summary: 'Messages on the map: points, or H3 hexagon cells with their measures (GeoJSON)',
  description:
    `A GeoJSON FeatureCollection (RFC 7946, coordinates [lon, lat]). Points: one per message the key may read (the scope of GET /messages), ` +
    `in id order, at most ${MAX_POINTS} a response; when more match, \`nextCursor\` and a Link rel="next" header carry on, or aggregate=h3 summarises. ` +
    'Cells: count, overdue share, median hours to the first answer and mean rating per cell.',
  ...access('messages.read'),
  request: { query: Query },
  responses: {
    200: { description: 'A FeatureCollection', content: { [GEOJSON_CONTENT_TYPE]: { schema: Collection } } },
    ...problems(400, 404),
  },
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function pointFeature(p: HeatPoint) {
  return {
    type: 'Feature' as const,
    id: p.id,
    geometry: { type: 'Point' as const, coordinates: [p.lon, p.lat] },
    properties: {
      id: p.id,
      municipalityId: p.municipalityId,
      categoryId: p.categoryId,
      status: p.status,
      published: p.published,
      source: p.source,
      createdAt: p.createdAt.toISOString(),
      acceptedAt: iso(p.acceptedAt),
      firstAnswerAt: iso(p.firstAnswerAt),
      closedAt: iso(p.closedAt),
      overdue: p.overdue,
      rating: p.rating,
    },
  };
}

function cellFeature(c: HeatCell, resolution: number) {
  const { cell, ...measures } = c;
  return { type: 'Feature' as const, id: cell, geometry: { type: 'Polygon' as const, coordinates: cellPolygon(cell) }, properties: { cell, resolution, ...measures } };
}

export function registerHeatmap(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { aggregate, resolution, cursor, limit, ...query } = c.req.valid('query');
    const filter = statsFilterOf(query);
    const scope = scopeOf(c.get('principal'));
    const now = deps.clock();
    const headers: Record<string, string> = { 'content-type': GEOJSON_CONTENT_TYPE };
    if (aggregate === 'h3') {
      if (cursor !== undefined || limit !== undefined) throw new DomainError('VALIDATION', { field: 'cursor', problem: 'cursor and limit page points, not cells' });
      const level = resolution ?? 8;
      const { cells, unplaced } = await heatmapCells(deps.db, scope, filter, level, now);
      return c.json({ type: 'FeatureCollection' as const, features: cells.map((cell) => cellFeature(cell, level)), unplaced }, 200, headers);
    }
    if (resolution !== undefined) throw new DomainError('VALIDATION', { field: 'resolution', problem: 'resolution needs aggregate=h3' });
    const page = await heatmapPoints(deps.db, scope, filter, { cursor, limit }, now);
    const body: z.infer<typeof Collection> = { type: 'FeatureCollection', features: page.points.map(pointFeature), nextCursor: page.nextCursor };
    if (page.nextCursor) {
      body.hint = `More messages match than one response carries (${page.points.length}): pass nextCursor as cursor for the next page, or ask aggregate=h3&resolution=${MIN_RESOLUTION}..${MAX_RESOLUTION} for cells.`;
      const next = new URL(c.req.url);
      next.searchParams.set('cursor', page.nextCursor);
      headers.link = `<${next.pathname}${next.search}>; rel="next"`;
    }
    // c.json keeps a content-type given in the headers: GeoJSON's own media type.
    return c.json(body, 200, headers);
  });
}
