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
  })
  .openapi('ConsoleSession');

export const sessionDto = (s: SessionInfo): z.infer<typeof SessionSchema> => ({
  id: s.id,
  staffId: s.staffId,
  label: s.label,
  createdAt: s.createdAt.toISOString(),
  lastUsedAt: s.lastUsedAt?.toISOString() ?? null,
  expiresAt: s.expiresAt.toISOString(),
});
