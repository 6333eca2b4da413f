import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CopyObjectCommand, CreateBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { sql } from 'kysely';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { jobLockKey, LOCK_NAMESPACE, runJob } from '../jobs/run-job.ts';
import { hashColumns, mediaOrphanSweepJob, sweepOrphanMedia } from './orphan-sweep.ts';
import { createS3MediaStore } from './s3-store.ts';
import { createDiskMediaStore, type MediaStore, RENEW_AFTER_MS } from './store.ts';

/**
 * The media-orphan-sweep job: stored objects no row references are removed once older than the
 * grace period, on disk and in S3 (a local s3rver); referenced bytes, young ones and names that are
 * not the store's stay; a put of bytes already stored renews them; a second instance does nothing.
 */
let t: TestDatabase;
let dir: string;
let s3: S3rver;
let s3Url: string;
const HOUR = 3_600_000;
const GRACE = 24 * HOUR;

beforeAll(async () => {
  t = await createTestDatabase();
  dir = mkdtempSync(path.join(tmpdir(), 'otklik-orphans-'));
  s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: path.join(dir, 's3') });
  s3Url = `http://127.0.0.1:${(await s3.run()).port}`;
});
afterAll(async () => {
  await s3.close();
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

let stores = 0;
function diskStore(): { store: MediaStore; root: string } {
  const root = path.join(dir, `disk-${++stores}`);
  const store = createDiskMediaStore(root);
  diskRoots.set(store, root);
  return { store, root };
}
async function s3Store(): Promise<MediaStore & { client: ReturnType<typeof createS3MediaStore>['client'] }> {
  const bucket = `orphans-${++stores}`;
  const store = createS3MediaStore({ bucket, region: 'us-east-1', endpoint: s3Url, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true, prefix: 'media/' });
  await store.client.send(new CreateBucketCommand({ Bucket: bucket }));
  return Object.assign(store, { bucket });
}

/** Fresh bytes and their hash, put in the store. */
async function putNew(store: MediaStore): Promise<string> {
  const bytes = randomBytes(32);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await store.put(sha256, bytes, 'image/jpeg');
  return sha256;
}
const mediaRow = (sha256: string) => t.db.insertInto('media').values({ sha256, mime: 'image/jpeg', kind: 'image', size_bytes: 32 }).execute();
const listed = async (store: MediaStore) => {
  const names: string[] = [];
  for await (const o of store.list()) names.push(o.sha256);
  return names.sort();
};

describe('the stores list and delete their objects', () => {
  it('on disk: only dir/ab/cd/<hash> is an object; a temporary file or anything else there is left alone', async () => {
    const { store, root } = diskStore();
    expect(await listed(store)).toEqual([]); // no directory yet
    const a = await putNew(store);
    const b = await putNew(store);
    writeFileSync(path.join(root, a.slice(0, 2), a.slice(2, 4), `${a}.123.456.tmp`), 'half');
    writeFileSync(path.join(root, 'README'), 'not media');
    mkdirSync(path.join(root, 'zz', 'yy'), { recursive: true });
    writeFileSync(path.join(root, 'zz', 'yy', 'f'.repeat(64)), 'misplaced');
    expect(await listed(store)).toEqual([a, b].sort());
    expect((await store.modifiedAt(a))!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    await store.delete(a);
    await store.delete(a); // nothing there: no error
    expect(await store.get(a)).toBeUndefined();
    expect(await store.modifiedAt(a)).toBeUndefined();
    expect(await listed(store)).toEqual([b]);
    await expect(store.delete('../etc/passwd')).rejects.toThrow('not a sha256');
  });

  it('in S3: only <prefix><hash> keys, over several pages', async () => {
    const store = await s3Store();
    const bucket = (store as unknown as { bucket: string }).bucket;
    const hashes = [];
    for (let i = 0; i < 3; i++) hashes.push(await putNew(store));
    await store.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'media/readme.txt', Body: 'x' }));
    await store.client.send(new PutObjectCommand({ Bucket: bucket, Key: `other/${'a'.repeat(64)}`, Body: 'x' }));
    expect(await listed(store)).toEqual(hashes.sort());
    // A bucket answers in pages (1000 keys at most): the continuation is followed. s3rver's own paging
    // fails (InternalError on a continuation), so the pages are made here from its full answer.
    const send = store.client.send.bind(store.client);
    const tokens: (string | undefined)[] = [];
    const spy = vi.spyOn(store.client, 'send').mockImplementation((async (command: unknown) => {
      if (!(command instanceof ListObjectsV2Command)) return send(command as never);
      const { ContinuationToken } = command.input;
      tokens.push(ContinuationToken);
      const all = await send(new ListObjectsV2Command({ ...command.input, ContinuationToken: undefined }) as never);
      const page = Number(ContinuationToken ?? 0);
      const contents = (all as { Contents?: unknown[] }).Contents ?? [];
      return { ...all, Contents: contents.slice(page, page + 1), IsTruncated: page + 1 < contents.length, NextContinuationToken: String(page + 1) };
    }) as never);
    expect(await listed(store)).toEqual(hashes.sort());
    expect(tokens).toEqual([undefined, '1', '2', '3']);
    spy.mockRestore();
    await store.delete(hashes[0]!);
    await store.delete(hashes[0]!);
    expect(await store.modifiedAt(hashes[0]!)).toBeUndefined();
    expect(await listed(store)).toEqual(hashes.slice(1).sort());
  });
});

describe('the sweep', () => {
  it('knows every column naming stored bytes: media and the messengers’ uploads', async () => {
    expect(await hashColumns(t.db)).toEqual([
      { table: 'media', column: 'sha256' },
      { table: 'media_upload', column: 'sha256' },
    ]);
  });

  it('on disk: removes unreferenced objects past the grace period, keeps referenced and young ones', async () => {
    const { store } = diskStore();
    const referenced = await putNew(store);
    await mediaRow(referenced);
    const uploadOnly = await putNew(store);
    await t.db.insertInto('media_upload').values({ sha256: uploadOnly, channel: 'tg', file_ref: 'file-1' }).execute();
    const orphan = await putNew(store);
    const young = await putNew(store);
    const now = new Date();
    const old = new Date(now.getTime() - GRACE - HOUR);
    for (const h of [referenced, uploadOnly, orphan]) await setAge(store, h, old);
    expect(await sweepOrphanMedia(t.db, store, now, GRACE)).toEqual({ listed: 4, old: 3, removed: 1 });
    expect(await listed(store)).toEqual([referenced, uploadOnly, young].sort());
    // Just inside the grace period: kept.
    await setAge(store, young, new Date(now.getTime() - GRACE + 60_000));
    expect(await sweepOrphanMedia(t.db, store, now, GRACE)).toEqual({ listed: 3, old: 2, removed: 0 });
  });

  it('on disk: a put of bytes already stored renews them, so an upload whose row is not committed yet is not removed', async () => {
    const { store } = diskStore();
    const bytes = randomBytes(32);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await store.put(sha256, bytes, 'image/jpeg');
    await setAge(store, sha256, new Date(Date.now() - 3 * GRACE));
    await store.put(sha256, bytes, 'image/jpeg'); // the same photo again; its row is not committed yet
    expect(await sweepOrphanMedia(t.db, store, new Date(), GRACE)).toEqual({ listed: 1, old: 0, removed: 0 });
    expect(await store.get(sha256)).toBeDefined();
  });

  it('keeps bytes a table added later names in a column of its own called sha256', async () => {
    const { store } = diskStore();
    const named = await putNew(store);
    await setAge(store, named, new Date(Date.now() - 2 * GRACE));
    await sql`CREATE TABLE later_attachment (id serial PRIMARY KEY, sha256 text NOT NULL)`.execute(t.db);
    try {
      await sql`INSERT INTO later_attachment (sha256) VALUES (${named})`.execute(t.db);
      expect(await sweepOrphanMedia(t.db, store, new Date(), GRACE)).toEqual({ listed: 1, old: 1, removed: 0 });
    } finally {
      await sql`DROP TABLE later_attachment`.execute(t.db);
    }
    expect(await sweepOrphanMedia(t.db, store, new Date(), GRACE)).toEqual({ listed: 1, old: 1, removed: 1 });
  });

  it('in S3: the same rule (ages told by the bucket: the sweep run as of a day later)', async () => {
    const store = await s3Store();
    const referenced = await putNew(store);
    await mediaRow(referenced);
    const orphan = await putNew(store);
    expect(await sweepOrphanMedia(t.db, store, new Date(), GRACE)).toEqual({ listed: 2, old: 0, removed: 0 });
    // One minute short of the grace period: still kept.
    expect(await sweepOrphanMedia(t.db, store, new Date(Date.now() + GRACE - 60_000), GRACE)).toEqual({ listed: 2, old: 0, removed: 0 });
    expect(await sweepOrphanMedia(t.db, store, new Date(Date.now() + GRACE + HOUR), GRACE)).toEqual({ listed: 2, old: 2, removed: 1 });
    expect(await listed(store)).toEqual([referenced]);
    expect(await store.get(orphan)).toBeUndefined();
  });

  it('in S3: a put of bytes stored over an hour ago renews the object (copied onto itself, no bytes sent)', async () => {
    const store = await s3Store();
    const bytes = randomBytes(32);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    // The bucket's clock cannot be moved (s3rver refuses skewed requests): when `aged`, its HEAD
    // answer says the object is older than it is. s3rver keeps an object's time through a copy onto
    // itself (S3 renews it), so what is checked is the copy asked for.
    let aged = false;
    const send = store.client.send.bind(store.client);
    const sent: string[] = [];
    const copies: unknown[] = [];
    const spy = vi.spyOn(store.client, 'send').mockImplementation((async (command: { constructor: { name: string }; input: unknown }) => {
      sent.push(command.constructor.name);
      const answer = await send(command as never);
      if (command instanceof CopyObjectCommand) copies.push(command.input);
      if (command instanceof HeadObjectCommand && aged) return { ...answer, LastModified: new Date(Date.now() - RENEW_AFTER_MS - 60_000) };
      return answer;
    }) as never);
    try {
      await store.put(sha256, bytes, 'image/jpeg');
      await store.put(sha256, bytes, 'image/jpeg'); // young: left as it is
      expect(copies).toEqual([]);
      aged = true;
      sent.length = 0;
      await store.put(sha256, bytes, 'image/jpeg');
    } finally {
      spy.mockRestore();
    }
    expect(sent).toEqual(['HeadObjectCommand', 'CopyObjectCommand']);
    expect(copies).toEqual([expect.objectContaining({ Key: `media/${sha256}`, MetadataDirective: 'REPLACE', ContentType: 'image/jpeg' })]);
    expect(Buffer.from((await store.get(sha256))!).equals(bytes)).toBe(true);
  });
});

describe('the cron job', () => {
  it('counts what it removed in its run record; a second instance (the lock held elsewhere) does nothing', async () => {
    const { store } = diskStore();
    const orphan = await putNew(store);
    await setAge(store, orphan, new Date(Date.now() - 2 * GRACE));
    const job = mediaOrphanSweepJob(store, GRACE);
    expect(job).toMatchObject({ name: 'media-orphan-sweep', batched: true });
    const clock = () => new Date();
    // Another instance holds the job's lock: this one records a skipped run and removes nothing.
    const skipped = await t.db.connection().execute(async (other) => {
      await sql`SELECT pg_advisory_lock(${LOCK_NAMESPACE}::int, ${jobLockKey(job.name)}::int)`.execute(other);
      try {
        return await runJob(t.db, job, clock, 'second');
      } finally {
        await sql`SELECT pg_advisory_unlock(${LOCK_NAMESPACE}::int, ${jobLockKey(job.name)}::int)`.execute(other);
      }
    });
    expect(skipped).toMatchObject({ outcome: 'skipped', counts: {} });
    expect(await listed(store)).toEqual([orphan]);

    const ran = await runJob(t.db, job, clock, 'first');
    expect(ran).toMatchObject({ outcome: 'ok', counts: { listed: 1, old: 1, removed: 1 } });
    const row = await t.db.selectFrom('job_run').select(['outcome', 'counts']).where('id', '=', ran.runId).executeTakeFirstOrThrow();
    expect(row).toEqual({ outcome: 'ok', counts: { listed: 1, old: 1, removed: 1 } });
    expect(await listed(store)).toEqual([]);
  });

  it('refuses to remove anything when the media table is not where it should be', async () => {
    const { store } = diskStore();
    const orphan = await putNew(store);
    await setAge(store, orphan, new Date(Date.now() - 2 * GRACE));
    await sql`ALTER TABLE media RENAME COLUMN sha256 TO content_hash`.execute(t.db);
    try {
      await expect(sweepOrphanMedia(t.db, store, new Date(), GRACE)).rejects.toThrow('media.sha256 not found');
    } finally {
      await sql`ALTER TABLE media RENAME COLUMN content_hash TO sha256`.execute(t.db);
    }
    expect(await listed(store)).toEqual([orphan]);
  });
});

const diskRoots = new WeakMap<MediaStore, string>();

/** Ages a disk object (its file's mtime). */
async function setAge(store: MediaStore, sha256: string, at: Date): Promise<void> {
  const root = diskRoots.get(store);
  if (!root) throw new Error('ages are set on disk stores only');
  utimesSync(path.join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256), at, at);
}
