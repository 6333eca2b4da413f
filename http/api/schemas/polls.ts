import { z } from '@hono/zod-openapi';
import type { DirectLine, DirectLineQuestion } from '../../../core/polls/direct-line.ts';
import type { PollDecision } from '../../../core/polls/decisions.ts';
import type { Poll } from '../../../core/polls/polls.ts';
import type { PollResults } from '../../../core/polls/results.ts';
import { BodyId, Timestamp } from './common.ts';

const Kind = z.enum(['poll', 'vote']).openapi({ description: 'vote (голосование): one single-choice question' });
const QuestionKind = z.enum(['single', 'multiple', 'text']);
const Visibility = z.enum(['after_vote', 'after_publication']).openapi({ description: 'when a voter sees the results in the bot' });
const DateTime = z.iso.datetime({ offset: true }).openapi({ format: 'date-time', example: '2026-12-07T03:00:00Z' });
const LocalDate = z.iso.date().openapi({ format: 'date', example: '2026-12-20' });

export const QuestionBody = z.strictObject({
  kind: QuestionKind,
  text: z.string().max(500),
  maxChoices: z.number().int().min(1).max(10).nullable().optional().openapi({ description: 'multiple choice: at most this many options (default all)' }),
  options: z.array(z.string().max(100)).max(50).optional().openapi({ description: 'choice questions: 2 to 10; free text: none' }),
});

const PollFields = {
  kind: Kind,
  title: z.string().max(200),
  description: z.string().max(4000).optional(),
  categoryId: BodyId.nullable().optional().openapi({ description: 'a category of the shared directory' }),
  mediaId: BodyId.nullable().optional().openapi({ description: 'an image from POST /media shown with the announcement' }),
  resultsVisibility: Visibility.optional(),
  startsAt: DateTime,
  endsAt: DateTime.openapi({ description: 'after startsAt, at most 90 days later' }),
  questions: z.array(QuestionBody).max(50).openapi({ description: '1 to 20 questions' }),
};

export const CreatePollBody = z.strictObject({ municipalityId: BodyId.nullable().openapi({ description: 'null (operators only): the whole region' }), ...PollFields }).openapi('CreatePoll');

export const UpdatePollBody = z
  .strictObject({
    kind: PollFields.kind.optional(),
    title: PollFields.title.optional(),
    description: PollFields.description,
    categoryId: PollFields.categoryId,
    mediaId: PollFields.mediaId,
    resultsVisibility: PollFields.resultsVisibility,
    startsAt: DateTime.optional(),
    endsAt: DateTime.optional(),
    questions: PollFields.questions.optional().openapi({ description: 'replaces every question' }),
  })
  .openapi('UpdatePoll');

export const PollSchema = z
  .object({
    id: z.number().int(),
    municipalityId: z.number().int().nullable().openapi({ description: 'null: the whole region' }),
    kind: Kind,
    state: z.enum(['draft', 'published', 'closed', 'results_published']),
    title: z.string(),
    description: z.string(),
    categoryId: z.number().int().nullable(),
    mediaId: z.number().int().nullable(),
    resultsVisibility: Visibility,
    startsAt: Timestamp,
    endsAt: Timestamp,
    publishedAt: Timestamp.nullable(),
    announcedAt: Timestamp.nullable().openapi({ description: 'when residents were told of the poll; a poll published ahead of its start is announced when it opens (null until then)' }),
    closedAt: Timestamp.nullable(),
    resultsPublishedAt: Timestamp.nullable(),
    createdByStaffId: z.number().int().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    questions: z.array(
      z.object({
        id: z.number().int(),
        position: z.number().int(),
        kind: QuestionKind,
        text: z.string(),
        maxChoices: z.number().int().nullable(),
        options: z.array(z.object({ id: z.number().int(), position: z.number().int(), text: z.string() })),
      }),
    ),
  })
  .openapi('Poll');

export function pollDto(p: Poll): z.infer<typeof PollSchema> {
  return {
    ...p,
    startsAt: p.startsAt.toISOString(),
    endsAt: p.endsAt.toISOString(),
    publishedAt: p.publishedAt?.toISOString() ?? null,
    announcedAt: p.announcedAt?.toISOString() ?? null,
    closedAt: p.closedAt?.toISOString() ?? null,
    resultsPublishedAt: p.resultsPublishedAt?.toISOString() ?? null,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

export const PollResultsSchema = z
  .object({
    pollId: z.number().int(),
    title: z.string(),
    state: z.enum(['draft', 'published', 'closed', 'results_published']),
    voters: z.number().int(),
    registeredResidents: z.number().int(),
    turnout: z.number().openapi({ description: 'voters / registered residents, percent' }),
    questions: z.array(
      z.object({
        id: z.number().int(),
        position: z.number().int(),
        kind: QuestionKind,
        text: z.string(),
        answered: z.number().int(),
        options: z.array(z.object({ id: z.number().int(), text: z.string(), count: z.number().int(), percent: z.number() })),
        texts: z.array(z.string()).optional().openapi({ description: 'free-text answers, without their authors' }),
      }),
    ),
  })
  .openapi('PollResults', { description: 'aggregates only: who chose what is never stored with the choice' });

export const pollResultsDto = (r: PollResults): z.infer<typeof PollResultsSchema> => r;

export const DecisionBody = z
  .strictObject({
    decidedOn: LocalDate.openapi({ description: 'the local date (poll municipality’s time zone) it was taken: not before the poll started, not after today (400 naming decidedOn)' }),
    text: z.string().max(4000),
    decidedBy: z.string().max(300),
    newsItemId: BodyId.nullable().optional().openapi({ description: 'the news item that published it: the poll municipality’s own or a regional one (400 naming newsItemId otherwise)' }),
  })
  .openapi('PollDecisionInput');

export const DecisionSchema = z
  .object({
    id: z.number().int(),
    pollId: z.number().int(),
    decidedOn: z.string(),
    text: z.string(),
    decidedBy: z.string(),
    newsItemId: z.number().int().nullable(),
    createdByStaffId: z.number().int().nullable(),
    createdAt: Timestamp,
    votersNotified: z.number().int(),
  })
  .openapi('PollDecision');

export const decisionDto = (d: PollDecision, votersNotified: number): z.infer<typeof DecisionSchema> => ({ ...d, createdAt: d.createdAt.toISOString(), votersNotified });

export const CreateDirectLineBody = z
  .strictObject({
    municipalityId: BodyId,
    title: z.string().max(200),
    headName: z.string().max(200).openapi({ description: 'whose line it is' }),
    collectFrom: DateTime,
    collectTo: DateTime,
    broadcastOn: LocalDate.openapi({ description: 'the local date of the live broadcast' }),
  })
  .openapi('CreateDirectLine');

export const DirectLineSchema = z
  .object({
    id: z.number().int(),
    municipalityId: z.number().int(),
    title: z.string(),
    headName: z.string(),
    collectFrom: Timestamp,
    collectTo: Timestamp,
    broadcastOn: z.string(),
    openedAt: Timestamp.nullable().openapi({ description: 'when collection opened and residents were told' }),
    withdrawnAt: Timestamp.nullable().openapi({ description: 'when officials withdrew it (POST /direct-lines/{id}/withdraw): no questions taken since' }),
    withdrawnReason: z.string().nullable().openapi({ description: 'why officials withdrew it, as given (null: none given); told to residents who tap its button afterwards' }),
    createdByStaffId: z.number().int().nullable(),
    createdAt: Timestamp,
    questions: z.number().int(),
  })
  .openapi('DirectLine');

export const directLineDto = (d: DirectLine): z.infer<typeof DirectLineSchema> => ({
  ...d,
  collectFrom: d.collectFrom.toISOString(),
  collectTo: d.collectTo.toISOString(),
  openedAt: d.openedAt?.toISOString() ?? null,
  withdrawnAt: d.withdrawnAt?.toISOString() ?? null,
  createdAt: d.createdAt.toISOString(),
});

export const DirectLineQuestionSchema = z
  .object({
    id: z.number().int(),
    directLineId: z.number().int(),
    text: z.string(),
    categoryId: z.number().int().nullable(),
    channel: z.enum(['tg', 'vk']),
    selected: z.boolean(),
    answerText: z.string().nullable(),
    answeredAt: Timestamp.nullable(),
    answeredByStaffId: z.number().int().nullable(),
    createdAt: Timestamp,
  })
  .openapi('DirectLineQuestion', { description: "a resident's question; its author is never shown" });

export const questionDto = (q: DirectLineQuestion): z.infer<typeof DirectLineQuestionSchema> => ({
  ...q,
  answeredAt: q.answeredAt?.toISOString() ?? null,
  createdAt: q.createdAt.toISOString(),
});

export const AnswerQuestionBody = z
  .strictObject({
    text: z.string().max(4000).optional().openapi({ description: 'the answer, sent to the author in the bot' }),
    selected: z.boolean().optional().openapi({ description: 'selected for the live broadcast (an answer selects it too)' }),
  })
  .openapi('AnswerDirectLineQuestion');
