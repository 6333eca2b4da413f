import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { DEFAULT_RATING_WEIGHTS, rateExecutors } from '../../../../core/kpi/ratings.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonContent, problems } from '../../schemas/common.ts';
import { FigureSourceFields, KpiPeriodQuery } from '../../schemas/kpi.ts';

const Query = z.strictObject({ period: KpiPeriodQuery, municipalityId: Id.optional().openapi({ description: "operators: omit for the whole region; others: their own municipality's" }) });

const Num = z.number().nullable();
/** The raw measures of seed 002 §4.1: a row's, and its `live` ones. */
const Measures = {
  closed: z.number().int(),
  rated: z.number().int(),
  averageStars: Num,
  medianWorkingHoursToFirstAnswer: Num,
  medianWorkingHoursToClosure: Num,
  received: z.number().int(),
  closedOfReceived: z.number().int(),
  completeness: Num,
};
/** The measures, their scores and their source, shared with GET /ratings/municipalities. */
export const RatingMeasures = {
  ...Measures,
  scores: z.object({ quantity: z.number(), quality: z.number(), speed: z.number(), completeness: z.number() }),
  score: z.number(),
  ...FigureSourceFields,
  live: z.object(Measures).nullable().openapi({ description: 'when liveDiffers: the measures the data give now (the rank and score stay those of the snapshot)' }),
};
export const RatingWeightsSchema = z.object({ quantity: z.number(), quality: z.number(), speed: z.number(), completeness: z.number() });

const RatingSchema = z
  .object({
    rank: z.number().int(),
    executorId: z.number().int(),
    name: z.string(),
    municipalityId: z.number().int(),
    ...RatingMeasures,
  })
  .openapi('ExecutorRating');

export const route = createRoute({
  method: 'get',
  operationId: 'getExecutorRatings',
  path: '/ratings/executors',
  tags: ['kpi'],
  summary: 'Executors ranked by quantity, quality, speed and completeness of their answers (seed 002 §4.1)',
  description:
    'quantity = closed / most closed; quality = (mean stars − 1) / 4; speed = fastest median working hours to closure / own; completeness = closed among received. ' +
    'score = 100 × Σ weight × measure / Σ weights; the weights are configuration (KPI_RATING_WEIGHTS, default 1 each) and are returned. ' +
    "An ended period is ranked from its snapshot's raw measures (frozen with its KPI, the executors it measured: fromSnapshot, snapshotAt; " +
    'liveDiffers and live when the data now differ), weighted when read; the running period, and an ended one without a snapshot, live.',
  ...access('kpi.read'),
  request: { query: Query },
  responses: {
    200: jsonContent(z.object({ period: z.string(), weights: RatingWeightsSchema, items: z.array(RatingSchema) }), 'The ranking'),
    ...problems(400, 404, 422),
  },
});

export function registerExecutorRatings(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { period, municipalityId } = c.req.valid('query');
    const id = listMunicipality(scopeOf(c.get('principal')), municipalityId);
    const weights = deps.kpi?.ratingWeights ?? DEFAULT_RATING_WEIGHTS;
    const items = await rateExecutors(deps.db, { municipalityId: id, period }, weights, deps.clock());
    return c.json({ period, weights, items }, 200);
  });
}
