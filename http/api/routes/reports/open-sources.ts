import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { openSourceRegionReport } from '../../../../core/kpi/report.ts';
import { openSourceRegionCsv, openSourceRegionTables, openSourceRegionXlsx } from '../../../../core/kpi/report-files.ts';
import type { ApiApp, ApiDeps, ApiEnv } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, problems, Timestamp } from '../../schemas/common.ts';
import { FigureSourceFields } from '../../schemas/kpi.ts';
import { OpenSourceSchema, ReportLanguage, ReportPeriod, TablesLanguage, tablesRouteOf, XLSX_TYPE } from './monthly.ts';

const MunicipalityId = Id.optional().openapi({ description: "operators: omit for every municipality of the region; others: their own municipality's row (omitted or named)" });

const Query = z.strictObject({
  period: ReportPeriod,
  municipalityId: MunicipalityId,
  format: z.enum(['json', 'csv', 'xlsx']).default('json').openapi({
    description:
      'csv: one file, a section per part; xlsx: a sheet per part (Report: period, as of, scope; OpenSource: a row per municipality and the total; OpenSourceDynamics: messages per municipality and source)',
  }),
  lang: ReportLanguage,
});

const RowSchema = OpenSourceSchema.extend({
  municipalityId: z.number().int(),
  municipalityRu: z.string(),
  municipalityEn: z.string(),
  ...FigureSourceFields,
  // anyOf [$ref, null], not a nullable $ref (openapi.test.ts: allOf with a null type is a schema no null satisfies).
  live: z.union([OpenSourceSchema, z.null()]).openapi({ description: "when liveDiffers: the row's figures as the data give them now" }),
}).openapi('OpenSourceSummaryRow', {
  description: "A municipality's open-source messages filed in the month (the monthly report's openSource part), its names, and where its figures come from",
});

const SummarySchema = z
  .object({
    period: z.string(),
    asOf: Timestamp.openapi({ description: "the instant the figures are as of: the month's end, or when the summary was made in a month still running (partial figures)" }),
    municipalityId: z.number().int().nullable().openapi({ description: 'null: every municipality of the region; otherwise the one municipality the summary is narrowed to' }),
    items: z.array(RowSchema).openapi({ description: 'one row per municipality, by Russian name' }),
    total: OpenSourceSchema.openapi({
      description: 'pooled from the messages of the rows listed (the region when not narrowed): counts summed, shares and medians over the pooled messages, not averages of the rows',
    }),
    ...FigureSourceFields,
    live: z
      .object({ asOf: Timestamp, total: OpenSourceSchema })
      .nullable()
      .openapi({ description: 'when liveDiffers (a row or the total now differs): the total as the data give it now (each differing row has its own `live`)' }),
  })
  .openapi('OpenSourceSummary');

export const route = createRoute({
  method: 'get',
  operationId: 'getOpenSourceSummary',
  path: '/reports/open-sources',
  tags: ['kpi'],
  summary: "The region's monthly open-source summary of seed 004 §25 (what the ЦУР reports to the Governor): a row per municipality and the region's total (JSON, CSV or XLSX)",
  description:
    "The monthly report's openSource part for every municipality at once, over the open-source messages filed in the local month (a linked duplicate in work counted once), " +
    'as of its end or now: the 1-working-hour draft rule met / missed / pending, answers approved and published in the social networks (a comment under the post or by hand), ' +
    'working time to the first draft and to the first publication; drafts returned, solved share, ratings; messages per source vs the previous month and the same month a year before. ' +
    "The total is pooled from the messages, not averaged over the rows. Operators read the region; a municipality's official reads their own municipality's row (and a total equal to it). " +
    'As GET /reports/monthly: an ended month is read from what was frozen when it ended (with its KPIs, by the kpi-snapshots job; snapshotAt), which a message reopened since ' +
    "does not change (liveDiffers, live: the figures the data now give) until POST /kpi/recompute; each row says where its own figures come from, the summary's fields sum them up " +
    '(fromSnapshot: any row frozen; snapshotAt: the latest; liveDiffers: any row or the total). The running month is measured live. ' +
    'The files and /tables are written from the same figures (their Report part: snapshot_at, live_differs).',
  ...access('kpi.read'),
  request: { query: Query },
  responses: {
    200: {
      description: 'The summary',
      content: { 'application/json': { schema: SummarySchema }, 'text/csv': { schema: z.string() }, [XLSX_TYPE]: { schema: z.string().openapi({ format: 'binary' }) } },
    },
    ...problems(400, 404, 422),
  },
});

export const tablesRoute = tablesRouteOf('getOpenSourceSummaryTables', {
  of: '/reports/open-sources',
  what: "The region's open-source summary",
  query: z.strictObject({ period: ReportPeriod, municipalityId: MunicipalityId, lang: TablesLanguage }),
});

/** Operators: the region (or the municipality they name); anyone else: their own municipality only. */
function summaryFor(c: Context<ApiEnv>, deps: ApiDeps, municipalityId: number | undefined, period: string) {
  return openSourceRegionReport(deps.db, { municipalityId: listMunicipality(scopeOf(c.get('principal')), municipalityId), period }, deps.clock());
}

export function registerOpenSourceSummaryTables(app: ApiApp, deps: ApiDeps) {
  app.openapi(tablesRoute, async (c) => {
    const { municipalityId, period, lang } = c.req.valid('query');
    return c.json({ tables: openSourceRegionTables(await summaryFor(c, deps, municipalityId, period), lang) }, 200);
  });
}

export function registerOpenSourceSummary(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId, period, format, lang } = c.req.valid('query');
    const report = await summaryFor(c, deps, municipalityId, period);
    const id = report.municipalityId;
    const filename = `open-sources-${id ?? 'region'}-${period}`;
    if (format === 'csv') return c.body(openSourceRegionCsv(report, lang), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${filename}.csv"` });
    if (format === 'xlsx') {
      const bytes = await openSourceRegionXlsx(report, lang);
      return c.body(new Uint8Array(bytes), 200, { 'content-type': XLSX_TYPE, 'content-disposition': `attachment; filename="${filename}.xlsx"` });
    }
    return c.json(report, 200);
  });
}
