import { z } from '@hono/zod-openapi';
import type { BroadcastProgress } from '../../../core/broadcasts/broadcasts.ts';
import { TOPICS, type Topic } from '../../../core/subscriptions/subscriptions.ts';
import { BodyId, Timestamp } from './common.ts';

export const TopicSchema = z.enum(TOPICS as readonly Topic[] as [Topic, ...Topic[]]).openapi('Topic', { description: 'subscription topic: residents choose per topic in the bot (/settings)' });

export const BroadcastSchema = z
  .object({
    id: z.number().int(),
    municipalityId: z.number().int().nullable().openapi({ description: 'null: every municipality' }),
    topic: TopicSchema,
    language: z.enum(['ru', 'en']).nullable().openapi({ description: 'only residents reading this language; null: everyone' }),
    kind: z.string().openapi({ example: 'broadcast.news' }),
    source: z.string().nullable().openapi({ description: 'what announced itself', example: 'poll:12' }),
    status: z.enum(['expanding', 'sending', 'done', 'cancelled']).openapi({
      description: 'expanding: recipients are being written in batches; sending: all written, not all sent; done: every row settled; cancelled',
    }),
    recipients: z.number().int().openapi({ description: 'recipients written so far' }),
    pending: z.number().int().openapi({ description: 'waiting or being sent' }),
    sent: z.number().int(),
    failed: z.number().int().openapi({ description: 'refused by the messenger (blocked the bot) or dead' }),
    cancelled: z.number().int().openapi({ description: 'dropped by a cancel before they were sent' }),
    createdAt: Timestamp,
    expandedAt: Timestamp.nullable(),
    cancelledAt: Timestamp.nullable(),
    createdByStaffId: z.number().int().nullable(),
    message: z
      .object({
        key: z.string().openapi({ example: 'broadcast.official' }),
        params: z.record(z.string(), z.unknown()).openapi({ example: { text: 'Отключение воды 5 декабря' } }),
      })
      .openapi({
        description:
          "what it says now (a locale key and its params: an official mailing's `text`, a news item's `title` and `body`, …): an edit of the item it announces shows here at once, " +
          'and every recipient not reached yet gets this version',
      }),
  })
  .openapi('Broadcast');

export function broadcastDto(b: BroadcastProgress): z.infer<typeof BroadcastSchema> {
  return {
    ...b,
    createdAt: b.createdAt.toISOString(),
    expandedAt: b.expandedAt?.toISOString() ?? null,
    cancelledAt: b.cancelledAt?.toISOString() ?? null,
  };
}

export const CreateBroadcastBody = z
  .strictObject({
    municipalityId: BodyId.nullable().openapi({ description: 'null (operators only): every municipality' }),
    topic: TopicSchema,
    language: z.enum(['ru', 'en']).optional(),
    text: z.string().trim().min(1).max(3500).openapi({ description: "the mailing's text, shown as it is" }),
    mediaIds: z
      .array(BodyId)
      .max(10)
      .refine((ids) => new Set(ids).size === ids.length, 'a file is listed twice')
      .optional()
      .openapi({ description: 'files from POST /media shown with the text, each once', uniqueItems: true }),
  })
  .openapi('CreateBroadcast');
