import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest, type ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../core/db/connect.ts';
import { SECRET_HEADER, TELEGRAM_WEBHOOK_PATH } from '../../http/webhooks/telegram.ts';
import { farOutlines } from '../boundary-outlines.ts';
import { createTestDatabase, isRealPostgres, type TestDatabase } from '../database.ts';
import { childAppEnv, listeningPort } from '../app-process.ts';
import { FakeTelegramApi } from '../fakes/telegram-api.ts';
import { startCommandUpdate } from '../telegram/updates.ts';

/**
 * Graceful shutdown of the real process (main.ts as a child): on SIGTERM readiness and new webhooks
 * answer 503, a webhook whose body is still arriving is handled and answered 200, a reply being
 * sent to the (slow) Bot API is finished and marked sent, claimed rows are released — new
 * connections answered 503 all along —, then the listener and the pool close, and the process exits
 * 0 — or 1 once SHUTDOWN_TIMEOUT_MS has passed with work unfinished.
 * On PostgreSQL the child uses the test database; on PGlite its own data directory, read after it stops.
 */
const SECRET = 'shutdown-test-secret';
const TOKEN = '7000000001:SHUTDOWN-token';
const METRICS_TOKEN = 'metrics-token-shutdown-0123456789';
const main = fileURLToPath(new URL('../../main.ts', import.meta.url));

let t: TestDatabase | undefined;
let api: FakeTelegramApi;
/** One data directory for the file: on PGlite the second start finds the database migrated. */
let dataDir: string;
const children: ChildProcess[] = [];
const appPids: number[] = [];
beforeAll(async () => {
  if (isRealPostgres()) t = await createTestDatabase({ seed: false });
  api = await new FakeTelegramApi().start();
  dataDir = mkdtempSync(path.join(tmpdir(), 'otklik-shutdown-'));
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  // An app left behind by npm (the failure the `npm start` test looks for) would keep this run alive.
  for (const pid of appPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already, as it should be
    }
  }
  await api.stop();
  await t?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  /** The app's process: the child itself, or npm's child under `npm start`. */
  appPid: number;
  url: string;
  port: number;
  logs: string[];
  exited: Promise<{ code: number | null; at: number }>;
  dataDir: string;
}

/**
 * The app as a child: `node main.ts`, or as the image runs it (`npm start`, which then is the
 * child: the app's own pid is read from its log).
 */
async function startApp(env: Record<string, string>, how: 'node' | 'npm start' = 'node'): Promise<Running> {
  // Under `npm test` npm's own script path is known; else the npm on PATH.
  const npm = process.env.npm_execpath ? { command: process.execPath, args: [process.env.npm_execpath, 'start'] } : { command: 'npm', args: ['start'] };
  const [command, args] = how === 'node' ? [process.execPath, [main]] : [npm.command, npm.args];
  const child = spawn(command, args, {
    cwd: path.dirname(main),
    env: { ...childAppEnv({ database: t, dataDir, token: TOKEN, secret: SECRET, apiRoot: api.url }), METRICS_TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const logs: string[] = [];
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })));
  const port = await listeningPort(child, 150_000, (line) => logs.push(line));
  const appPid = (JSON.parse(logs.find((l) => l.includes('Otklik is listening'))!) as { pid: number }).pid;
  appPids.push(appPid);
  return { child, appPid, url: `http://127.0.0.1:${port}`, port, logs, exited, dataDir };
}

const startUpdate = (updateId: number, userId: number) => startCommandUpdate(updateId, userId, 'Анна');

const post = (url: string, body: unknown) =>
  fetch(`${url}${TELEGRAM_WEBHOOK_PATH}`, { method: 'POST', headers: { [SECRET_HEADER]: SECRET, 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** A webhook whose body arrives in two parts: the request is in flight until `finish()`. */
function slowWebhook(port: number, body: unknown): { finish(): void; status: Promise<number> } {
  const text = JSON.stringify(body);
  let req: ClientRequest;
  const status = new Promise<number>((resolve, reject) => {
    req = httpRequest(
      { host: '127.0.0.1', port, path: TELEGRAM_WEBHOOK_PATH, method: 'POST', headers: { [SECRET_HEADER]: SECRET, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
  });
  const half = Math.floor(text.length / 2);
  req!.write(text.slice(0, half));
  return { finish: () => req.end(text.slice(half)), status };
}

type Answer = { status: number; retryAfter: string | undefined } | { error: string };

/** One request on a connection of its own (no keep-alive pool): what a new client, or a proxy's new upstream connection, meets. */
function onNewConnection(port: number, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
  const text = body === undefined ? '' : JSON.stringify(body);
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        agent: false,
        host: '127.0.0.1',
        port,
        path,
        method,
        headers: body === undefined ? {} : { [SECRET_HEADER]: SECRET, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end(text);
  });
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : 0;
}

async function until(predicate: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The child's database after it stopped (PGlite: its data directory; PostgreSQL: the test database). */
async function openDatabase(running: Running): Promise<{ handle: DatabaseHandle; close(): Promise<void> }> {
  if (t) return { handle: t, close: async () => {} };
  const handle = await connectDatabase({ dataDir: running.dataDir });
  return { handle, close: () => handle.close() };
}

describe('SIGTERM', () => {
  it('stops gracefully: 503 to new webhooks, the in-flight webhook and send are finished, leases released, exit 0', async () => {
    const token = 'shutdown-bootstrap-token-0123456789abcdef';
    const running = await startApp({ ADMIN_BOOTSTRAP_TOKEN: token, SHUTDOWN_TIMEOUT_MS: '15000' });
    const { url, port, child } = running;
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    api.latencyMs = 1500;
    // A reply on its way to the slow Bot API when the signal comes.
    expect((await post(url, startUpdate(700_001, 6_400_000_001))).status).toBe(200);
    await until(async () => (await metric(url, 'otklik_outbox_sending{channel="tg"}')) >= 1);
    // A webhook still receiving its body.
    const slow = slowWebhook(port, startUpdate(700_002, 6_400_000_002));
    // In flight once the app counted it (a fixed pause was too short on a busy machine).
    const inFlight = async () => ((await (await fetch(`${url}/api/v1/system/health`, { headers: { authorization: `Bearer ${token}` } })).json()) as { webhooksInFlight: number }).webhooksInFlight;
    await until(async () => (await inFlight()) >= 1);

    const signalledAt = Date.now();
    child.kill('SIGTERM');
    await until(async () => (await fetch(`${url}/health/ready`)).status === 503);
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'unavailable' });
    const refused = await post(url, startUpdate(700_003, 6_400_000_003));
    expect(refused.status).toBe(503);

    slow.finish();
    expect(await slow.status).toBe(200);
    const { code, at } = await running.exited;
    expect(code).toBe(0);
    expect(at - signalledAt).toBeLessThan(15_000);
    expect(running.logs.some((l) => l.includes('"msg":"stopped"'))).toBe(true);

    const db = await openDatabase(running);
    try {
      const processed = (await db.handle.db.selectFrom('processed_update').select('update_id').where('channel', '=', 'tg').execute()).map((r) => r.update_id).sort();
      expect(processed).toEqual(['700001', '700002']);
      const rows = await db.handle.db.selectFrom('outbox').select(['chat_id', 'state', 'claimed_by']).orderBy('id').execute();
      // The send in flight finished and was recorded; nothing stays leased to the stopped process.
      expect(rows.find((r) => r.chat_id === '6400000001')?.state).toBe('sent');
      expect(api.calls.some((c) => c.method === 'sendMessage' && String(c.params.chat_id) === '6400000001')).toBe(true);
      const second = rows.find((r) => r.chat_id === '6400000002');
      expect(['sent', 'pending']).toContain(second?.state);
      expect(rows.filter((r) => r.state === 'sending' || (r.state === 'pending' && r.claimed_by !== null))).toEqual([]);
      expect(rows.some((r) => r.chat_id === '6400000003')).toBe(false);
    } finally {
      await db.close();
      api.latencyMs = 0;
    }
  }, 240_000);

  it('keeps answering for the whole drain: once the webhooks are done, a new connection still gets 503 (webhook with Retry-After, /health) while the sender finishes; the listener closes last, in time', async () => {
    const token = 'shutdown-bootstrap-token-0123456789abcdef';
    const running = await startApp({ ADMIN_BOOTSTRAP_TOKEN: token, SHUTDOWN_TIMEOUT_MS: '15000' });
    const { url, port, child } = running;
    api.latencyMs = 3000;
    try {
      // No webhook in flight at the signal, only a reply on its way to the slow Bot API (3 s).
      expect((await post(url, startUpdate(700_040, 6_400_000_040))).status).toBe(200);
      await until(async () => (await metric(url, 'otklik_outbox_sending{channel="tg"}')) >= 1);
      const signalledAt = Date.now();
      child.kill('SIGTERM');
      await until(async () => {
        const ready = await onNewConnection(port, 'GET', '/health/ready');
        return 'status' in ready && ready.status === 503;
      });
      let exited = false;
      void running.exited.then(() => {
        exited = true;
      });
      const answers: (Answer & { at: number; path: string })[] = [];
      while (!exited) {
        const webhook = await onNewConnection(port, 'POST', TELEGRAM_WEBHOOK_PATH, startUpdate(700_041, 6_400_000_041));
        answers.push({ ...webhook, at: Date.now() - signalledAt, path: 'webhook' });
        const health = await onNewConnection(port, 'GET', '/health');
        answers.push({ ...health, at: Date.now() - signalledAt, path: 'health' });
        await new Promise((r) => setTimeout(r, 100));
      }
      const { code, at } = await running.exited;
      expect(code).toBe(0);
      expect(at - signalledAt).toBeLessThan(15_000);

      // Every answer is a 503; refused connections come only at the very end, once the listener has closed.
      const lastAnswered = answers.findLastIndex((a) => 'status' in a);
      expect(answers.slice(0, lastAnswered + 1).filter((a) => !('status' in a) || a.status !== 503)).toEqual([]);
      for (const a of answers.slice(lastAnswered + 1)) expect(['ECONNREFUSED', 'ECONNRESET']).toContain('error' in a ? a.error : String(a.status));
      // Seconds after the signal (the send holds the drain open; before, the listener closed as soon as no webhook was in flight).
      const late = answers.filter((a) => 'status' in a && a.at >= 1500);
      expect(late.some((a) => a.path === 'webhook')).toBe(true);
      expect(late.some((a) => a.path === 'health')).toBe(true);
      for (const a of answers) if (a.path === 'webhook' && 'status' in a) expect(a.retryAfter).toBe('5');
      // The sender stopped (its call finished) before the listener closed, and that before the pool.
      const lineOf = (msg: string) => running.logs.findIndex((l) => l.includes(`"msg":"${msg}"`));
      expect(lineOf('outbox sender stopped')).toBeGreaterThan(-1);
      expect(lineOf('outbox sender stopped')).toBeLessThan(lineOf('listener closed'));
      expect(lineOf('listener closed')).toBeLessThan(lineOf('stopped'));

      const db = await openDatabase(running);
      try {
        // The reply sent during the drain is recorded; the updates refused meanwhile queued nothing.
        const rows = await db.handle.db.selectFrom('outbox').select(['chat_id', 'state']).where('chat_id', 'in', ['6400000040', '6400000041']).execute();
        expect(rows).toEqual([{ chat_id: '6400000040', state: 'sent' }]);
      } finally {
        await db.close();
      }
    } finally {
      api.latencyMs = 0;
    }
  }, 240_000);

  it('stops in time while the messenger (or the proxy in front) keeps re-sending over its keep-alive connection: the 503s close it', async () => {
    const running = await startApp({ SHUTDOWN_TIMEOUT_MS: '10000' });
    // A few pooled connections, as a reverse proxy keeps to its upstream: every retry comes over them.
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const send = (updateId: number) =>
      new Promise<number>((resolve) => {
        const text = JSON.stringify(startUpdate(updateId, 6_400_000_030));
        const req = httpRequest(
          {
            agent,
            host: '127.0.0.1',
            port: running.port,
            path: TELEGRAM_WEBHOOK_PATH,
            method: 'POST',
            headers: { [SECRET_HEADER]: SECRET, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', () => resolve(0));
        req.end(text);
      });
    expect(await send(700_030)).toBe(200);
    let stopped = false;
    const statuses: number[] = [];
    // Updates refused while draining come again at once, as a busy bot's do.
    const retrying = Promise.all(
      [700_031, 700_032, 700_033, 700_034].map(async (updateId) => {
        while (!stopped) statuses.push(await send(updateId));
      }),
    );
    await new Promise((r) => setTimeout(r, 200));
    const signalledAt = Date.now();
    running.child.kill('SIGTERM');
    const { code, at } = await running.exited;
    stopped = true;
    await retrying;
    agent.destroy();
    expect(code).toBe(0);
    expect(at - signalledAt).toBeLessThan(5000);
    expect(running.logs.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
    // Retries answered before the signal are 200 (a repeat), during the drain 503, after the
    // close a refused connection (0); which of them a run sees depends on timing, nothing else may come.
    expect(statuses.every((s) => s === 200 || s === 503 || s === 0)).toBe(true);
  }, 240_000);

  it('exits with code 1 once SHUTDOWN_TIMEOUT_MS has passed with a webhook unfinished', async () => {
    const running = await startApp({ SHUTDOWN_TIMEOUT_MS: '700' });
    const slow = slowWebhook(running.port, startUpdate(700_010, 6_400_000_010));
    slow.status.catch(() => {}); // the connection dies with the process
    await new Promise((r) => setTimeout(r, 100));
    const signalledAt = Date.now();
    running.child.kill('SIGTERM');
    const { code, at } = await running.exited;
    expect(code).toBe(1);
    expect(at - signalledAt).toBeGreaterThanOrEqual(650);
    expect(at - signalledAt).toBeLessThan(5000);
    expect(running.logs.some((l) => l.includes('shutdown deadline passed'))).toBe(true);
  }, 240_000);

  it('run as the image runs it (`npm start` as PID 1): a SIGTERM to npm, as `docker stop` sends, reaches the app, which stops gracefully before npm exits', async () => {
    const running = await startApp({ SHUTDOWN_TIMEOUT_MS: '15000' }, 'npm start');
    expect(running.appPid).not.toBe(running.child.pid);
    expect((await post(running.url, startUpdate(700_020, 6_400_000_020))).status).toBe(200);
    running.child.kill('SIGTERM');
    const { code } = await running.exited;
    // npm waited for the app: it has exited, after logging its graceful stop (with `sh -c` in
    // between, the shell died of the signal, npm exited and the app went on serving, orphaned).
    expect(code).toBe(0);
    expect(running.logs.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
    expect(() => process.kill(running.appPid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  }, 240_000);

  it("ends an admin upload's running boundary check: the upload is 503 SHUTTING_DOWN, nothing saved, exit 0 long before the check would end", async () => {
    const token = 'shutdown-bootstrap-token-0123456789abcdef';
    const running = await startApp({ ADMIN_BOOTSTRAP_TOKEN: token, SHUTDOWN_TIMEOUT_MS: '15000' });
    const municipality = (oktmo: string, boundary: unknown) =>
      fetch(`${running.url}/api/v1/municipalities`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ nameRu: `Дальний ${oktmo}`, nameEn: `Far ${oktmo}`, oktmo, populationOver14: 1, boundary }),
      });
    // Two outlines of 30,000 vertices: comparing them takes the polygon library several seconds.
    const { far, twice } = farOutlines(30_000);
    expect((await municipality('32727097', far)).status).toBe(201);
    // The check's worker thread shows in the process's task list (the pool's threads are up by now).
    const threads = () => readdirSync(`/proc/${running.appPid}/task`).length;
    const before = threads();
    const upload = municipality('32727096', twice);
    await until(async () => threads() > before);
    const signalledAt = Date.now();
    running.child.kill('SIGTERM');
    const answer = await upload;
    expect(answer.status).toBe(503);
    expect(await answer.json()).toMatchObject({ code: 'SHUTTING_DOWN', details: { field: 'boundary' } });
    const { code, at } = await running.exited;
    expect(code).toBe(0);
    expect(at - signalledAt).toBeLessThan(3_000);
    const db = await openDatabase(running);
    expect(await db.handle.db.selectFrom('municipality').select('oktmo').where('oktmo', 'in', ['32727096', '32727097']).execute()).toEqual([{ oktmo: '32727097' }]);
    await db.close();
  }, 240_000);

  it('exits on SIGTERM when nobody reads its output any more (a supervisor that went away): no hang on a closed stdout', async () => {
    const running = await startApp({});
    // The reader goes away: the app's next log lines meet a closed pipe (EPIPE).
    running.child.stdout!.destroy();
    const signalledAt = Date.now();
    running.child.kill('SIGTERM');
    const { code, at } = await Promise.race([running.exited, new Promise<{ code: null; at: number }>((resolve) => setTimeout(() => resolve({ code: null, at: Date.now() }), 15_000))]);
    expect(code).toBe(0);
    expect(at - signalledAt).toBeLessThan(10_000);
  }, 240_000);
});
