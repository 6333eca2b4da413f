import { z } from '@hono/zod-openapi';
import type { Media } from '../../../core/media/media.repository.ts';
import { Timestamp } from './common.ts';

export const MediaSchema = z
  .object({
    id: z.number().int(),
    mime: z.string().openapi({ description: 'the type sniffed from the bytes', example: 'image/jpeg' }),
    kind: z.enum(['image', 'video']),
    sizeBytes: z.number().int(),
    sha256: z.string().openapi({ description: "the bytes' hash: the store keeps each content once" }),
    municipalityId: z.number().int().nullable(),
    createdAt: Timestamp,
  })
  .openapi('Media');

export function mediaDto(m: Media): z.infer<typeof MediaSchema> {
  return { id: m.id, mime: m.mime, kind: m.kind, sizeBytes: m.sizeBytes, sha256: m.sha256, municipalityId: m.municipalityId, createdAt: m.createdAt.toISOString() };
}
