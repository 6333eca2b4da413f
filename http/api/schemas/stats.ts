import { z } from '@hono/zod-openapi';
import { DomainError } from '../../../core/errors.ts';
import { MESSAGE_SOURCES, type StatsFilter } from '../../../core/stats/filter.ts';
import { PERIOD_PATTERN } from '../../../core/stats/period.ts';
import { Id, instantRange, QueryBoolean } from './common.ts';
import { MessageStatus } from './message.ts';

/**
 * A comma-separated list of enum values in a query string, e.g. `status=new,in_work`. Given as a
 * repeated parameter (`groupBy=a&groupBy=b`), the 400 says to list the values once, comma-separated.
 */
export function commaList<const T extends readonly [string, ...string[]]>(values: T, example: string) {
  return z
    .string({ error: (issue) => (Array.isArray(issue.input) ? `given more than once: list the values once, comma-separated (e.g. ${example})` : undefined) })
    .transform((v) => v.split(','))
    .pipe(z.array(z.enum(values)))
    .openapi({ type: 'string', description: `comma-separated: ${values.join(', ')}`, example });
}

/** The filters shared by the heat map and the slices (core/stats/filter.ts). */
export const StatsFilterQuery = {
  period: z
    .string()
    .regex(PERIOD_PATTERN, 'expected YYYY, YYYY-MM, YYYY-Www or YYYY-MM-DD')
    .optional()
    .openapi({ description: 'filed in this local period of the municipality: a year, a month, an ISO week or a day', example: '2026-11' }),
  from: z.iso.datetime({ offset: true }).optional().openapi({ description: 'filed at or after (instead of period)' }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: 'filed before (instead of period)' }),
  municipalityId: Id.optional(),
  sectorId: Id.optional(),
  categoryId: Id.optional(),
  status: commaList(MessageStatus.options as [z.infer<typeof MessageStatus>, ...z.infer<typeof MessageStatus>[]], 'in_work,solved').optional(),
  source: commaList(MESSAGE_SOURCES, 'tg,vk').optional().openapi({ description: "where messages came from: tg, vk (the residents' bots), open_source (public posts found by the platform), other" }),
  overdue: QueryBoolean.optional().openapi({
    description: 'true: only overdue by KPI 7 (in work over 14 days without an intermediate answer in time, still open or closed late); false: never overdue',
  }),
};

type FilterQuery = {
  period?: string;
  from?: string;
  to?: string;
  municipalityId?: number;
  sectorId?: number;
  categoryId?: number;
  status?: StatsFilter['status'];
  source?: StatsFilter['source'];
  overdue?: boolean;
};

/** The core filter of a validated query; a period and from/to together are refused. */
export function statsFilterOf(query: FilterQuery): StatsFilter {
  const { period, from, to, ...rest } = query;
  if (period !== undefined && (from !== undefined || to !== undefined)) {
    throw new DomainError('VALIDATION', { field: 'period', problem: 'give either period or from/to, not both' });
  }
  return { ...rest, period, ...instantRange(from, to) };
}
