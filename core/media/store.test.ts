import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { jpegBytes, mp4Bytes, pngBytes } from '../../test/media/files.ts';
import { isDomainError } from '../errors.ts';
import { readMedia, storeMedia } from './media.repository.ts';
import { createS3MediaStore } from './s3-store.ts';
import { sniffMediaType } from './sniff.ts';
import { createDiskMediaStore, type MediaStore } from './store.ts';

let t: TestDatabase;
let dir: string;
let s3: S3rver;
let s3Url: string;
const limits = { maxImageBytes: 4096, maxVideoBytes: 8192 };

beforeAll(async () => {
  t = await createTestDatabase();
  dir = mkdtempSync(path.join(tmpdir(), 'otklik-media-'));
  // A real S3-compatible server from npm, on a free local port, storing in a temporary directory.
  s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: path.join(dir, 's3') });
  const address = await s3.run();
  s3Url = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  await s3.close();
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

async function s3Store(): Promise<MediaStore> {
  const store = createS3MediaStore({ bucket: 'otklik-media', region: 'us-east-1', endpoint: s3Url, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true, prefix: 'media/' });
  await store.client.send(new CreateBucketCommand({ Bucket: 'otklik-media' })).catch((error: unknown) => {
    if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(String((error as { name?: string }).name))) throw error;
  });
  return store;
}

describe('the real type of a file comes from its bytes', () => {
  it('knows JPEG, PNG, WebP and MP4, and nothing else', () => {
    expect(sniffMediaType(jpegBytes())).toEqual({ mime: 'image/jpeg', kind: 'image' });
    expect(sniffMediaType(pngBytes())).toEqual({ mime: 'image/png', kind: 'image' });
    expect(sniffMediaType(new Uint8Array([...Buffer.from('RIFF'), 0, 0, 0, 0, ...Buffer.from('WEBPVP8 ')]))).toEqual({ mime: 'image/webp', kind: 'image' });
    expect(sniffMediaType(mp4Bytes())).toEqual({ mime: 'video/mp4', kind: 'video' });
    expect(sniffMediaType(Buffer.from('%PDF-1.7 not an image'))).toBeUndefined();
    expect(sniffMediaType(Buffer.from('GIF89a'))).toBeUndefined();
    expect(sniffMediaType(new Uint8Array([0, 0, 0, 0x14, ...Buffer.from('ftypqt  ')]))).toBeUndefined();
  });
});

describe.each([
  ['on disk (DATA_DIR)', () => Promise.resolve(createDiskMediaStore(path.join(dir, 'disk')))],
  ['in S3 (a local s3rver started by the test)', s3Store],
])('the media store %s', (_, makeStore) => {
  it('stores bytes once by content, reads them back, and answers undefined for unknown content', async () => {
    const store = await makeStore();
    const kemerovo = t.demo.municipalities.Kemerovo;
    const bytes = jpegBytes(1000, store.kind === 'disk' ? 1 : 2);
    const a = await storeMedia(t.db, store, { bytes, declaredType: 'image/jpeg', municipalityId: kemerovo, origin: 'upload', limits });
    const b = await storeMedia(t.db, store, { bytes, municipalityId: null, origin: 'tg', limits });
    expect(a.sha256).toBe(b.sha256);
    expect(a.id).not.toBe(b.id); // one row per upload (each has its own scope), one stored object
    expect(a).toMatchObject({ mime: 'image/jpeg', kind: 'image', sizeBytes: 1000, municipalityId: kemerovo });
    const read = await readMedia(t.db, store, a.id);
    expect(Buffer.from(read.bytes).equals(Buffer.from(bytes))).toBe(true);
    expect(await store.get('0'.repeat(64))).toBeUndefined();
    const video = await storeMedia(t.db, store, { bytes: mp4Bytes(2000), declaredType: 'video/mp4', municipalityId: null, origin: 'upload', limits });
    expect(Buffer.from((await readMedia(t.db, store, video.id)).bytes).length).toBe(2000);
  });

  it('refuses files that are too large for their kind, of an unknown type, or contradicting their declared type', async () => {
    const store = await makeStore();
    const attempt = async (bytes: Uint8Array, declaredType?: string) => {
      try {
        await storeMedia(t.db, store, { bytes, declaredType, municipalityId: null, origin: 'upload', limits });
        return 'stored';
      } catch (error) {
        if (!isDomainError(error)) throw error;
        return error.code;
      }
    };
    expect(await attempt(jpegBytes(limits.maxImageBytes + 1))).toBe('MEDIA_TOO_LARGE');
    expect(await attempt(mp4Bytes(limits.maxImageBytes + 1))).toBe('stored'); // videos have their own limit
    expect(await attempt(mp4Bytes(limits.maxVideoBytes + 1))).toBe('MEDIA_TOO_LARGE');
    expect(await attempt(Buffer.from('<html>not an image</html>'), 'image/jpeg')).toBe('MEDIA_UNSUPPORTED_TYPE');
    expect(await attempt(mp4Bytes(), 'image/png')).toBe('MEDIA_UNSUPPORTED_TYPE');
    expect(await attempt(pngBytes(), 'application/octet-stream')).toBe('stored');
  });
});
