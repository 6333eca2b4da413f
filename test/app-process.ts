import { execFile, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import type { TestDatabase } from './database.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const run = promisify(execFile);

/**
 * Runs `file` (main.ts or a script) until it exits, with this environment minus the app's
 * variables, plus `env` (which should name DATA_DIR: a temporary directory, never ./data); resolves
 * with its exit code and output. Killed after 30 s (its code then is not a number).
 */
export async function runToExit(file: string, env: Record<string, string>, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(DATABASE_|TELEGRAM_|VK_|METRICS_|MEDIA_|PORT$|HOST$|DATA_DIR$)/.test(name)));
  return run(process.execPath, [path.join(ROOT, file), ...args], { cwd: ROOT, timeout: 30_000, env: { ...clean, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

/** The process exited 1 with one line on standard error matching `pattern`, no stack trace. */
export function expectOneLine(result: { code: number; stderr: string }, pattern: RegExp) {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

/**
 * The environment of the real app (main.ts as a child) in the process tests: Telegram by webhook
 * against the fake Bot API, VK, cron, the demo seed and the admin bootstrap off; the test database
 * on PostgreSQL, else PGlite in `dataDir`.
 */
export function childAppEnv(options: { database: TestDatabase | undefined; dataDir: string; token: string; secret: string; apiRoot: string }): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...(options.database?.url ? { DATABASE_URL: options.database.url } : { DATABASE_URL: '' }),
    DATA_DIR: options.dataDir,
    DEMO_SEED: 'false',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    TELEGRAM_BOT_TOKEN: options.token,
    TELEGRAM_WEBHOOK_SECRET: options.secret,
    TELEGRAM_API_ROOT: options.apiRoot,
    TELEGRAM_MODE: 'webhook',
    VK_GROUP_TOKEN: '',
    CRON_ENABLED: 'false',
    OUTBOX_LEADER_RETRY_MS: '200',
    ADMIN_BOOTSTRAP_TOKEN: '',
  };
}

/**
 * The port the child app logs once it listens (every log line it writes goes to `onLine`, before and
 * after); rejects if it exits first or has not started within `timeoutMs`.
 */
export function listeningPort(child: ChildProcess, timeoutMs: number, onLine: (line: string) => void = () => {}): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('the app did not start in time')), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (const line of buffer.split('\n').slice(0, -1)) {
        onLine(line);
        if (!line.includes('Otklik is listening')) continue;
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    });
    child.once('exit', (code) => reject(new Error(`the app exited with ${code} before listening`)));
  });
}
