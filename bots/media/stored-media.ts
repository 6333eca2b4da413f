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

/**
 * Several stored files sent in one call (a Telegram album): those uploaded before go by their id;
 * those being uploaded by another send are waited for and then go by id too; the rest are uploaded
 * by this call (`send` gets, per file in order, the messenger's id or the bytes, and returns the
 * messenger's id of each file), their ids kept as uploadOnce keeps them. Sends of the same content
 * meanwhile wait for this one instead of uploading again.
 */
export async function sendTogether(
  deps: StoredMediaDeps,
  channel: Channel,
  mediaIds: number[],
  send: (items: { media: Media; file: string | Uint8Array }[]) => Promise<(string | undefined)[]>,
): Promise<void> {
  const resolved = await Promise.all(mediaIds.map((id) => resolveStored(deps, channel, id)));
  const refs = resolved.map((r) => r.ref);
  // Two entries of one content in the album: it is uploaded once, by whichever entry comes first.
  const mine = new Map<string, { resolve: (ref: string) => void; reject: (error: unknown) => void }>();
  const items: { media: Media; file: string | Uint8Array }[] = [];
  const uploaded: number[] = [];
  for (const [i, { media }] of resolved.entries()) {
    const key = `${channel}:${media.sha256}`;
    if (refs[i] === undefined && !mine.has(key) && uploading.has(key)) refs[i] = await uploading.get(key)!.catch(() => undefined);
    if (refs[i] !== undefined) {
      items.push({ media, file: refs[i]! });
      continue;
    }
    if (!mine.has(key)) {
      let settle!: { resolve: (ref: string) => void; reject: (error: unknown) => void };
      const pending = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
      pending.catch(() => undefined);
      uploading.set(key, pending);
      mine.set(key, settle);
    }
    items.push({ media, file: new Uint8Array() });
    uploaded.push(i);
  }
  try {
    // An upload that finished between the look-up above and these claims has kept its id by now.
    const found = new Map<string, string>();
    for (const i of [...uploaded]) {
      const { media } = resolved[i]!;
      const key = `${channel}:${media.sha256}`;
      const ref = found.get(key) ?? (mine.has(key) ? await uploadedRef(deps.db, media.sha256, channel) : undefined);
      if (!ref) continue;
      items[i] = { media, file: ref };
      uploaded.splice(uploaded.indexOf(i), 1);
      found.set(key, ref);
      mine.get(key)?.resolve(ref);
      mine.delete(key);
      uploading.delete(key);
    }
    for (const i of uploaded) {
      const bytes = await deps.store.get(resolved[i]!.media.sha256);
      if (!bytes) throw new Error(`media ${resolved[i]!.media.id}: no stored bytes`);
      items[i] = { media: resolved[i]!.media, file: bytes };
    }
    const ids = await send(items);
    // The files are shown by now: nothing below may fail the send (a retry would show them twice).
    for (const i of uploaded) {
      const { media } = resolved[i]!;
      const key = `${channel}:${media.sha256}`;
      const settle = mine.get(key);
      const ref = ids[i];
      // No id in the answer: the next send uploads the file again (the waiting ones upload it themselves).
      if (!settle || !ref) continue;
      // Not kept (the database failed): a later send uploads it once more.
      await rememberUpload(deps.db, media.sha256, channel, ref).catch(() => undefined);
      settle.resolve(ref);
      mine.delete(key);
      uploading.delete(key);
    }
  } finally {
    for (const [key, settle] of mine) {
      settle.reject(new Error('the upload failed'));
      uploading.delete(key);
    }
  }
}
