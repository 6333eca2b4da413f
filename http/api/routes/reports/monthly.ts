import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { DomainError } from '../../../../core/errors.ts';
import { monthlyReport } from '../../../../core/kpi/report.ts';
import { reportCsv, reportXlsx } from '../../../../core/kpi/report-files.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, problems } from '../../schemas/common.ts';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const Query = z.strictObject({
  municipalityId: Id.optional().openapi({ description: 'required for operators' }),
  period: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM')
    .openapi({ description: 'a local month', example: '2026-11' }),
  format: z.enum(['json', 'csv', 'xlsx']).default('json').openapi({ description: 'csv: one file, a section per part; xlsx: a sheet per part' }),
});

const Num = z.number().nullable();
const ReportSchema = z
  .object({
    municipalityId: z.number().int(),
    period: z.string(),
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
  })
  .openapi('MonthlyReport');

export const route = createRoute({
  method: 'get',
  operationId: 'getMonthlyReport',
  path: '/reports/monthly',
  tags: ['kpi'],
  summary: 'The monthly report of seed 004 §25: timeliness, quality and dynamics of messages (JSON, CSV or XLSX)',
  description:
    'Over the messages filed in the local month. Timeliness: overdue share (KPI 7 rule among accepted), median working hours to the first answer and to closure, ' +
    'the 1-working-hour rule for open-source and urgent messages. Quality: ratings, share 4–5, answers returned, messages reopened. ' +
    'Dynamics: messages per sector and category vs the previous month and the same month a year before.',
  ...access('kpi.read'),
  request: { query: Query },
  responses: {
    200: {
      description: 'The report',
      content: { 'application/json': { schema: ReportSchema }, 'text/csv': { schema: z.string() }, [XLSX_TYPE]: { schema: z.string().openapi({ format: 'binary' }) } },
    },
    ...problems(400, 404),
  },
});

export function registerMonthlyReport(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId, period, format } = c.req.valid('query');
    const id = listMunicipality(scopeOf(c.get('principal')), municipalityId);
    if (id === null) throw new DomainError('VALIDATION', { field: 'municipalityId', problem: 'required' });
    const report = await monthlyReport(deps.db, id, period, deps.clock());
    const filename = `report-${id}-${period}`;
    if (format === 'csv') return c.body(reportCsv(report), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${filename}.csv"` });
    if (format === 'xlsx') {
      const bytes = await reportXlsx(report);
      return c.body(new Uint8Array(bytes), 200, { 'content-type': XLSX_TYPE, 'content-disposition': `attachment; filename="${filename}.xlsx"` });
    }
    return c.json(report, 200);
  });
}
