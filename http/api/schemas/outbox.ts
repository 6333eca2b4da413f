import { z } from '@hono/zod-openapi';
import type { DeadRow } from '../../../core/outbox/outbox.dead.ts';
import { Timestamp } from './common.ts';
import { Channel } from './officials.ts';

/** A dead outbox row. No payload and no chat id: they may hold personal data. */
export const DeadOutboxRowSchema = z
  .object({
    id: z.number().int(),
    channel: Channel,
    recipientKind: z.string().openapi({ description: 'resident, staff or chat', example: 'resident' }),
    residentId: z.number().int().nullable(),
    staffId: z.number().int().nullable(),
    kind: z.string().openapi({ example: 'notify.rejected' }),
    priority: z.number().int(),
    attempts: z.number().int().openapi({ description: 'attempts made before it stopped' }),
    lastError: z.string().nullable().openapi({ description: 'why the last attempt failed, as the messenger said it' }),
    createdAt: Timestamp,
  })
  .openapi('DeadOutboxRow');

export function deadOutboxRowDto(r: DeadRow): z.infer<typeof DeadOutboxRowSchema> {
  return {
    id: r.id,
    channel: r.channel,
    recipientKind: r.recipientKind,
    residentId: r.residentId,
    staffId: r.staffId,
    kind: r.kind,
    priority: r.priority,
    attempts: r.attempts,
    lastError: r.lastError,
    createdAt: r.createdAt.toISOString(),
  };
}

export const OutboxRetriedSchema = z
  .object({
    id: z.number().int(),
    state: z.literal('pending').openapi({ description: 'due now, with a fresh set of attempts' }),
  })
  .openapi('OutboxRetried');
