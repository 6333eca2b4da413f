import { mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** An object of the store: its hash and when it was last written (or renewed by a put of the same bytes). */
export interface StoredObject {
  sha256: string;
  modifiedAt: Date;
}

/**
 * Where media bytes live, addressed by their sha256 (hex): the same bytes are stored once, a
 * name never comes from outside, and an object's bytes never change once written. Objects no media
 * row references are removed by the orphan sweep (core/media/orphan-sweep.ts) once older than its
 * grace period, which is why a put renews an object already there.
 */
export interface MediaStore {
  readonly kind: 'disk' | 's3';
  /**
   * Stores the bytes under their hash. Bytes already there are not written again, but the object's
   * time is renewed (at most RENEW_AFTER_MS old afterwards): the row that will reference them is not
   * committed yet, and the sweep must see them as new.
   */
  put(sha256: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** The bytes, or undefined when there are none under this hash. */
  get(sha256: string): Promise<Uint8Array | undefined>;
  /** Every object stored (names that are not a hash where one belongs are not the store's and are left out). */
  list(): AsyncIterable<StoredObject>;
  /** When the object was last written or renewed; undefined when there is none. */
  modifiedAt(sha256: string): Promise<Date | undefined>;
  /** Removes the object; nothing when there is none. */
  delete(sha256: string): Promise<void>;
}

/**
 * How old an object may be before a put of the same bytes renews its time: an S3 object is renewed
 * by copying it onto itself, which is not worth doing on every put. The sweep's grace period is
 * longer (MEDIA_ORPHAN_GRACE_HOURS, at least 2 h).
 */
export const RENEW_AFTER_MS = 60 * 60_000;

export const HASH = /^[0-9a-f]{64}$/;

export function assertHash(sha256: string): void {
  if (!HASH.test(sha256)) throw new Error('not a sha256 hex digest');
}

/** Files under `dir`/ab/cd/<hash> (two levels keep directories small), written atomically. */
export function createDiskMediaStore(dir: string): MediaStore {
  const fileOf = (sha256: string) => {
    assertHash(sha256);
    return path.join(dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  };
  return {
    kind: 'disk',
    async put(sha256, bytes) {
      const file = fileOf(sha256);
      if (
        await stat(file).then(
          () => true,
          () => false,
        )
      ) {
        const now = new Date();
        await utimes(file, now, now);
        return;
      }
      await mkdir(path.dirname(file), { recursive: true });
      const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(temp, bytes);
      await rename(temp, file);
    },
    async get(sha256) {
      try {
        return new Uint8Array(await readFile(fileOf(sha256)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async *list() {
      // Only dir/ab/cd/<hash starting abcd>: a temporary file, or anything else put there, is not an object.
      for (const first of await entries(dir)) {
        if (!/^[0-9a-f]{2}$/.test(first)) continue;
        for (const second of await entries(path.join(dir, first))) {
          if (!/^[0-9a-f]{2}$/.test(second)) continue;
          for (const name of await entries(path.join(dir, first, second))) {
            if (!HASH.test(name) || !name.startsWith(first + second)) continue;
            const modified = await stat(path.join(dir, first, second, name)).then(
              (s) => s.mtime,
              () => undefined,
            );
            if (modified) yield { sha256: name, modifiedAt: modified };
          }
        }
      }
    },
    async modifiedAt(sha256) {
      return stat(fileOf(sha256)).then(
        (s) => s.mtime,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return undefined;
          throw error;
        },
      );
    },
    async delete(sha256) {
      await unlink(fileOf(sha256)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    },
  };
}

/** A directory's names, none when it is not there (an empty store). */
async function entries(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw error;
  }
}
