import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../startup-failure.ts';

/**
 * Checks that the app can write in `dir` (named by `variable`) without creating it: it, or the
 * nearest part of its path that exists (created later, on first use), must be a directory this
 * process may write in (a file is tried there and removed: as root, access() says yes to anything).
 * Otherwise a ConfigError with one line, before anything opens, instead of a stack at first use.
 */
export function checkDirectory(dir: string, variable: string): void {
  let at = path.resolve(dir);
  for (;;) {
    try {
      if (!statSync(at).isDirectory()) throw new ConfigError(`${variable} ${dir}: ${at} is a file, not a directory: set ${variable} to a directory`);
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && path.dirname(at) !== at) at = path.dirname(at);
      else throw cannotWrite(error, dir, at, variable);
    }
  }
  const probe = path.join(at, `.otklik-write-check-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (error) {
    throw cannotWrite(error, dir, at, variable);
  }
}

const REASONS: Record<string, string> = { EACCES: 'permission denied', EPERM: 'permission denied', EROFS: 'read-only file system', ENOSPC: 'no space left' };

function cannotWrite(error: unknown, dir: string, at: string, variable: string): Error {
  if (error instanceof ConfigError) return error;
  const { code, message } = error as NodeJS.ErrnoException;
  const reason = (code && REASONS[code]) ?? message;
  return new ConfigError(
    `${variable} ${dir}: cannot write in ${at} (${reason}): make it writable by the user the app runs as (uid ${process.getuid?.() ?? 'unknown'}), or set ${variable} to a directory that is`,
  );
}

/** The embedded database's lock, in its directory: the pid of the process using it and, on Linux, its start time. */
export const LOCK_FILE = 'otklik.lock';

/**
 * Takes DATA_DIR for this process: PGlite has no lock of its own, and a second process (another
 * `npm start`, `npm run migrate` while the app runs) would open the same files and corrupt them.
 * The lock holds the pid, and on Linux the process's start time on a second line: a pid is reused
 * (after a crash and a reboot or a container restart, the lock's pid may be another, unrelated
 * process), the pair is not. A lock whose process no longer runs is taken over, told to `warn` in
 * one line: its pid is gone, or is now a process started at another time, or is this process's own
 * (a container restarted: its app gets the same pid again). Returns the release, also run at exit.
 */
export function lockDataDir(dir: string, warn: (message: string) => void = (message) => process.stderr.write(`${message}\n`)): () => void {
  const file = path.join(dir, LOCK_FILE);
  const ownStart = startTime(process.pid);
  const own = ownStart === undefined ? `${process.pid}\n` : `${process.pid}\n${ownStart}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, own, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = readHolder(file);
      const pid = Number.parseInt(held ?? '', 10);
      const stale = held === undefined ? 'released meanwhile' : whyStale(held);
      if (attempt >= 2 || stale === undefined) {
        throw new ConfigError(
          `DATA_DIR ${dir} is in use by another process (pid ${Number.isNaN(pid) ? 'unknown' : pid}, ${file}): the embedded database takes one process at a time; stop that one first, or use PostgreSQL (DATABASE_URL) for several (if no such process uses it, remove ${file})`,
        );
      }
      // Stale: removed only if it still says what was read (another process may be taking it over too).
      if (held !== undefined && readHolder(file) === held) {
        rmSync(file, { force: true });
        warn(`DATA_DIR ${dir}: took over ${file} left by pid ${pid}, which no longer runs (${stale})`);
      }
    }
  }
  const release = () => {
    if (readHolder(file) === own) rmSync(file, { force: true });
    process.off('exit', release);
  };
  process.on('exit', release);
  return release;
}

/**
 * Why the process a lock names no longer runs, or undefined when it may (or the lock cannot be
 * read: not ours to remove). A recorded start time is compared only where the pid's can be read
 * (/proc; hidden for other users' processes under hidepid): otherwise a live pid is a holder.
 */
function whyStale(held: string): string | undefined {
  const [pidLine = '', recordedStart] = held.split('\n');
  const pid = Number.parseInt(pidLine, 10);
  if (Number.isNaN(pid)) return undefined;
  if (pid === process.pid) return "the pid is this process's own";
  if (!alive(pid)) return 'its process is gone';
  const start = recordedStart ? startTime(pid) : undefined;
  if (start !== undefined && start !== recordedStart) return `pid ${pid} is now another process, started at another time`;
  return undefined;
}

/**
 * When process `pid` started (clock ticks after boot: /proc/<pid>/stat field 22), or undefined
 * without a readable /proc (not Linux, or hidden).
 */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields from the 3rd on follow the command name's closing parenthesis (the name may hold spaces and ')').
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] || undefined;
  } catch {
    return undefined;
  }
}

/** The lock's content, or undefined when there is none (released meanwhile). */
function readHolder(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, run by another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
