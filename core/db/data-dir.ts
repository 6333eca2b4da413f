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

/** The embedded database's lock, in its directory: the pid of the process using it. */
export const LOCK_FILE = 'otklik.lock';

/**
 * Takes DATA_DIR for this process: PGlite has no lock of its own, and a second process (another
 * `npm start`, `npm run migrate` while the app runs) would open the same files and corrupt them.
 * A lock whose pid is gone (a crash, a kill) is taken over; so is one holding this process's own pid
 * (a container restarted: its app gets the same pid again). Returns the release, also run at exit.
 */
export function lockDataDir(dir: string): () => void {
  const file = path.join(dir, LOCK_FILE);
  const own = `${process.pid}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, own, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = readHolder(file);
      const pid = Number.parseInt(held ?? '', 10);
      if (attempt >= 2 || (pid !== process.pid && (Number.isNaN(pid) ? held !== undefined : alive(pid)))) {
        throw new ConfigError(
          `DATA_DIR ${dir} is in use by another process (pid ${Number.isNaN(pid) ? 'unknown' : pid}, ${file}): the embedded database takes one process at a time; stop that one first, or use PostgreSQL (DATABASE_URL) for several (if no such process uses it, remove ${file})`,
        );
      }
      // Stale: removed only if it still says what was read (another process may be taking it over too).
      if (held !== undefined && readHolder(file) === held) rmSync(file, { force: true });
    }
  }
  const release = () => {
    if (readHolder(file) === own) rmSync(file, { force: true });
    process.off('exit', release);
  };
  process.on('exit', release);
  return release;
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
