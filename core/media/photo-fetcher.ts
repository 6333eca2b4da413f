import type { Channel } from '../db/types.ts';

export interface Photo {
  bytes: Uint8Array;
  contentType: string;
}

/**
 * Fetches the bytes of a resident's photo by the messenger's file id. One implementation per
 * messenger (Telegram: getFile + file download; VK can add its own); wrapped by the cache.
 */
export interface PhotoFetcher {
  fetch(fileId: string): Promise<Photo>;
}

export type PhotoFetchers = Partial<Record<Channel, PhotoFetcher>>;

/**
 * The messenger did not give the file (down, file expired, too large): not the caller's fault.
 * `permanent`: asking again will not help (the messenger refused this file id or URL, or the file is too large).
 */
export class PhotoFetchError extends Error {
  readonly permanent: boolean;
  constructor(message: string, options?: { cause?: unknown; permanent?: boolean }) {
    super(message, options);
    this.name = 'PhotoFetchError';
    this.permanent = options?.permanent ?? false;
  }
}

/** Photos larger than this are refused (Telegram's getFile serves at most 20 MB anyway). */
export const MAX_PHOTO_BYTES = 20 * 1024 * 1024;
