import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMedia } from '../../core/media/media.repository.ts';
import { createDiskMediaStore } from '../../core/media/store.ts';
import { isDomainError } from '../../core/errors.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { FakeTelegramApi } from '../../test/fakes/telegram-api.ts';
import { jpegBytes, mp4Bytes } from '../../test/media/files.ts';
import { copyFromTelegram, copyFromVk } from './copy.ts';
import { telegramPhotoFetcher } from './telegram-photo-fetcher.ts';

let t: TestDatabase;
let api: FakeTelegramApi;
let dir: string;
const limits = { maxImageBytes: 10_000, maxVideoBytes: 20_000 };

beforeAll(async () => {
  t = await createTestDatabase();
  api = await new FakeTelegramApi().start();
  dir = mkdtempSync(path.join(tmpdir(), 'otklik-copy-'));
});
afterAll(async () => {
  await api.stop();
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("residents' media copied into the store", () => {
  it('from Telegram (getFile + download) and from a VK attachment URL, checked like uploads', async () => {
    const store = createDiskMediaStore(dir);
    const kemerovo = t.demo.municipalities.Kemerovo;
    const photo = jpegBytes(4000, 3);
    api.files.set('AgACphoto', { path: 'photos/file_7.jpg', bytes: photo, contentType: 'image/jpeg' });
    const fetcher = telegramPhotoFetcher({ apiRoot: api.url, token: '1:T' });
    const fromTelegram = await copyFromTelegram(t.db, store, fetcher, 'AgACphoto', { municipalityId: kemerovo, limits });
    expect(fromTelegram).toMatchObject({ kind: 'image', mime: 'image/jpeg', sizeBytes: 4000, origin: 'tg', municipalityId: kemerovo });
    expect(Buffer.from((await readMedia(t.db, store, fromTelegram.id)).bytes).equals(Buffer.from(photo))).toBe(true);

    // A stand-in for VK's file servers (userapi.com): a video, and one too large.
    const video = mp4Bytes(15_000);
    const server = createServer((req, res) => {
      const bytes = req.url === '/video.mp4' ? video : mp4Bytes(25_000);
      res.writeHead(200, { 'content-type': 'video/mp4' });
      res.end(Buffer.from(bytes));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const fromVk = await copyFromVk(t.db, store, `${base}/video.mp4`, { municipalityId: kemerovo, limits });
      expect(fromVk).toMatchObject({ kind: 'video', mime: 'video/mp4', sizeBytes: 15_000, origin: 'vk' });
      const tooLarge = await copyFromVk(t.db, store, `${base}/huge.mp4`, { municipalityId: kemerovo, limits }).catch((error: unknown) => error);
      expect(isDomainError(tooLarge, 'MEDIA_TOO_LARGE')).toBe(true);
      await expect(copyFromVk(t.db, store, 'file:///etc/passwd', { municipalityId: kemerovo, limits })).rejects.toThrow(/http/);
      // VK's answer decides whether another attempt may help: a 4xx is final (gone, signature expired), a 5xx is not.
      const answering = (status: number) => (async () => new Response('no', { status })) as unknown as typeof fetch;
      await expect(copyFromVk(t.db, store, `${base}/gone.jpg`, { municipalityId: kemerovo, limits }, answering(404))).rejects.toMatchObject({ name: 'PhotoFetchError', permanent: true });
      await expect(copyFromVk(t.db, store, `${base}/busy.jpg`, { municipalityId: kemerovo, limits }, answering(503))).rejects.toMatchObject({ name: 'PhotoFetchError', permanent: false });
      await expect(copyFromVk(t.db, store, `${base}/slow.jpg`, { municipalityId: kemerovo, limits }, answering(429))).rejects.toMatchObject({ name: 'PhotoFetchError', permanent: false });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('security', () => {
  it("a VK URL that redirects off VK's file servers is not followed (no request reaches the other host); a redirect on the same server is", async () => {
    const store = createDiskMediaStore(dir);
    const kemerovo = t.demo.municipalities.Kemerovo;
    const photo = jpegBytes(3000, 5);
    // A host inside the server's network that must never be asked (vk.com/away.php redirects anywhere).
    let internalHits = 0;
    const internal = createServer((_req, res) => {
      internalHits++;
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.end(Buffer.from(photo));
    });
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
    const internalBase = `http://127.0.0.1:${(internal.address() as AddressInfo).port}`;
    const vk = createServer((req, res) => {
      if (req.url === '/away') res.writeHead(302, { location: `${internalBase}/latest/meta-data` }).end();
      else if (req.url === '/moved') res.writeHead(302, { location: '/photo.jpg' }).end();
      else res.writeHead(200, { 'content-type': 'image/jpeg' }).end(Buffer.from(photo));
    });
    await new Promise<void>((resolve) => vk.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(vk.address() as AddressInfo).port}`;
    try {
      const before = await t.db
        .selectFrom('media')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      await expect(copyFromVk(t.db, store, `${base}/away`, { municipalityId: kemerovo, limits })).rejects.toMatchObject({ name: 'PhotoFetchError', permanent: true });
      expect(internalHits).toBe(0);
      expect(
        await t.db
          .selectFrom('media')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow(),
      ).toEqual(before);
      const moved = await copyFromVk(t.db, store, `${base}/moved`, { municipalityId: kemerovo, limits });
      expect(moved).toMatchObject({ kind: 'image', sizeBytes: 3000, origin: 'vk' });
    } finally {
      for (const server of [vk, internal]) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    }
  });
});
