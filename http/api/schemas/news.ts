import { z } from '@hono/zod-openapi';
import type { AfishaEvent } from '../../../core/news/events.service.ts';
import { MAX_NEWS_PHOTOS, MAX_NEWS_TEXT, type NewsItem } from '../../../core/news/news.service.ts';
import { BodyId, Timestamp } from './common.ts';

export const ApiTime = z.string().max(40).openapi({ description: 'ISO 8601 with an offset, or a local "YYYY-MM-DDTHH:mm" in the municipality\'s time zone', example: '2026-12-05T18:00' });

const Link = z
  .string()
  .trim()
  .url()
  .max(2000)
  .refine((v) => /^https?:\/\//i.test(v), 'an http(s) URL');

export const NewsSchema = z
  .object({
    id: z.number().int(),
    municipalityId: z.number().int().nullable().openapi({ description: 'null: the whole region' }),
    state: z.enum(['draft', 'scheduled', 'published', 'archived']),
    title: z.string(),
    body: z.string(),
    categoryId: z.number().int().nullable(),
    mediaIds: z.array(z.number().int()),
    link: z.string().nullable(),
    pollId: z.number().int().nullable().openapi({ description: 'the poll whose decision it reports (KPI 13)' }),
    publishAt: Timestamp.nullable(),
    publishedAt: Timestamp.nullable(),
    archivedAt: Timestamp.nullable(),
    editedAt: Timestamp.nullable().openapi({ description: 'last edit after publication' }),
    broadcastId: z.number().int().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('NewsItem');

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function newsDto(n: NewsItem): z.infer<typeof NewsSchema> {
  return {
    id: n.id,
    municipalityId: n.municipalityId,
    state: n.state,
    title: n.title,
    body: n.body,
    categoryId: n.categoryId,
    mediaIds: n.mediaIds,
    link: n.link,
    pollId: n.pollId,
    publishAt: iso(n.publishAt),
    publishedAt: iso(n.publishedAt),
    archivedAt: iso(n.archivedAt),
    editedAt: iso(n.editedAt),
    broadcastId: n.broadcastId,
    createdAt: n.createdAt.toISOString(),
    updatedAt: n.updatedAt.toISOString(),
  };
}

const newsFields = {
  title: z.string().trim().min(1).max(200),
  body: z.string().trim().min(1).max(MAX_NEWS_TEXT).openapi({ description: 'plain text; long texts are split at paragraph breaks in the messengers' }),
  categoryId: BodyId.nullable().optional(),
  mediaIds: z
    .array(BodyId)
    .max(MAX_NEWS_PHOTOS)
    .optional()
    .openapi({ description: `files from POST /media: up to ${MAX_NEWS_PHOTOS} images, or one video` }),
  link: Link.nullable().optional(),
  pollId: BodyId.nullable().optional().openapi({ description: 'the poll whose decision this item reports' }),
  publishAt: ApiTime.nullable().optional().openapi({ description: 'schedule the publication (cron publishes it then); absent: a draft' }),
};

export const CreateNewsBody = z.strictObject({ municipalityId: BodyId.nullable().openapi({ description: 'null (operators only): the whole region' }), ...newsFields }).openapi('CreateNews');
export const UpdateNewsBody = z.strictObject({ ...newsFields, title: newsFields.title.optional(), body: newsFields.body.optional() }).openapi('UpdateNews');

const Venue = z.strictObject({
  name: z.string().trim().min(1).max(200),
  address: z.string().trim().min(1).max(300),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});

const eventFields = {
  kind: z.enum(['culture', 'sport']),
  title: z.string().trim().min(1).max(200),
  description: z.string().trim().max(4000).optional(),
  startsAt: ApiTime,
  endsAt: ApiTime,
  venue: Venue.openapi({ description: "name, address and the point (inside the municipality's boundary)" }),
  ageLimit: z.number().int().min(0).max(21).nullable().optional().openapi({ description: 'e.g. 6, 12, 16, 18 (shown as 12+)' }),
  price: z.string().trim().min(1).max(100).nullable().optional().openapi({ description: 'null or absent: free' }),
  organiser: z.string().trim().min(1).max(200).nullable().optional(),
  photoMediaId: BodyId.nullable().optional().openapi({ description: 'an image from POST /media' }),
  link: Link.nullable().optional().openapi({ description: 'tickets or registration' }),
};

export const CreateEventBody = z.strictObject({ municipalityId: BodyId, ...eventFields }).openapi('CreateEvent');
export const UpdateEventBody = z
  .strictObject({ ...eventFields, kind: eventFields.kind.optional(), title: eventFields.title.optional(), startsAt: ApiTime.optional(), endsAt: ApiTime.optional(), venue: Venue.optional() })
  .openapi('UpdateEvent');

export const EventSchema = z
  .object({
    id: z.number().int(),
    municipalityId: z.number().int(),
    kind: z.enum(['culture', 'sport']),
    state: z.enum(['draft', 'published', 'cancelled']),
    title: z.string(),
    description: z.string(),
    startsAt: Timestamp,
    endsAt: Timestamp,
    venue: z.object({ name: z.string(), address: z.string(), lat: z.number(), lon: z.number() }),
    ageLimit: z.number().int().nullable(),
    price: z.string().nullable().openapi({ description: 'null: free' }),
    organiser: z.string().nullable(),
    photoMediaId: z.number().int().nullable(),
    link: z.string().nullable(),
    publishedAt: Timestamp.nullable(),
    cancelledAt: Timestamp.nullable(),
    cancelReason: z.string().nullable(),
    broadcastId: z.number().int().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('AfishaEvent');

export function eventDto(e: AfishaEvent): z.infer<typeof EventSchema> {
  return {
    id: e.id,
    municipalityId: e.municipalityId,
    kind: e.kind,
    state: e.state,
    title: e.title,
    description: e.description,
    startsAt: e.startsAt.toISOString(),
    endsAt: e.endsAt.toISOString(),
    venue: e.venue,
    ageLimit: e.ageLimit,
    price: e.price,
    organiser: e.organiser,
    photoMediaId: e.photoMediaId,
    link: e.link,
    publishedAt: iso(e.publishedAt),
    cancelledAt: iso(e.cancelledAt),
    cancelReason: e.cancelReason,
    broadcastId: e.broadcastId,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}
