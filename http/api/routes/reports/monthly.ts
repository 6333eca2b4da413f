import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { DomainError } from '../../../../core/errors.ts';
import { monthlyReport } from '../../../../core/kpi/report.ts';
import { reportCsv, reportTables, reportXlsx } from '../../../../core/kpi/report-files.ts';
import type { ApiApp, ApiDeps, ApiEnv } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, problems, Timestamp } from '../../schemas/common.ts';
import { FigureSourceFields } from '../../schemas/kpi.ts';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The files' labels (parts, columns, metrics, sources) in the language asked, Russian by default as in /stats/slices. */
export const ReportLanguage = z
  .enum(['ru', 'en'])
  .default('ru')
  .openapi({ description: 'language of the CSV and XLSX labels (part names, columns, metrics, sources); the JSON keeps its field names' });

/** The month a report covers, shared by the report's JSON, its files and its tables. */
export const ReportPeriod = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM')
  .openapi({ description: 'a local month; the running one is answered as of now (partial), one not begun yet is 422 PERIOD_NOT_STARTED', example: '2026-11' });

/** `lang` of the /tables routes: the labels the files show, in the language asked. */
export const TablesLanguage = ReportLanguage.openapi({ description: 'language of the labels (part names, columns, metrics, sources), as in the CSV and XLSX' });

const MunicipalityId = Id.optional().openapi({ description: 'required for operators' });

const Query = z.strictObject({
  municipalityId: MunicipalityId,
  period: ReportPeriod,
  format: z
    .enum(['json', 'csv', 'xlsx'])
    .default('json')
    .openapi({ description: 'csv: one file, a section per part; xlsx: a sheet per part (Report: municipality, period, as of; Timeliness, Quality, Dynamics, OpenSource, OpenSourceDynamics)' }),
  lang: ReportLanguage,
});

const Num = z.number().nullable();
const Int = z.number().int();
const ChangeCounts = {
  current: Int,
  previousMonth: Int,
  previousYear: Int,
  monthOverMonth: Int,
  monthOverMonthShare: Num.openapi({ description: 'null when the previous month had none' }),
  yearOverYear: Int,
  yearOverYearShare: Num.openapi({ description: 'null when the same month a year before had none' }),
};
export const OpenSourceSchema = z
  .object({
    messages: Int.openapi({ description: 'open-source messages filed in the month, a linked duplicate in work counted once' }),
    timeliness: z.object({
      firstHourRule: z
        .object({ met: Int, missed: Int, pending: Int, compliance: Num.openapi({ description: 'met / (met + missed)' }) })
        .openapi({ description: 'seed 004 §13: a first draft within 1 working hour of acceptance; pending: the hour has not run out yet' }),
      medianWorkingMinutesToFirstDraft: Num,
      answersApproved: Int,
      answersPublished: Int.openapi({ description: 'approved answers posted under the source post (outbox sent) or published by hand with a recorded URL' }),
      publishedAsSourceComment: Int,
      publishedByHand: Int,
      awaitingPublication: Int.openapi({ description: 'approved, not published yet' }),
      messagesWithPublishedAnswer: Int,
      medianWorkingHoursToFirstPublication: Num.openapi({ description: 'from acceptance to the first published answer' }),
    }),
    quality: z.object({
      drafts: Int,
      draftsReturned: Int.openapi({ description: 'drafts the curator returned at least once' }),
      returnedShare: Num,
      closed: Int,
      solved: Int,
      solvedShare: Num,
      rated: Int,
      averageStars: Num,
      share4to5: Num,
    }),
    dynamics: z.object({
      total: z.object(ChangeCounts),
      bySource: z.array(z.object({ source: z.enum(['tg', 'vk', 'vk_wall', 'vk_page', 'ok', 'web', 'open311', 'other']), ...ChangeCounts })),
    }),
  })
  .openapi('MonthlyReportOpenSource', {
    description: 'Seed 004 §25 for the open-source messages filed in the month, as of its end (or now): timeliness of preparing and publishing answers, their quality, dynamics per source',
  });
const Timeliness = z.object({
  messages: z.number(),
  accepted: z.number(),
  overdue: z.number(),
  overdueShare: Num,
  medianWorkingHoursToFirstAnswer: Num,
  medianWorkingHoursToClosure: Num,
  firstHourRule: z.object({ messages: z.number(), onTime: z.number(), compliance: Num }),
});
const Quality = z.object({ rated: z.number(), averageStars: Num, share4to5: Num, stars: z.record(z.string(), z.number()), answersReturned: z.number(), messagesReopened: z.number() });
const Dynamics = z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()])));

const ReportSchema = z
  .object({
    municipalityId: z.number().int(),
    municipalityRu: z.string(),
    municipalityEn: z.string(),
    period: z.string(),
    asOf: Timestamp.openapi({ description: "the instant the figures are as of: the month's end, or when the report was made in a month still running (partial figures)" }),
    timeliness: Timeliness,
    quality: Quality,
    dynamics: Dynamics,
    openSource: OpenSourceSchema,
    ...FigureSourceFields,
    live: z
      .object({ asOf: Timestamp, timeliness: Timeliness.optional(), quality: Quality.optional(), dynamics: Dynamics.optional(), openSource: OpenSourceSchema.optional() })
      .nullable()
      .openapi({ description: 'when liveDiffers: the parts whose figures the data now give otherwise, as they give them (the others are as frozen)' }),
  })
  .openapi('MonthlyReport');

const Cell = z.union([z.string(), z.number(), z.null()]);
export const ReportTablesSchema = z
  .object({
    tables: z.array(
      z
        .object({
          part: z.string().openapi({ description: "the part's code (Report, Timeliness, …), as in the format=xlsx description", example: 'Timeliness' }),
          title: z.string().openapi({ description: "the part's name: the CSV's first column, the XLSX's sheet", example: 'Своевременность' }),
          columns: z.array(z.object({ code: z.string(), label: z.string() })).openapi({ description: "the columns' codes and the labels of the file's header row" }),
          rows: z.array(
            z.object({
              code: z.string().nullable().openapi({ description: 'the field or metric of a row of a part of field/value or metric/value rows (its first cell is its label); null elsewhere' }),
              total: z.boolean().openapi({ description: 'a total of the rows above it (the source `all`, the region)' }),
              cells: z.array(Cell).openapi({ description: "the row's cells as the file has them, a column each (null: an empty cell)" }),
            }),
          ),
        })
        .openapi('ReportTable'),
    ),
  })
  .openapi('ReportTables', { description: "A report's parts as tables, built by the code that writes its CSV and XLSX: the same parts, labels and cells, codes beside the labels" });

export const route = createRoute({
  method: 'get',
  operationId: 'getMonthlyReport',
  path: '/reports/monthly',
  tags: ['kpi'],
  summary: 'The monthly report of seed 004 §25: timeliness, quality and dynamics of messages, and of open-source messages apart (JSON, CSV or XLSX)',
  description:
    'Over the messages filed in the local month. Timeliness: overdue share (KPI 7 rule among accepted), median working hours to the first answer and to closure, ' +
    'the 1-working-hour rule for open-source and urgent messages. Quality: ratings, share 4–5, answers returned, messages reopened. ' +
    'Dynamics: messages per sector and category vs the previous month and the same month a year before. ' +
    'openSource (seed 004 §25, open-source messages only): the 1-working-hour draft rule met / missed / pending, answers approved and published (comment under the post or by hand), ' +
    'working time to the first draft and to the first publication; drafts returned, solved share, ratings; messages per source vs the previous month and a year before. ' +
    'As GET /kpi: an ended month is read from its snapshot (frozen with its KPI when it ended: the official report, snapshotAt), which a message reopened since ' +
    'does not change (liveDiffers, live: the parts that now differ) until POST /kpi/recompute; the running month, and an ended one without a snapshot, are measured live. ' +
    'The files and /tables are written from the same figures (their Report part: snapshot_at, live_differs).',
  ...access('kpi.read'),
  request: { query: Query },
  responses: {
    200: {
      description: 'The report',
      content: { 'application/json': { schema: ReportSchema }, 'text/csv': { schema: z.string() }, [XLSX_TYPE]: { schema: z.string().openapi({ format: 'binary' }) } },
    },
    ...problems(400, 404, 422),
  },
});

/** A report's /tables route beside its file route: the same access and refusals, the file's tables in JSON. */
export function tablesRouteOf<Q extends z.ZodObject>(operationId: string, o: { of: string; what: string; query: Q }) {
  return createRoute({
    method: 'get',
    operationId,
    path: `${o.of}/tables`,
    tags: ['kpi'],
    summary: `${o.what} as the tables of its CSV and XLSX: each part, its labels and its cells, in JSON`,
    description:
      `What GET ${o.of}?format=csv writes, part for part and cell for cell, for a page that shows the file: ` +
      "the CSV's sections (the XLSX's sheets) with their labels in the language asked and the codes beside them, the total rows marked. " +
      'The same access, the same refusals.',
    ...access('kpi.read'),
    request: { query: o.query },
    responses: { 200: { description: 'The tables', content: { 'application/json': { schema: ReportTablesSchema } } }, ...problems(400, 404, 422) },
  });
}

export const tablesRoute = tablesRouteOf('getMonthlyReportTables', {
  of: '/reports/monthly',
  what: 'The monthly report',
  query: z.strictObject({ municipalityId: MunicipalityId, period: ReportPeriod, lang: TablesLanguage }),
});

/** The report a request may read: an official's own municipality, the one an operator names. */
async function reportFor(c: Context<ApiEnv>, deps: ApiDeps, municipalityId: number | undefined, period: string) {
  const id = listMunicipality(scopeOf(c.get('principal')), municipalityId);
  if (id === null) throw new DomainError('VALIDATION', { field: 'municipalityId', problem: 'required' });
  return monthlyReport(deps.db, id, period, deps.clock());
}

export function registerMonthlyReport(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId, period, format, lang } = c.req.valid('query');
    const report = await reportFor(c, deps, municipalityId, period);
    const id = report.municipalityId;
    const filename = `report-${id}-${period}`;
    if (format === 'csv') return c.body(reportCsv(report, lang), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${filename}.csv"` });
    if (format === 'xlsx') {
      const bytes = await reportXlsx(report, lang);
      return c.body(new Uint8Array(bytes), 200, { 'content-type': XLSX_TYPE, 'content-disposition': `attachment; filename="${filename}.xlsx"` });
    }
    return c.json(report, 200);
  });
}

export function registerMonthlyReportTables(app: ApiApp, deps: ApiDeps) {
  app.openapi(tablesRoute, async (c) => {
    const { municipalityId, period, lang } = c.req.valid('query');
    return c.json({ tables: reportTables(await reportFor(c, deps, municipalityId, period), lang) }, 200);
  });
}
