import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where media bytes live, addressed by their sha256 (hex): the same bytes are stored once, a
 * name never comes from outside, and an object never changes once written.
 */
export interface MediaStore {
  readonly kind: 'disk' | 's3';
  /** Stores the bytes under their hash; a second put of the same hash does nothing. */
  put(sha256: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** The bytes, or undefined when there are none under this hash. */
  get(sha256: string): Promise<Uint8Array | undefined>;
}

const HASH = /^[0-9a-f]{64}$/;

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
      )
        return;
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
  };
}
