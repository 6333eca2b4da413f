import { z } from '@hono/zod-openapi';
import type { ItemComment } from '../../../core/item-comments/comments.service.ts';
import { Timestamp } from './common.ts';

export const ItemCommentSchema = z
  .object({
    id: z.number().int(),
    target: z.object({ kind: z.enum(['news', 'poll']), id: z.number().int() }),
    municipalityId: z.number().int().nullable(),
    residentId: z.number().int(),
    text: z.string(),
    state: z.enum(['pending', 'published', 'hidden', 'review']).openapi({
      description: 'pending: waits for pre-moderation; published: shown; hidden: by a moderator; review: hidden by three reports until a moderator decides',
    }),
    reports: z.number().int(),
    hiddenReason: z.string().nullable(),
    hiddenAt: Timestamp.nullable(),
    replyText: z.string().nullable(),
    repliedAt: Timestamp.nullable(),
    createdAt: Timestamp,
  })
  .openapi('ItemComment');

export function itemCommentDto(c: ItemComment): z.infer<typeof ItemCommentSchema> {
  return {
    id: c.id,
    target: c.target,
    municipalityId: c.municipalityId,
    residentId: c.residentId,
    text: c.text,
    state: c.state,
    reports: c.reports,
    hiddenReason: c.hiddenReason,
    hiddenAt: c.hiddenAt?.toISOString() ?? null,
    replyText: c.replyText,
    repliedAt: c.repliedAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
  };
}
