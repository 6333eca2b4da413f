import { TZDate } from '@date-fns/tz';
import { z } from '@hono/zod-openapi';
import { isCalendarDate } from '../../../core/calendar/calendar-date.ts';
import type { Contest, ContestEntry, DrawRecord } from '../../../core/contests/contests.ts';
import { MAX_CAPTION } from '../../../core/contests/contests.ts';
import { DomainError } from '../../../core/errors.ts';
import { BodyId, Timestamp } from './common.ts';

const Text = (max: number) => z.string().trim().min(1).max(max);

/**
 * A date-time with its offset (exact), or a plain date in the municipality's time zone: for a
 * start ("from", the results day) the start of that day, 00:00; for an end ("to": entries until
 * the 15th, voting until the 20th) through the end of that day, 23:59:59.999, as a moderator
 * writing "до 15 декабря" means.
 */
export const ContestTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?$/, 'a date-time with an offset (2026-12-10T00:00:00+07:00) or a local date (2026-12-10)')
  .openapi({
    description: "a date-time with an offset (exact), or a date in the municipality's time zone: entriesTo and votingTo through the end of that day (23:59:59.999), the others from its start (00:00)",
    example: '2026-12-10T00:00:00+07:00',
  });

/** The fields whose plain date means the end of that day (the last day entries or votes are taken). */
const END_OF_DAY_FIELDS: readonly string[] = ['entriesTo', 'votingTo'];

export function contestTime(value: string, timeZone: string, field: string): Date {
  if (!isCalendarDate(value.slice(0, 10))) throw new DomainError('VALIDATION', { field, problem: 'not a valid date-time' });
  const [y, m, d] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  if (value.length === 10) return new Date((END_OF_DAY_FIELDS.includes(field) ? new TZDate(y, m - 1, d, 23, 59, 59, 999, timeZone) : new TZDate(y, m - 1, d, 0, 0, 0, timeZone)).getTime());
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new DomainError('VALIDATION', { field, problem: 'not a valid date-time' });
  return at;
}

export const DrawingFormatSchema = z.enum(['audience_vote', 'jury', 'random_draw']).openapi('DrawingFormat', {
  description: 'audience_vote: most votes wins (ties: the earlier entry); jury: officials choose; random_draw: a verifiable draw among accepted entries',
});
export const EntryKindSchema = z.enum(['photo', 'video', 'any']).openapi('EntryKind', { description: 'video: a video contest («Сторис»)' });

export const ContestFieldsSchema = {
  title: Text(200).nullable().optional(),
  organiser: Text(300).nullable().optional(),
  terms: Text(4000).nullable().optional().openapi({ description: 'условия: what to send, rules, how winners are chosen' }),
  topic: Text(300).nullable().optional(),
  prizes: Text(1000).nullable().optional(),
  drawingFormat: DrawingFormatSchema.nullable().optional(),
  winnersCount: z.number().int().min(1).max(100).nullable().optional(),
  entryKind: EntryKindSchema.nullable().optional(),
  entriesFrom: ContestTime.nullable().optional(),
  entriesTo: ContestTime.nullable().optional(),
  votingFrom: ContestTime.nullable().optional(),
  votingTo: ContestTime.nullable().optional(),
  resultsOn: ContestTime.nullable().optional(),
  maxEntriesPerResident: z.number().int().min(1).max(20).optional().openapi({ description: 'entries per resident (default 1)' }),
  maxSizeMb: z.number().int().min(1).max(2000).nullable().optional().openapi({ description: 'size limit of one file, MB (else the media store limits)' }),
  maxDurationSeconds: z.number().int().min(1).max(36000).nullable().optional().openapi({ description: 'video length limit, seconds' }),
};

export const CreateContestBody = z.strictObject({
  municipalityId: BodyId.nullable().openapi({ description: 'null: the whole region (operators only)' }),
  ...ContestFieldsSchema,
});
export const UpdateContestBody = z.strictObject(ContestFieldsSchema);

const TIME_FIELDS = ['entriesFrom', 'entriesTo', 'votingFrom', 'votingTo', 'resultsOn'] as const;

/** Body fields → core fields, dates resolved in the municipality's time zone. */
export function contestFields(body: z.infer<typeof UpdateContestBody>, timeZone: string) {
  const out: Record<string, unknown> = { ...body };
  for (const field of TIME_FIELDS) {
    const value = body[field];
    if (value !== undefined) out[field] = value === null ? null : contestTime(value, timeZone, field);
  }
  return out as Omit<typeof body, (typeof TIME_FIELDS)[number]> & { [K in (typeof TIME_FIELDS)[number]]?: Date | null };
}

export const ContestSchema = z
  .object({
    id: z.number().int(),
    municipalityId: z.number().int().nullable(),
    state: z.enum(['draft', 'published', 'entries_open', 'voting_open', 'winners_chosen', 'results_published', 'withdrawn']),
    title: z.string().nullable(),
    organiser: z.string().nullable(),
    terms: z.string().nullable(),
    topic: z.string().nullable(),
    prizes: z.string().nullable(),
    drawingFormat: DrawingFormatSchema.nullable(),
    winnersCount: z.number().int().nullable(),
    entryKind: EntryKindSchema.nullable(),
    entriesFrom: Timestamp.nullable(),
    entriesTo: Timestamp.nullable(),
    votingFrom: Timestamp.nullable(),
    votingTo: Timestamp.nullable(),
    resultsOn: Timestamp.nullable(),
    maxEntriesPerResident: z.number().int(),
    maxSizeMb: z.number().int().nullable(),
    maxDurationSeconds: z.number().int().nullable(),
    drawCommitment: z.string().nullable().openapi({ description: 'random_draw: SHA-256 (hex) of the seed, published when entries open' }),
    publishedAt: Timestamp.nullable(),
    withdrawnAt: Timestamp.nullable(),
    withdrawnReason: z.string().nullable().openapi({ description: 'why officials withdrew it, as given (null: none given); told to the participants' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Contest');

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function contestDto(c: Contest): z.infer<typeof ContestSchema> {
  return {
    id: c.id,
    municipalityId: c.municipalityId,
    state: c.state,
    title: c.title,
    organiser: c.organiser,
    terms: c.terms,
    topic: c.topic,
    prizes: c.prizes,
    drawingFormat: c.drawingFormat,
    winnersCount: c.winnersCount,
    entryKind: c.entryKind,
    entriesFrom: iso(c.entriesFrom),
    entriesTo: iso(c.entriesTo),
    votingFrom: iso(c.votingFrom),
    votingTo: iso(c.votingTo),
    resultsOn: iso(c.resultsOn),
    maxEntriesPerResident: c.maxEntriesPerResident,
    maxSizeMb: c.maxSizeMb,
    maxDurationSeconds: c.maxDurationSeconds,
    drawCommitment: c.drawCommitment,
    publishedAt: iso(c.publishedAt),
    withdrawnAt: iso(c.withdrawnAt),
    withdrawnReason: c.withdrawnReason,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export const EntrySchema = z
  .object({
    id: z.number().int(),
    contestId: z.number().int(),
    channel: z.enum(['tg', 'vk']),
    mediaId: z.number().int().openapi({ description: 'the file in the media store: GET /api/v1/media/{mediaId}' }),
    mediaKind: z.enum(['photo', 'video']),
    caption: z.string().max(MAX_CAPTION),
    durationSeconds: z.number().int().nullable(),
    state: z.enum(['pending', 'accepted', 'rejected']),
    rejectReason: z.string().nullable(),
    votes: z.number().int(),
    rank: z.number().int().nullable(),
    winnerPlace: z.number().int().nullable(),
    createdAt: Timestamp,
    moderatedAt: Timestamp.nullable(),
  })
  .openapi('ContestEntry');

export function entryDto(e: ContestEntry): z.infer<typeof EntrySchema> {
  return {
    id: e.id,
    contestId: e.contestId,
    channel: e.channel,
    mediaId: e.mediaId,
    mediaKind: e.mediaKind,
    caption: e.caption,
    durationSeconds: e.durationSeconds,
    state: e.state,
    rejectReason: e.rejectReason,
    votes: e.votes,
    rank: e.rank,
    winnerPlace: e.winnerPlace,
    createdAt: e.createdAt.toISOString(),
    moderatedAt: iso(e.moderatedAt),
  };
}

export const DrawSchema = z
  .object({
    contestId: z.number().int(),
    commitment: z.string().nullable().openapi({ description: 'hex SHA-256 of the seed, published when entries opened' }),
    seed: z.string().nullable().openapi({ description: 'revealed at the draw (64 hex characters); null before' }),
    drawnAt: Timestamp.nullable(),
    entries: z.array(z.number().int()).openapi({ description: 'ids of the accepted entries, ascending: the candidates' }),
    winners: z.array(z.number().int()).openapi({ description: 'winning entry ids, first place first' }),
    algorithm: z.string(),
  })
  .openapi('ContestDraw');

export function drawDto(d: DrawRecord): z.infer<typeof DrawSchema> {
  return { ...d, drawnAt: iso(d.drawnAt) };
}
