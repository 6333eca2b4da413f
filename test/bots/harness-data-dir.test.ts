import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../database.ts';
import { newChat, residentOf } from './chats.ts';
import { BotHarness } from './harness.ts';

/**
 * The bot harness (and `npm run replay`, which uses it) keeps what the app writes — media copied
 * from the fake messengers, the photo cache — in a temporary directory of its own, removed at the
 * end: never in the repository's ./data, the developer's embedded database folder.
 */
const REPO = path.resolve(import.meta.dirname, '../..');
const REPO_DATA = path.join(REPO, 'data');

/** Every path under ./data (none when it does not exist). */
const listing = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort() : []);

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.close());

describe('the bot harness writes nothing under ./data', () => {
  it("a contest entry's photo is stored under the harness's temporary directory, which close() removes; ./data is untouched", async () => {
    const before = listing(REPO_DATA);
    const harness = await BotHarness.start({ database: db });
    try {
      expect(path.resolve(harness.dataDir).startsWith(path.resolve(tmpdir()))).toBe(true);
      const chat = newChat(harness, 'tg', 'Анна');
      await chat.playFixture('contest-photo.json');
      const entry = await db.db
        .selectFrom('contest_entry')
        .innerJoin('media', 'media.id', 'contest_entry.media_id')
        .select('media.sha256')
        .where('contest_entry.resident_id', '=', await residentOf(db, chat))
        .executeTakeFirstOrThrow();
      const relative = path.join('media', entry.sha256.slice(0, 2), entry.sha256.slice(2, 4), entry.sha256);
      expect(existsSync(path.join(harness.dataDir, relative))).toBe(true);
      expect(existsSync(path.join(REPO_DATA, relative))).toBe(false);
    } finally {
      await harness.close();
    }
    expect(existsSync(harness.dataDir)).toBe(false);
    expect(listing(REPO_DATA)).toEqual(before);
  });

  it('a data directory given to the harness is used and kept', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'otklik-kept-'));
    try {
      const harness = await BotHarness.start({ database: db, dataDir: dir });
      expect(harness.dataDir).toBe(dir);
      await harness.close();
      expect(existsSync(dir)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('npm run replay leaves no data directory behind: nothing in its working directory, nothing in its temporary directory', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'otklik-replay-cwd-'));
    const tmp = mkdtempSync(path.join(tmpdir(), 'otklik-replay-tmp-'));
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [path.join(REPO, 'scripts/replay.ts'), 'contest-photo.json'], {
        cwd,
        env: { ...process.env, TMPDIR: tmp },
        maxBuffer: 16 * 1024 * 1024,
      });
      expect(stdout).toContain('📬');
      expect(readdirSync(cwd)).toEqual([]);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});
