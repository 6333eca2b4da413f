import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiskMediaStore } from '../../core/media/store.ts';
import { fileMessage } from '../../core/messages/filing.service.ts';
import { createLogger } from '../../logger.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { jpegBytes } from '../../test/media/files.ts';
import { categoryId, KEMEROVO_CENTER, registeredResident } from '../../test/residents.ts';
import { createFilingPhotoCopier } from './filing-photos.ts';

let t: TestDatabase;
let dir: string;
beforeAll(async () => {
  t = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'otklik-copier-stop-'));
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const quiet = createLogger('info', new Writable({ write: (_chunk, _enc, done) => done() }));

/**
 * An instance stops (a deploy's SIGTERM) while its copier is downloading the first photo of a
 * claimed batch: the photos it never started must not stay leased for the lease's five minutes,
 * or their copies (and the follow-ups to the executors' cards) wait that long after every restart.
 */
describe('the filed-photo copier stopping mid-batch', () => {
  it('gives back the photos it claimed and never started: the next instance copies them at once, their attempt not counted', async () => {
    const residentId = await registeredResident(t.db, { municipalityId: t.demo.municipalities.Kemerovo });
    const urls = ['https://sun9-3.userapi.com/a.jpg', 'https://sun9-3.userapi.com/b.jpg', 'https://sun9-3.userapi.com/c.jpg'];
    const { message } = await fileMessage(
      t.db,
      {
        residentId,
        categoryId: await categoryId(t.db, 'roads.pothole'),
        text: 'Яма у остановки',
        point: KEMEROVO_CENTER,
        address: null,
        channel: 'vk',
        photos: urls.map((url, i) => ({ fileId: `photo700000001_${i}_k`, url })),
      },
      new Date(),
    );
    let release: () => void = () => {};
    let downloads = 0;
    let startedFirst: () => void = () => {};
    const first = new Promise<void>((resolve) => (startedFirst = resolve));
    const slowFetch = (async (input: string | URL | Request) => {
      downloads++;
      startedFirst();
      if (downloads === 1) await new Promise<void>((resolve) => (release = resolve));
      return new Response(jpegBytes(300, String(input).length), { status: 200, headers: { 'content-type': 'image/jpeg' } });
    }) as typeof fetch;
    const options = {
      db: t.db,
      store: createDiskMediaStore(dir),
      limits: { maxImageBytes: 10_000_000, maxVideoBytes: 50_000_000 },
      clock: () => new Date(),
      logger: quiet,
      pollMs: 60_000,
      maxAttempts: 8,
      retryBaseMs: 30_000,
    };
    const copier = createFilingPhotoCopier({ ...options, vkFetch: slowFetch });
    const pass = copier.runOnce();
    await first;
    const stopping = copier.stop();
    release();
    await stopping;
    await pass;

    const rows = () => t.db.selectFrom('message_photo').select(['id', 'media_id', 'copy_due_at', 'copy_attempts']).where('message_id', '=', message.id).orderBy('position').execute();
    const after = await rows();
    expect(after.map((r) => r.media_id !== null)).toEqual([true, false, false]);
    for (const r of after.slice(1)) {
      expect(r.copy_due_at!.getTime()).toBeLessThanOrEqual(Date.now());
      expect(r.copy_attempts).toBe(0);
    }

    // The next instance's copier takes them at its first pass.
    const next = createFilingPhotoCopier({ ...options, vkFetch: (async () => new Response(jpegBytes(300, 9), { status: 200, headers: { 'content-type': 'image/jpeg' } })) as typeof fetch });
    expect((await next.runOnce()).copied).toBe(2);
    expect((await rows()).map((r) => [r.media_id !== null, r.copy_attempts])).toEqual([
      [true, 1],
      [true, 1],
      [true, 1],
    ]);
    await next.stop();
  });
});
