import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { DEFAULT_RATING_WEIGHTS, rateMunicipalities } from '../../../../core/kpi/ratings.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonContent, problems } from '../../schemas/common.ts';
import { KpiPeriodQuery } from '../../schemas/kpi.ts';
import { RatingMeasures, RatingWeightsSchema } from './executors.ts';

const Query = z.strictObject({
  period: KpiPeriodQuery,
  municipalityId: Id.optional().openapi({ description: "operators: omit for every municipality; others: their own municipality's row (omitted or named)" }),
});

const RatingSchema = z
  .object({
    rank: z.number().int().openapi({ description: 'the rank among every municipality of the region, also when the list is narrowed to one' }),
    municipalityId: z.number().int(),
    nameRu: z.string(),
    nameEn: z.string(),
    ...RatingMeasures,
  })
  .openapi('MunicipalityRating');

export const route = createRoute({
  method: 'get',
  operationId: 'getMunicipalityRatings',
  path: '/ratings/municipalities',
  tags: ['kpi'],
  summary: 'Municipalities (local self-government bodies) ranked by quantity, quality, speed and completeness of their response to messages (seed 002 §4.1)',
  description:
    "The executors' scoring over all the messages of each municipality: quantity = closed / most closed; quality = (mean stars − 1) / 4; " +
    'speed = fastest median working hours to closure / own (its own working calendar); completeness = closed among accepted into work in the period. ' +
    'score = 100 × Σ weight × measure / Σ weights with the same weights (KPI_RATING_WEIGHTS). A linked duplicate counts once. ' +
    'Normalised among every municipality of the region: a named municipality gets its own row with its rank in the region. ' +
    'An ended period is ranked from the measures frozen with its KPI (fromSnapshot, snapshotAt; liveDiffers and live when the data now differ), as GET /ratings/executors. ' +
    'GET /kpi/region ranks municipalities by their KPI plan instead.',
  ...access('kpi.read'),
  request: { query: Query },
  responses: {
    200: jsonContent(z.object({ period: z.string(), weights: RatingWeightsSchema, items: z.array(RatingSchema) }), 'The ranking'),
    ...problems(400, 404, 422),
  },
});

export function registerMunicipalityRatings(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { period, municipalityId } = c.req.valid('query');
    const id = listMunicipality(scopeOf(c.get('principal')), municipalityId);
    const weights = deps.kpi?.ratingWeights ?? DEFAULT_RATING_WEIGHTS;
    const items = await rateMunicipalities(deps.db, { municipalityId: id, period }, weights, deps.clock());
    return c.json({ period, weights, items }, 200);
  });
}
