import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { DomainError } from '../../../../core/errors.ts';
import { monthlyReport } from '../../../../core/kpi/report.ts';
import { reportCsv, reportXlsx } from '../../../../core/kpi/report-files.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, problems, Timestamp } from '../../schemas/common.ts';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The files' labels (parts, columns, metrics, sources) in the language asked, Russian by default as in /stats/slices. */
export const ReportLanguage = z
  .enum(['ru', 'en'])
  .default('ru')
  .openapi({ description: 'language of the CSV and XLSX labels (part names, columns, metrics, sources); the JSON keeps its field names' });

const Query = z.strictObject({
  municipalityId: Id.optional().openapi({ description: 'required for operators' }),
  period: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM')
    .openapi({ description: 'a local month; the running one is answered as of now (partial), one not begun yet is 422 PERIOD_NOT_STARTED', example: '2026-11' }),
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
const ReportSchema = z
  .object({
    municipalityId: z.number().int(),
    municipalityRu: z.string(),
    municipalityEn: z.string(),
    period: z.string(),
    asOf: Timestamp.openapi({ description: "the instant the figures are as of: the month's end, or when the report was made in a month still running (partial figures)" }),
    timeliness: z.object({
      messages: z.number(),
      accepted: z.number(),
      overdue: z.number(),
      overdueShare: Num,
      medianWorkingHoursToFirstAnswer: Num,
      medianWorkingHoursToClosure: Num,
      firstHourRule: z.object({ messages: z.number(), onTime: z.number(), compliance: Num }),
    }),
    quality: z.object({ rated: z.number(), averageStars: Num, share4to5: Num, stars: z.record(z.string(), z.number()), answersReturned: z.number(), messagesReopened: z.number() }),
    dynamics: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))),
    openSource: OpenSourceSchema,
  })
  .openapi('MonthlyReport');

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
    'working time to the first draft and to the first publication; drafts returned, solved share, ratings; messages per source vs the previous month and a year before.',
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

export function registerMonthlyReport(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId, period, format, lang } = c.req.valid('query');
    const id = listMunicipality(scopeOf(c.get('principal')), municipalityId);
    if (id === null) throw new DomainError('VALIDATION', { field: 'municipalityId', problem: 'required' });
    const report = await monthlyReport(deps.db, id, period, deps.clock());
    const filename = `report-${id}-${period}`;
    if (format === 'csv') return c.body(reportCsv(report, lang), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${filename}.csv"` });
    if (format === 'xlsx') {
      const bytes = await reportXlsx(report, lang);
      return c.body(new Uint8Array(bytes), 200, { 'content-type': XLSX_TYPE, 'content-disposition': `attachment; filename="${filename}.xlsx"` });
    }
    return c.json(report, 200);
  });
}
