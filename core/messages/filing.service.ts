import { getCategory } from '../categories/category.repository.ts';
import type { Channel, Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import type { Point } from '../geo/geo.ts';
import { findMunicipalityByPoint } from '../municipalities/municipality.repository.ts';
import { requireLiveConsent } from '../residents/consent.service.ts';
import { getResident } from '../residents/resident.repository.ts';
import { recordEvent, toMessage, type Message } from './message.repository.ts';
import { storedCell } from '../stats/h3.ts';
import { validText } from './text.ts';
import { alertNewMessage } from '../alerts/new-message.ts';

export const MAX_PHOTOS = 5;

/** Shown to the resident with every filed message: seed 001 §4.6. */
export const NOT_AN_APPEAL_NOTICE = 'notice.not_59fz';

export interface PhotoRef {
  fileId: string;
  fileUniqueId?: string | null;
  /** VK: where the photo's bytes can be downloaded (the largest size); Telegram fetches by file id. */
  url?: string | null;
}

/** A download URL worth keeping: http(s) and of a sane length (VK's are some 200 characters). */
function sourceUrl(url: string | null | undefined): string | null {
  if (!url || url.length > 2048 || !/^https?:\/\//i.test(url)) return null;
  return url;
}

export interface FileMessageInput {
  residentId: number;
  categoryId: number;
  text: string;
  point: Point;
  address?: string | null;
  photos?: PhotoRef[];
  channel: Channel;
}

/** Validates everything before writing anything, so a rejected filing leaves no trace. */
export async function fileMessage(
  db: Db,
  input: FileMessageInput,
  now: Date,
): Promise<{ message: Message; notice: typeof NOT_AN_APPEAL_NOTICE }> {
  const resident = await getResident(db, input.residentId);
  await requireLiveConsent(db, resident.id);
  if (!resident.registeredAt) throw new DomainError('NOT_REGISTERED', { residentId: resident.id });
  const text = validText(input.text);
  const photos = input.photos ?? [];
  if (photos.length > MAX_PHOTOS) throw new DomainError('TOO_MANY_PHOTOS', { max: MAX_PHOTOS });
  const category = await getCategory(db, input.categoryId);
  if (!category.active) throw new DomainError('CATEGORY_NOT_FOUND', { id: category.id });
  const municipality = await findMunicipalityByPoint(db, input.point);

  const row = await db
    .insertInto('message')
    .values({
      author_id: resident.id,
      municipality_id: municipality.id,
      category_id: category.id,
      text,
      lat: input.point.lat,
      lon: input.point.lon,
      address: input.address?.slice(0, 500) ?? null,
      channel: input.channel,
      h3_r10: storedCell(input.point),
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (photos.length > 0) {
    await db
      .insertInto('message_photo')
      .values(
        photos.map((p, position) => ({
          message_id: row.id,
          channel: input.channel,
          file_id: p.fileId,
          file_unique_id: p.fileUniqueId ?? null,
          position,
          source_url: sourceUrl(p.url),
          // Copied into the media store after this commits (bots/media/filing-photos.ts): no download here.
          copy_due_at: now,
        })),
      )
      .execute();
  }
  await recordEvent(db, row.id, { kind: 'resident', residentId: resident.id }, { kind: 'filed', to: 'new', data: { photos: photos.length } }, now);
  const message = toMessage(row);
  // The municipality's moderators who want it at once get the moderation card (issue 18 item 13).
  await alertNewMessage(db, message, now);
  return { message, notice: NOT_AN_APPEAL_NOTICE };
}
