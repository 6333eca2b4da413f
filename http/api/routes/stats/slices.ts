import { createRoute, z } from '@hono/zod-openapi';
import { stringify } from 'csv-stringify/sync';
import { scopeOf } from '../../../../core/access/scope.ts';
import { DomainError } from '../../../../core/errors.ts';
import { METRICS } from '../../../../core/stats/metrics.ts';
import { computeSlices, DIMENSIONS, type SliceTable } from '../../../../core/stats/slices.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { problems } from '../../schemas/common.ts';
import { commaList, statsFilterOf, StatsFilterQuery } from '../../schemas/stats.ts';

const Query = z.strictObject({
  ...StatsFilterQuery,
  groupBy: commaList(DIMENSIONS, 'municipality,month')
    .optional()
    .openapi({ description: `dimensions, in column order (none: one total row): ${DIMENSIONS.join(', ')}; month and week are the municipality's local ones` }),
  metrics: commaList(METRICS, 'count,overdue_share')
    .optional()
    .openapi({ description: `measures (default count): ${METRICS.join(', ')}` }),
  format: z.enum(['json', 'csv']).default('json').openapi({ description: 'csv: the same table as UTF-8 CSV with a BOM (opens in Excel), formulas escaped' }),
  lang: z.enum(['ru', 'en']).default('ru').openapi({ description: 'language of the names (municipality, sector, category)' }),
});

const SliceSchema = z
  .object({
    groupBy: z.array(z.enum(DIMENSIONS)),
    metrics: z.array(z.enum(METRICS)),
    columns: z.array(z.object({ name: z.string(), kind: z.enum(['dimension', 'label', 'metric']) })),
    rows: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))).openapi({
      description: 'one object per row, keyed by column name: <dimension> (an id for municipality, sector, category, executor), <dimension>_name, then the metrics',
    }),
  })
  .openapi('SliceTable');

export const route = createRoute({
  method: 'get',
  operationId: 'getStatsSlices',
  path: '/stats/slices',
  tags: ['statistics'],
  summary: 'Statistical slices: messages grouped by any dimensions, with the chosen measures (JSON or CSV)',
  description:
    'count; overdue_share (KPI 7 overdue among accepted into work); solved_share (solved among solved + explained, as KPI 6); ' +
    "median_first_answer_hours (filing to the first intermediate or final answer); avg_rating (authors' stars). Shares and means over nothing are null. " +
    "Within the key's scope: executors see their own messages only.",
  ...access('messages.read'),
  request: { query: Query },
  responses: {
    200: { description: 'The table', content: { 'application/json': { schema: SliceSchema }, 'text/csv': { schema: z.string() } } },
    ...problems(400, 404),
  },
});

/** The table as CSV: a header of column names, one line per row; csv-stringify quotes and escapes. */
export function sliceCsv(table: SliceTable): string {
  const names = table.columns.map((c) => c.name);
  return stringify(
    table.rows.map((row) => names.map((n) => row[n] ?? '')),
    { header: true, columns: names, bom: true, escape_formulas: true, record_delimiter: 'windows' },
  );
}

export function registerSlices(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { groupBy = [], metrics = ['count'], format, lang, ...query } = c.req.valid('query');
    if (new Set(groupBy).size !== groupBy.length) throw new DomainError('VALIDATION', { field: 'groupBy', problem: 'a dimension is named twice' });
    if (new Set(metrics).size !== metrics.length) throw new DomainError('VALIDATION', { field: 'metrics', problem: 'a metric is named twice' });
    const table = await computeSlices(deps.db, scopeOf(c.get('principal')), { filter: statsFilterOf(query), groupBy, metrics, language: lang }, deps.clock());
    if (format === 'csv') {
      return c.body(sliceCsv(table), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="slices.csv"' });
    }
    return c.json({ groupBy, metrics, ...table }, 200);
  });
}
