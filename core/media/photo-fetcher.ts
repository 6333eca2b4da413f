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

/** The messenger did not give the file (down, file expired, too large): not the caller's fault. */
export class PhotoFetchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PhotoFetchError';
  }
}

/** Photos larger than this are refused (Telegram's getFile serves at most 20 MB anyway). */
export const MAX_PHOTO_BYTES = 20 * 1024 * 1024;
