import { z } from '@hono/zod-openapi';
import type { Db } from '../../../core/db/types.ts';
import { type IncidentPhotoCopy, incidentPhotoCopiesOf } from '../../../core/incidents/incident-photos.ts';
import type { Incident } from '../../../core/incidents/incidents.service.ts';
import type { IncidentRule, IncidentSource } from '../../../core/incidents/settings.service.ts';
import { BodyId, Id, PageQuery, QueryBoolean, Timestamp } from './common.ts';

export const INCIDENT_SOURCE_KINDS = ['vk_wall', 'vk_page', 'ok', 'web', 'open311', 'other'] as const;
export const INCIDENT_STATES = ['new', 'accepted', 'dismissed'] as const;

export const PointSchema = z.strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).openapi('Point');

export const IncidentSchema = z
  .object({
    id: z.number().int(),
    municipalityId: z.number().int().nullable().openapi({ description: "null: the region's shared queue (the community's own wall), set at triage" }),
    source: z.enum(INCIDENT_SOURCE_KINDS),
    sourceUrl: z.string(),
    authorName: z.string().nullable(),
    text: z.string(),
    postedAt: Timestamp,
    point: PointSchema.nullable(),
    photos: z.array(z.string()),
    suggestedCategoryId: z.number().int().nullable().openapi({ description: 'from the keyword rules' }),
    state: z.enum(INCIDENT_STATES),
    dismissReason: z.string().nullable(),
    messageId: z.number().int().nullable().openapi({ description: 'the message it became when accepted' }),
    triagedBy: z.number().int().nullable(),
    triagedAt: Timestamp.nullable(),
    createdAt: Timestamp,
  })
  .openapi('Incident');

export function incidentDto(i: Incident): z.infer<typeof IncidentSchema> {
  return {
    id: i.id,
    municipalityId: i.municipalityId,
    source: i.source,
    sourceUrl: i.sourceUrl,
    authorName: i.authorName,
    text: i.text,
    postedAt: i.postedAt.toISOString(),
    point: i.point,
    photos: i.photos,
    suggestedCategoryId: i.suggestedCategoryId,
    state: i.state,
    dismissReason: i.dismissReason,
    messageId: i.messageId,
    triagedBy: i.triagedBy,
    triagedAt: i.triagedAt?.toISOString() ?? null,
    createdAt: i.createdAt.toISOString(),
  };
}

export const INCIDENT_PHOTO_STATES = ['copied', 'waiting', 'given_up', 'not_copied'] as const;

export const IncidentPhotoCopySchema = z
  .object({
    position: z.number().int().openapi({ description: 'its place in `photos` (0-based)' }),
    sourceUrl: z.string().openapi({ description: "the URL at its source, as in `photos` (VK's signed file URLs expire: open it only while there is no copy)" }),
    state: z.enum(INCIDENT_PHOTO_STATES).openapi({
      description:
        "copied: its copy is in the media store; waiting: being copied (queued, or a failed download to be tried again); given_up: the source refused it or the attempts ran out; not_copied: the server never copies it (not on VK's file servers, or the item was triaged before its photos were queued, or dismissed while they waited)",
    }),
    copied: z.boolean().openapi({ description: 'whether the copy exists (state copied)' }),
    url: z.string().nullable().openapi({ description: 'GET with the same key for the copy (GET /incidents/{id}/photos/{position}); null without a copy' }),
    error: z.string().nullable().openapi({ description: 'why the last download failed (waiting for a retry, or given up)' }),
  })
  .openapi('IncidentPhotoCopy');

export function incidentPhotoDto(incidentId: number, p: IncidentPhotoCopy): z.infer<typeof IncidentPhotoCopySchema> {
  const copied = p.mediaId !== null;
  return { position: p.position, sourceUrl: p.sourceUrl, state: p.state, copied, url: copied ? `/api/v1/incidents/${incidentId}/photos/${p.position}` : null, error: p.error };
}

const PhotoCopies = z.array(IncidentPhotoCopySchema).openapi({ description: "each of `photos` in order, with its copy in the media store: show the copy, VK's URL only while there is none" });

/** An item with its photos' copies: what the list, the card and the triage answers give. */
export const IncidentWithPhotosSchema = IncidentSchema.extend({ photoCopies: PhotoCopies }).openapi('IncidentWithPhotos');

/** The items' DTOs with their photos' copies, read in one query for all of them (a page, not a query per item). */
export async function withPhotoCopies(db: Db, incidents: readonly Incident[]): Promise<z.infer<typeof IncidentWithPhotosSchema>[]> {
  const copies = await incidentPhotoCopiesOf(db, incidents);
  return incidents.map((i) => ({ ...incidentDto(i), photoCopies: (copies.get(i.id) ?? []).map((p) => incidentPhotoDto(i.id, p)) }));
}

export const IncidentListQuery = z.strictObject({
  municipalityId: Id.optional(),
  state: z.enum(INCIDENT_STATES).optional(),
  source: z.enum(INCIDENT_SOURCE_KINDS).optional(),
  ...PageQuery,
});

export const IntakeBody = z.strictObject({
  municipalityId: BodyId.openapi({ description: 'the municipality the item concerns' }),
  source: z.enum(['ok', 'web', 'other', 'vk_page']).openapi({ description: 'OK, a media-monitoring system (web, other), or a VK page found by hand' }),
  sourceUrl: z.string().max(2000).openapi({
    description: 'the public post, kept as given; a second intake of the same URL (in any spelling: http/https, www., m., trailing slash, fragment, utm_ tags) returns the first item (200)',
  }),
  authorName: z.string().max(200).optional(),
  text: z.string().max(4000),
  postedAt: z.iso.datetime({ offset: true }).openapi({ format: 'date-time' }),
  point: PointSchema.optional(),
  photos: z.array(z.string().max(2000)).max(10).optional().openapi({ description: "URLs of the post's photos" }),
});

export const SourceSchema = z
  .object({
    id: z.number().int(),
    municipalityId: z.number().int(),
    kind: z.literal('vk_page'),
    ownerId: z.number().int().openapi({ description: 'the VK wall owner: a community is negative (-123456)' }),
    name: z.string(),
    active: z.boolean(),
    lastPostId: z.number().int().openapi({ description: 'the newest post seen by the poller' }),
    lastCommentId: z.number().int().openapi({ description: 'the newest comment seen by the poller' }),
    lastPolledAt: Timestamp.nullable(),
    createdAt: Timestamp,
  })
  .openapi('IncidentSource');

export const sourceDto = (s: IncidentSource): z.infer<typeof SourceSchema> => ({ ...s, lastPolledAt: s.lastPolledAt?.toISOString() ?? null, createdAt: s.createdAt.toISOString() });

export const RuleSchema = z
  .object({
    id: z.number().int(),
    municipalityId: z.number().int(),
    categoryId: z.number().int(),
    stems: z.array(z.string()).openapi({ description: 'the keywords as Russian stems («ямы», «ямой» → «ям»)' }),
    active: z.boolean(),
    createdAt: Timestamp,
  })
  .openapi('IncidentRule');

export const ruleDto = (r: IncidentRule): z.infer<typeof RuleSchema> => ({ ...r, createdAt: r.createdAt.toISOString() });

export const MunicipalityQuery = z.strictObject({ municipalityId: Id.optional(), active: QueryBoolean.optional() });
