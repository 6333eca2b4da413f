import { z } from '@hono/zod-openapi';
import type { Answer } from '../../../core/messages/answers.service.ts';
import type { Comment } from '../../../core/messages/feedback.service.ts';
import type { MessageCard } from '../../../core/messages/message.queries.ts';
import type { Message, MessageEvent } from '../../../core/messages/message.repository.ts';
import { isOverdue } from '../../../core/messages/overdue.ts';
import { Timestamp } from './common.ts';

export const MessageStatus = z.enum(['new', 'rejected', 'in_work', 'solved', 'explained']).openapi('MessageStatus');
export const AnswerKind = z.enum(['intermediate', 'final', 'clarification']);
export const Resolution = z.enum(['solved', 'explained']);

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const MessageSchema = z
  .object({
    id: z.number().int(),
    municipalityId: z.number().int(),
    categoryId: z.number().int(),
    authorId: z.number().int().nullable().openapi({ description: 'resident id; names and phones are not exposed' }),
    text: z.string(),
    lat: z.number().nullable().openapi({ description: 'null for an open-source message accepted without a point' }),
    lon: z.number().nullable(),
    address: z.string().nullable(),
    status: MessageStatus,
    published: z.boolean(),
    executorId: z.number().int().nullable(),
    rejectionReason: z.string().nullable(),
    duplicateOf: z.number().int().nullable(),
    openSource: z.boolean(),
    source: z.enum(['tg', 'vk', 'vk_wall', 'vk_page', 'ok', 'web', 'open311', 'other']).openapi({ description: "tg, vk: the residents' bots; the others: open sources (incident management)" }),
    sourceUrl: z.string().nullable().openapi({ description: 'the public post an open-source message came from' }),
    answerTarget: z
      .enum(['chat', 'source_comment', 'by_hand'])
      .openapi({ description: "where approved answers go: the resident's chat, a comment under the source post, or published by hand (then POST …/published-reply)" }),
    publishedReplyUrl: z.string().nullable(),
    urgent: z.boolean(),
    channel: z.enum(['tg', 'vk']).nullable(),
    overdue: z.boolean().openapi({ description: 'KPI 7: in work over 14 days without an intermediate answer in time' }),
    createdAt: Timestamp,
    acceptedAt: Timestamp.nullable(),
    firstIntermediateAt: Timestamp.nullable(),
    closedAt: Timestamp.nullable(),
    updatedAt: Timestamp,
    version: z.number().int().openapi({ description: 'send as If-Match ("3") to detect concurrent changes' }),
  })
  .openapi('Message');

export function messageDto(m: Message, now: Date): z.infer<typeof MessageSchema> {
  return {
    id: m.id,
    municipalityId: m.municipalityId,
    categoryId: m.categoryId,
    authorId: m.authorId,
    text: m.text,
    lat: m.lat,
    lon: m.lon,
    address: m.address,
    status: m.status,
    published: m.published,
    executorId: m.executorId,
    rejectionReason: m.rejectionReason,
    duplicateOf: m.duplicateOf,
    openSource: m.openSource,
    source: m.source,
    sourceUrl: m.sourceUrl,
    answerTarget: m.answerTarget,
    publishedReplyUrl: m.publishedReplyUrl,
    urgent: m.urgent,
    channel: m.channel,
    overdue: isOverdue(m, now),
    createdAt: m.createdAt.toISOString(),
    acceptedAt: iso(m.acceptedAt),
    firstIntermediateAt: iso(m.firstIntermediateAt),
    closedAt: iso(m.closedAt),
    updatedAt: m.updatedAt.toISOString(),
    version: m.version,
  };
}

export const AnswerSchema = z
  .object({
    id: z.number().int(),
    messageId: z.number().int(),
    kind: AnswerKind,
    resolution: Resolution.nullable(),
    text: z.string(),
    state: z.enum(['draft', 'returned', 'approved', 'delivered', 'withdrawn']).openapi({ description: 'withdrawn: still waiting for approval when the message closed' }),
    authorStaffId: z.number().int().nullable(),
    approvedBy: z.number().int().nullable(),
    approvedAt: Timestamp.nullable(),
    returnRemark: z.string().nullable(),
    mediaIds: z.array(z.number().int()).openapi({ description: 'photos sent with the answer: files of the media store (GET /media/{id}); a photo sent in the bot is here once copied' }),
    version: z
      .number()
      .int()
      .openapi({ description: 'bumped by every change to the answer or its photos (a bot photo\'s copy made or given up too); send as If-Match ("3") with POST /answers/{id}/revise' }),
    photos: z
      .array(
        z.object({
          channel: z.enum(['tg', 'vk']),
          mediaId: z.number().int().nullable(),
          copy: z.enum(['copied', 'copying', 'failed']),
          error: z.string().nullable(),
        }),
      )
      .openapi({
        description:
          'photos the official sent with the answer in the bot, in order: the messenger they came through and their copy in the media store (null until copied; failed: given up, `error` says why, and the resident in the other messenger was told it could not be brought)',
      }),
    deliveredAt: Timestamp.nullable().openapi({ description: "when the resident's messenger accepted the notification" }),
    createdAt: Timestamp,
    delivery: z
      .object({
        state: z.enum(['queued', 'sent', 'failed', 'cancelled', 'unreachable', 'not_queued']),
        at: Timestamp.nullable().openapi({ description: 'sent: when it was sent; queued: since when it waits' }),
        attempts: z.number().int(),
        lastError: z.string().nullable(),
      })
      .nullable()
      .openapi({ description: "Whether the resident got the answer, from its notification's outbox row; null before approval" }),
  })
  .openapi('Answer');

export function answerDto(a: Answer): z.infer<typeof AnswerSchema> {
  return {
    ...a,
    approvedAt: iso(a.approvedAt),
    deliveredAt: iso(a.deliveredAt),
    createdAt: a.createdAt.toISOString(),
    delivery: a.delivery && { ...a.delivery, at: iso(a.delivery.at) },
  };
}

export const CommentSchema = z
  .object({
    id: z.number().int(),
    messageId: z.number().int(),
    authorKind: z.enum(['resident', 'staff']),
    residentId: z.number().int().nullable(),
    staffId: z.number().int().nullable(),
    text: z.string(),
    replyToId: z.number().int().nullable(),
    createdAt: Timestamp,
    photos: z.number().int().openapi({ description: "Photos the comment added to the message's photos (a clarification reply's; its text may then be empty)" }),
    place: z.object({ lat: z.number(), lon: z.number() }).nullable().openapi({ description: "The place a clarification reply gave; the message's own point is unchanged" }),
  })
  .openapi('Comment');

export function commentDto(c: Comment): z.infer<typeof CommentSchema> {
  return { ...c, createdAt: c.createdAt.toISOString() };
}

export const EventSchema = z
  .object({
    id: z.number().int(),
    kind: z.string(),
    actorKind: z.enum(['resident', 'staff', 'system']),
    actorId: z.number().int().nullable(),
    fromStatus: z.union([MessageStatus, z.null()]),
    toStatus: z.union([MessageStatus, z.null()]),
    reason: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    createdAt: Timestamp,
  })
  .openapi('MessageEvent');

function eventDto(e: MessageEvent): z.infer<typeof EventSchema> {
  return { ...e, createdAt: e.createdAt.toISOString() };
}

export const MessageCardSchema = z
  .object({
    message: MessageSchema,
    executorName: z.string().nullable(),
    assignee: z
      .object({
        executorId: z.number().int(),
        name: z.string(),
        kind: z.string(),
        staff: z.array(z.object({ id: z.number().int(), fullName: z.string(), active: z.boolean(), channels: z.array(z.string()).openapi({ description: 'messengers where the alerts reach them' }) })),
      })
      .nullable()
      .openapi({ description: 'The executor organisation the message is assigned to and its linked staff' }),
    history: z.array(EventSchema),
    answers: z.array(AnswerSchema),
    comments: z.array(CommentSchema),
    photos: z.array(
      z.object({
        index: z.number().int(),
        channel: z.string().openapi({ description: 'the messenger the resident sent it through' }),
        url: z.string().openapi({ description: 'GET with the same key for the bytes (from the media store once copied, else from the messenger)' }),
        mediaId: z.number().int().nullable().openapi({ description: 'its copy in the media store (GET /media/{id}), made after filing; null until then, or when the messenger never gave the file' }),
      }),
    ),
    supporters: z.number().int(),
    rating: z.object({ stars: z.number().int(), complaint: z.string().nullable(), flagged: z.boolean(), createdAt: Timestamp }).nullable(),
    firstResponse: z
      .object({ acceptedAt: Timestamp, dueAt: Timestamp, draftedAt: Timestamp.nullable(), met: z.boolean().nullable(), workingMinutes: z.number().int().nullable() })
      .nullable()
      .optional()
      .openapi({ description: 'open-source messages: the one-working-hour draft rule (met: drafted by dueAt; workingMinutes: from acceptance to the first draft)' }),
  })
  .openapi('MessageCard');

export function messageCardDto(card: MessageCard, now: Date): z.infer<typeof MessageCardSchema> {
  const id = card.message.id;
  return {
    message: messageDto(card.message, now),
    executorName: card.executorName,
    assignee: card.assignee,
    history: card.events.map(eventDto),
    answers: card.answers.map(answerDto),
    comments: card.comments.map(commentDto),
    photos: card.photos.map((p, index) => ({ index, channel: p.channel, url: `/api/v1/messages/${id}/photos/${index}`, mediaId: p.mediaId })),
    supporters: card.supporters,
    rating: card.rating && { stars: card.rating.stars, complaint: card.rating.complaint, flagged: card.rating.flagged, createdAt: card.rating.createdAt.toISOString() },
  };
}

/** Optimistic concurrency for moderation: the version from the card's ETag or `version`. */
export const IfMatchHeaders = z.object({
  'if-match': z
    .string()
    .optional()
    .openapi({ description: 'message version, e.g. "3" (the ETag of GET /messages/{id}); a mismatch answers 409 CONCURRENT_CHANGE; * matches any version', example: '"3"' }),
});
