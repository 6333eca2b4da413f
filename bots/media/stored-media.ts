import type { Kysely } from 'kysely';
import type { Database } from '../../core/db/database.ts';
import type { Channel } from '../../core/db/types.ts';
import { getMedia, rememberUpload, uploadedRef, type Media } from '../../core/media/media.repository.ts';
import type { MediaStore } from '../../core/media/store.ts';

/**
 * Stored media on its way to a messenger: the first send to a messenger uploads the bytes and
 * keeps the messenger's id for that content (media_upload); every later send, to anyone, reuses
 * it. Sends of the same content while its first upload is under way wait for that upload instead
 * of uploading again (one sender per token runs in one process, so this covers every instance).
 */
export interface StoredMediaDeps {
  db: Kysely<Database>;
  store: MediaStore;
}

const uploading = new Map<string, Promise<string>>();

export interface Resolved {
  media: Media;
  /** The messenger's id, when the content was uploaded there before. */
  ref?: string;
}

export async function resolveStored(deps: StoredMediaDeps, channel: Channel, mediaId: number): Promise<Resolved> {
  const media = await getMedia(deps.db, mediaId);
  const pending = uploading.get(`${channel}:${media.sha256}`);
  const ref = pending ? await pending.catch(() => undefined) : await uploadedRef(deps.db, media.sha256, channel);
  return ref ? { media, ref } : { media };
}

/**
 * Uploads the content once (`upload` gets the bytes and returns the messenger's id) and remembers
 * the id; concurrent callers for the same content share the one upload.
 */
export async function uploadOnce(deps: StoredMediaDeps, channel: Channel, media: Media, upload: (bytes: Uint8Array) => Promise<string>): Promise<string> {
  const key = `${channel}:${media.sha256}`;
  let pending = uploading.get(key);
  if (!pending) {
    pending = (async () => {
      const bytes = await deps.store.get(media.sha256);
      if (!bytes) throw new Error(`media ${media.id}: no stored bytes`);
      const ref = await upload(bytes);
      await rememberUpload(deps.db, media.sha256, channel, ref);
      return ref;
    })().finally(() => uploading.delete(key));
    uploading.set(key, pending);
  }
  return pending;
}

export const fileNameOf = (media: Media) => `${media.kind}-${media.id}.${media.mime.split('/')[1] ?? 'bin'}`;
