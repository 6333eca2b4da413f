import { z } from '@hono/zod-openapi';
import type { SessionInfo } from '../../../../core/console/sessions.ts';
import { Timestamp } from '../../schemas/common.ts';

export const SessionSchema = z
  .object({
    id: z.number().int(),
    staffId: z.number().int(),
    label: z.string().openapi({ description: 'how it was opened and the browser' }),
    createdAt: Timestamp,
    lastUsedAt: Timestamp.nullable(),
    expiresAt: Timestamp,
    current: z.boolean().openapi({ description: 'the session this request was made with (ending it signs the caller out)' }),
  })
  .openapi('ConsoleSession');

/** `callerKeyId`: the key the request came with, so the caller's own session is marked. */
export const sessionDto = (s: SessionInfo, callerKeyId: number): z.infer<typeof SessionSchema> => ({
  id: s.id,
  staffId: s.staffId,
  label: s.label,
  createdAt: s.createdAt.toISOString(),
  lastUsedAt: s.lastUsedAt?.toISOString() ?? null,
  expiresAt: s.expiresAt.toISOString(),
  current: s.id === callerKeyId,
});
