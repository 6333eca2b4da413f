import type { Db } from '../../core/db/types.ts';
import { copiablePhotos } from '../../core/incidents/incident-photos.ts';
import { storeMedia, type Media, type MediaLimits } from '../../core/media/media.repository.ts';
import { PhotoFetchError, type PhotoFetcher } from '../../core/media/photo-fetcher.ts';
import type { MediaStore } from '../../core/media/store.ts';
import type { MediaKind } from '../../core/media/media.table.ts';

/** Where a copied file belongs (its scope) and the limits it must meet. */
export interface CopyTarget {
  municipalityId: number | null;
  limits: MediaLimits;
  /** Refuses a kind the target does not take, before the bytes are stored (storeMedia `admit`). */
  admit?: (kind: MediaKind) => void;
}

/**
 * A resident's photo or video sent to the Telegram bot, copied into the media store (contest
 * entries shown in both messengers): getFile + download through `fetcher`
 * (bots/media/telegram-photo-fetcher.ts), then stored like an upload (type sniffed, size checked).
 */
export async function copyFromTelegram(db: Db, store: MediaStore, fetcher: PhotoFetcher, fileId: string, target: CopyTarget): Promise<Media> {
  const { bytes, contentType } = await fetcher.fetch(fileId);
  return storeMedia(db, store, { bytes, declaredType: contentType, municipalityId: target.municipalityId, origin: 'tg', limits: target.limits, admit: target.admit });
}

/**
 * A resident's photo or video sent to the VK community, copied into the store from the URL in the
 * event's attachment (the largest photo size's `url`, or a document's `url`). Only http(s) URLs; the
 * download is cut at the larger limit so a huge file never fills memory.
 */
export async function copyFromVk(db: Db, store: MediaStore, url: string, target: CopyTarget, fetchImpl: typeof fetch = fetch): Promise<Media> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new PhotoFetchError('not an http(s) URL', { permanent: true });
  const max = Math.max(target.limits.maxImageBytes, target.limits.maxVideoBytes);
  const signal = AbortSignal.timeout(30_000);
  let response: Response;
  let current = parsed;
  for (let hops = 0; ; hops++) {
    try {
      response = await fetchImpl(current, { signal, redirect: 'manual' });
    } catch (error) {
      throw new PhotoFetchError('VK file download failed', { cause: error instanceof Error ? error.name : 'unknown' });
    }
    if (!REDIRECTS.has(response.status)) break;
    await response.body?.cancel();
    current = redirectTarget(parsed, current, response.headers.get('location'), hops);
  }
  if (!response.ok || !response.body) {
    // A 4xx (other than a timeout or a rate limit) is VK's final word on this URL: gone, or its signature expired.
    const permanent = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
    throw new PhotoFetchError(`VK file download answered ${response.status}`, { permanent });
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    chunks.push(chunk);
    // Past the limit is enough for storeMedia to refuse it with MEDIA_TOO_LARGE: stop reading.
    if (size > max) break;
  }
  const bytes = Buffer.concat(chunks);
  return storeMedia(db, store, {
    bytes: new Uint8Array(bytes),
    declaredType: response.headers.get('content-type') ?? undefined,
    municipalityId: target.municipalityId,
    origin: 'vk',
    limits: target.limits,
    admit: target.admit,
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/**
 * Where a redirect may lead: the URL's own server, or VK's file servers (as copiablePhotos admits
 * them). Anywhere else is refused for good, before any request is sent there: vk.com/away.php
 * redirects to any address, and the server must not fetch one inside its own network.
 */
function redirectTarget(original: URL, current: URL, location: string | null, hops: number): URL {
  let next: URL | undefined;
  try {
    next = location ? new URL(location, current) : undefined;
  } catch {
    next = undefined;
  }
  if (!next || hops >= MAX_REDIRECTS || (next.origin !== original.origin && copiablePhotos([next.href]).length === 0)) {
    throw new PhotoFetchError('VK file download redirected off its file servers', { permanent: true });
  }
  return next;
}
