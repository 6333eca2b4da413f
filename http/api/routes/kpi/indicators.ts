import { createRoute, z } from '@hono/zod-openapi';
import { INDICATORS } from '../../../../core/kpi/indicators/index.ts';
import type { ApiApp } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { jsonContent, problems } from '../../schemas/common.ts';
import { KpiTargetSchema } from '../../schemas/kpi.ts';

const IndicatorSchema = z
  .object({
    kpi: z.number().int().openapi({ description: 'the number of seed 000 (table 2), 1..16' }),
    nameRu: z.string(),
    nameEn: z.string(),
    periodKind: z.enum(['month', 'year']).openapi({ description: 'the period the indicator is judged over' }),
    target: KpiTargetSchema,
  })
  .openapi('KpiIndicator');

export const route = createRoute({
  method: 'get',
  operationId: 'listKpiIndicators',
  path: '/kpi/indicators',
  tags: ['kpi'],
  summary: 'The 16 KPI indicators of seed 000: number, names, period and target (nothing is computed)',
  description: 'For naming indicators (e.g. choosing KPI responsibles); GET /kpi gives their values for a municipality and period.',
  ...access('kpi.read'),
  request: { query: z.strictObject({}) },
  responses: { 200: jsonContent(z.object({ items: z.array(IndicatorSchema) }).openapi('KpiIndicatorList'), 'The indicators, in their order'), ...problems() },
});

export function registerListKpiIndicators(app: ApiApp) {
  app.openapi(route, (c) => c.json({ items: INDICATORS.map((i) => ({ kpi: i.number, nameRu: i.nameRu, nameEn: i.nameEn, periodKind: i.period, target: i.target })) }, 200));
}
