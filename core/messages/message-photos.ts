import type { Channel, Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';

/** The messenger file behind (null: an open-source photo, known only by its copy) a message's photo at `index` (the card's order), and its copy in the media store once made. */
export async function getPhotoRef(db: Db, messageId: number, index: number): Promise<{ channel: Channel; fileId: string | null; mediaId: number | null }> {
  const photo = await db
    .selectFrom('message_photo')
    .select(['channel', 'file_id', 'media_id'])
    .where('message_id', '=', messageId)
    .orderBy('position')
    .offset(index)
    .limit(1)
    .executeTakeFirst();
  if (!photo) throw new DomainError('PHOTO_NOT_FOUND', { messageId, index });
  return { channel: photo.channel, fileId: photo.file_id, mediaId: photo.media_id };
}
