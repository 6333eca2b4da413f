import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { expectOneLine, runToExit } from '../app-process.ts';

/**
 * The embedded database's directory (DATA_DIR, PGlite) as an operator meets it: a second process on
 * the same directory is refused in one line (two would corrupt it), a lock left by a process that
 * died is taken over. main.ts and scripts/ run as children, each on a temporary directory.
 */
const main = fileURLToPath(new URL('../../main.ts', import.meta.url));
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'otklik-data-dir-'));
  dirs.push(dir);
  return dir;
}

/** The settings of an app on the embedded database in `dir`, with nothing else to reach. */
const embedded = (dir: string) => ({ DATA_DIR: dir, DATABASE_URL: '', DEMO_SEED: 'false', CRON_ENABLED: 'false' });

/** main.ts on the embedded database in `dir`, left running (killed at the end of the file). */
function startApp(dir: string): ChildProcess {
  const child = spawn(process.execPath, [main], { cwd: path.dirname(main), env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...embedded(dir) }, stdio: 'ignore' });
  children.push(child);
  return child;
}

/** The pid a lock names (its first line). */
const lockPid = (lock: string) => (existsSync(lock) ? readFileSync(lock, 'utf8').split('\n')[0] : undefined);

/** When process `pid` started, as the lock records it (/proc/<pid>/stat field 22, Linux). */
function startTime(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('one process per embedded database (otklik.lock in DATA_DIR)', { timeout: 120_000 }, () => {
  it('a second app or script on the same DATA_DIR is refused in one line naming the first one; the first releases the lock when it stops', async () => {
    const dir = tempDir();
    const lock = path.join(dir, 'otklik.lock');
    const first = startApp(dir);
    const exited = new Promise<number | null>((resolve) => first.once('exit', (code) => resolve(code)));
    await until(() => lockPid(lock) === String(first.pid), 30_000);
    // With its start time: the pid alone may later be another process's.
    if (existsSync('/proc/self/stat')) expect(readFileSync(lock, 'utf8')).toBe(`${first.pid}\n${startTime(first.pid!)}\n`);

    const inUse = new RegExp(`^DATA_DIR ${dir} is in use by another process \\(pid ${first.pid}, ${lock}\\): `);
    expectOneLine(await runToExit('main.ts', embedded(dir)), inUse);
    expectOneLine(await runToExit('scripts/migrate.ts', embedded(dir), ['status']), inUse);
    expect(lockPid(lock)).toBe(String(first.pid));

    // PGlite's first start (initdb) holds the event loop: the signal is handled once it is done.
    first.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });

  it('a lock left by a process that is gone is taken over', async () => {
    const dir = tempDir();
    const lock = path.join(dir, 'otklik.lock');
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(lock, `${gone}\n`);
    const app = startApp(dir);
    await until(() => lockPid(lock) === String(app.pid), 30_000);
    app.kill('SIGKILL');
  });

  it.runIf(existsSync('/proc/self/stat'))(
    "a lock whose pid is now an unrelated live process (started at another time) is taken over with one warning; the pid's own start time still refuses",
    async () => {
      const dir = tempDir();
      const lock = path.join(dir, 'otklik.lock');
      const other = spawn('sleep', ['120'], { stdio: 'ignore' });
      children.push(other);
      const pid = other.pid!;
      const inUse = new RegExp(`^DATA_DIR ${dir} is in use by another process \\(pid ${pid}, ${lock}\\): `);
      // The same pid and start time, or a pid alone (a lock written where there is no /proc): as far as anyone can tell, the holder runs.
      for (const held of [`${pid}\n${startTime(pid)}\n`, `${pid}\n`]) {
        writeFileSync(lock, held);
        expectOneLine(await runToExit('scripts/migrate.ts', embedded(dir), ['status']), inUse);
        expect(readFileSync(lock, 'utf8')).toBe(held);
      }

      // The pid recorded with another start time: the holder died and its pid went to `sleep`.
      writeFileSync(lock, `${pid}\n${Number(startTime(pid)) - 1}\n`);
      const app = spawn(process.execPath, [main], {
        cwd: path.dirname(main),
        env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...embedded(dir) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(app);
      let output = '';
      app.stdout!.on('data', (chunk) => (output += chunk));
      app.stderr!.on('data', (chunk) => (output += chunk));
      await until(() => lockPid(lock) === String(app.pid) && output.includes('took over'), 30_000);
      const warnings = output.split('\n').filter((line) => line.includes(lock));
      expect(warnings, output).toHaveLength(1);
      expect(JSON.parse(warnings[0]!)).toMatchObject({
        level: 40,
        msg: `DATA_DIR ${dir}: took over ${lock} left by pid ${pid}, which no longer runs (pid ${pid} is now another process, started at another time)`,
      });
      expect(other.exitCode).toBeNull();
      app.kill('SIGKILL');
    },
  );
});

describe('a DATA_DIR the app cannot use is one line naming it', { timeout: 120_000 }, () => {
  it('a file, a path under a file, or a directory it may not write in: for the app (embedded database or PostgreSQL) and the scripts', async () => {
    const file = path.join(tempDir(), 'not-a-directory');
    writeFileSync(file, '');
    const isFile = new RegExp(`^DATA_DIR ${file}: ${file} is a file, not a directory: set DATA_DIR to a directory`);
    expectOneLine(await runToExit('main.ts', embedded(file)), isFile);
    expectOneLine(await runToExit('scripts/migrate.ts', embedded(file)), isFile);
    expectOneLine(await runToExit('main.ts', embedded(path.join(file, 'data'))), new RegExp(`^DATA_DIR ${file}/data: ${file} is a file, not a directory: `));
    // On PostgreSQL the app keeps media and the photo cache there: checked before the database is reached (nothing listens on port 1).
    expectOneLine(await runToExit('main.ts', { ...embedded(file), DATABASE_URL: 'postgres://otklik@127.0.0.1:1/otklik' }), isFile);
    // sysfs: nobody may create files there, root included (as the tests may run).
    expectOneLine(
      await runToExit('main.ts', embedded('/sys/otklik-data')),
      /^DATA_DIR \/sys\/otklik-data: cannot write in \/sys \((permission denied|read-only file system)\): make it writable by the user the app runs as \(uid \d+\), or set DATA_DIR to a directory that is$/,
    );
  });
});
