import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Photo, PhotoFetcher } from './photo-fetcher.ts';

/**
 * A disk cache in front of a PhotoFetcher. A messenger file id always names the same bytes, so
 * entries never go stale; on disk (under DATA_DIR) they survive restarts and cost no process
 * memory, and officials reopening a card do not hit the messenger's API again. Concurrent
 * requests for one file share a single download. File names are hashes: a file id never
 * becomes a path.
 */
export function cachedPhotoFetcher(inner: PhotoFetcher, options: { dir: string; namespace: string }): PhotoFetcher {
  const inFlight = new Map<string, Promise<Photo>>();

  async function load(key: string, fileId: string): Promise<Photo> {
    const base = path.join(options.dir, key);
    try {
      const [bytes, meta] = await Promise.all([readFile(`${base}.bin`), readFile(`${base}.json`, 'utf8')]);
      return { bytes: new Uint8Array(bytes), contentType: (JSON.parse(meta) as { contentType: string }).contentType };
    } catch {
      // a miss (or a torn entry): fetch again below
    }
    const photo = await inner.fetch(fileId);
    await mkdir(options.dir, { recursive: true });
    const temp = `${base}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, photo.bytes);
    await writeFile(`${base}.json`, JSON.stringify({ contentType: photo.contentType }));
    // The bytes appear under their final name last, and atomically: readers never see half a file.
    await rename(temp, `${base}.bin`);
    return photo;
  }

  return {
    fetch(fileId) {
      const key = createHash('sha256').update(`${options.namespace}:${fileId}`).digest('hex');
      let pending = inFlight.get(key);
      if (!pending) {
        pending = load(key, fileId).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return pending;
    },
  };
}
