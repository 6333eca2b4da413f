import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../startup-failure.ts';

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
