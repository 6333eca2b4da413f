import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { giveConsent } from '../core/residents/consent.service.ts';
import { touchResident, updateResident } from '../core/residents/resident.repository.ts';
import { SECRET_HEADER, TELEGRAM_WEBHOOK_PATH } from '../http/webhooks/telegram.ts';
import { createTestDatabase } from '../test/database.ts';
import { startFakeApi } from './fake-telegram.ts';
import { cpuSince, machineCpuMs, postgresCpuMs, processCpuMs } from './proc.ts';

/**
 * Inbound speed of the app against a minimal pipeline on the same stack (bench/minimal.ts: Hono +
 * grammY + pg, one dedupe INSERT and one sendMessage per update), side by side in one run: both as
 * child processes, against the same fake Bot API (its own thread, limits out of the way) and the
 * same PostgreSQL (a scratch database on the DATABASE_URL server, dropped after), with the same
 * number of updates and concurrency (BENCH_N, default 4000; BENCH_C, default 64) and the same pool
 * size (DATABASE_POOL_SIZE, default 10). Two scenarios: new residents sending /start, and
 * registered residents tapping a main-menu button. Each is measured at full speed (closed loop,
 * C requests at a time), then the app alone at half its own rate (open loop) for the p99 latency.
 * The app runs with every reliability guarantee on: 2xx only once the update and its reply are
 * committed, replies sent by the outbox (the benchmark waits until all are sent before moving on).
 * RSS: the app process's peak (VmRSS) over its runs. The last line compares the weaker scenario.
 * CPU per update is split into the app, PostgreSQL and this process (the client and the fake API).
 * BENCH_TAIL=1 lists the half-rate requests slower than 50 ms (wall-clock start + latency) to set
 * beside the app's GC pauses and event-loop stalls.
 */
const N = Number(process.env.BENCH_N ?? 4000);
const C = Number(process.env.BENCH_C ?? 64);
const POOL = process.env.DATABASE_POOL_SIZE ?? '10';
const SECRET = 'bench-inbound-secret';
const TOKEN = '7000000001:BENCH-token';
if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL to a PostgreSQL server: the benchmark creates (and drops) a scratch database on it');
process.env.TEST_DATABASE_URL = process.env.DATABASE_URL;

const here = path.dirname(fileURLToPath(import.meta.url));
const database = await createTestDatabase({ seed: true });
const api = await startFakeApi({ perSecond: 1_000_000, perChatPerSecond: 1_000_000, perGroupPerMinute: 1_000_000 });
const dataDir = mkdtempSync(path.join(tmpdir(), 'otklik-bench-inbound-'));

interface Child {
  process: ChildProcess;
  url: string;
  exited: Promise<unknown>;
}

async function startChild(script: string, env: Record<string, string>, ready: string, nodeArgs: string[] = []): Promise<Child> {
  const child = spawn(process.execPath, [...nodeArgs, script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`${script} did not start in time`)), 120_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (const line of buffer.split('\n').slice(0, -1)) {
        if (!line.includes(ready)) continue;
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
  child.stdout!.resume();
  return { process: child, url: `http://127.0.0.1:${port}${TELEGRAM_WEBHOOK_PATH}`, exited };
}

const common = { DATABASE_URL: database.url!, DATABASE_POOL_SIZE: POOL, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: api.url };
const minimal = await startChild(path.join(here, 'minimal.ts'), common, 'minimal is listening', process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}/minimal`] : []);
const app = await startChild(
  path.join(here, '..', 'main.ts'),
  {
    ...common,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    DATA_DIR: dataDir,
    DEMO_SEED: 'false',
    TELEGRAM_MODE: 'webhook',
    VK_GROUP_TOKEN: '',
    CRON_ENABLED: 'false',
    ADMIN_BOOTSTRAP_TOKEN: '',
    METRICS_TOKEN: '',
    METRICS_PORT: '',
    OUTBOX_TG_PER_SECOND: '1000000',
    OUTBOX_TG_PER_CHAT_PER_SECOND: '1000000',
    OUTBOX_TG_PER_GROUP_PER_MINUTE: '1000000',
  },
  'Otklik is listening',
  // The Node flags `npm start` gives the app (its heap sizing), so the RSS measured is the product's;
  // BENCH_PROFILE=<dir>: a CPU profile of the app process, written there when it stops;
  // BENCH_APP_NODE_ARGS: more Node / V8 flags for the app alone (heap sizing experiments).
  [
    ...startScriptNodeFlags(),
    ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
    ...(process.env.BENCH_APP_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
  ],
);

/** The flags of package.json's start script (`node <flags> --env-file-if-exists=.env main.ts`). */
function startScriptNodeFlags(): string[] {
  const start = (JSON.parse(readFileSync(path.join(here, '..', 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  return start.split(' ').filter((arg) => arg.startsWith('--') && !arg.startsWith('--env-file'));
}

let peakRss = 0;
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, rssOf(app.process.pid!));
}, 50);

let nextUpdateId = 1;
let nextUser = 7_100_000_000;
type Update = { update_id: number } & Record<string, unknown>;
const user = (id: number) => ({ id, is_bot: false, first_name: 'Житель', language_code: 'ru' });
function startUpdate(userId: number): Update {
  return {
    update_id: nextUpdateId++,
    message: {
      message_id: 1,
      date: Math.floor(Date.now() / 1000),
      from: user(userId),
      chat: { id: userId, type: 'private', first_name: 'Житель' },
      text: '/start',
      entities: [{ type: 'bot_command', offset: 0, length: 6 }],
    },
  };
}
function tapUpdate(userId: number): Update {
  const chat = { id: userId, type: 'private', first_name: 'Житель' };
  return {
    update_id: nextUpdateId++,
    callback_query: {
      id: String(nextUpdateId * 7),
      from: user(userId),
      chat_instance: String(userId),
      data: '!m:my',
      message: { message_id: 5, date: Math.floor(Date.now() / 1000), chat, text: 'Главное меню' },
    },
  };
}

async function post(url: string, update: Update): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers: { [SECRET_HEADER]: SECRET, 'content-type': 'application/json' }, body: JSON.stringify(update) });
  await response.arrayBuffer();
  return response.status;
}

/** CPU per update (ms) of the last fullSpeed run: the process served, PostgreSQL, this process (client and fake Bot API), the machine. */
let lastCpu = { server: 0, postgres: 0, bench: 0, machine: 0 };
const benchCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Closed loop: C requests at a time until all are answered; updates/s (then waits until their replies are sent). */
async function fullSpeed(url: string, updates: Update[]): Promise<number> {
  const server = url === app.url ? app.process.pid! : minimal.process.pid!;
  const serverBefore = processCpuMs(server);
  const postgresBefore = postgresCpuMs();
  const benchBefore = benchCpuMs();
  const machineBefore = machineCpuMs();
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < updates.length) {
        const update = updates[next++]!;
        if ((await post(url, update)) !== 200) failed += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await repliesSettled();
  const per = (used: number) => used / updates.length;
  lastCpu = {
    server: per(processCpuMs(server) - serverBefore),
    postgres: per(cpuSince(postgresBefore, postgresCpuMs())),
    bench: per(benchCpuMs() - benchBefore),
    machine: per(machineCpuMs() - machineBefore),
  };
  if (failed > 0) throw new Error(`${failed} updates were not answered 200`);
  return updates.length / seconds;
}

/** BENCH_TAIL: the half-rate requests over 50 ms, as `<start>+<latency>`. */
const slow: string[] = [];
// BENCH_TAIL: this process's own stalls too (its event loop reads the answers, so a stall here
// would show as latency the app did not cause).
const ownStalls: string[] = [];
if (process.env.BENCH_TAIL) {
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last > 20) ownStalls.push(`${Math.round(performance.timeOrigin + now)}-${(now - last - 5).toFixed(0)}`);
    last = now;
  }, 5).unref();
}

/** Open loop at `rate` updates/s: latencies in ms. */
async function atRate(url: string, updates: Update[], rate: number): Promise<number[]> {
  const started = performance.now();
  const latencies: number[] = [];
  await Promise.all(
    updates.map(async (update, i) => {
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const sent = performance.now();
      const status = await post(url, update);
      if (status !== 200) throw new Error(`an update was answered ${status}`);
      const latency = performance.now() - sent;
      latencies.push(latency);
      if (process.env.BENCH_TAIL && latency > 50) slow.push(`${Math.round(performance.timeOrigin + sent)}+${latency.toFixed(0)}`);
    }),
  );
  if (process.env.BENCH_TAIL)
    console.log(
      `slow requests (epoch ms + latency) of the run from ${Math.round(performance.timeOrigin + started)}: ${slow.splice(0).join(' ')}; the benchmark's own stalls (end - ms): ${ownStalls.splice(0).join(' ')}`,
    );
  return latencies.sort((a, b) => a - b);
}

async function repliesSettled(): Promise<void> {
  // Every committed reply leaves through the outbox: wait until none is pending or being sent.
  const deadline = Date.now() + 300_000;
  for (;;) {
    const row = await database.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('state', 'in', ['pending', 'sending'])
      .executeTakeFirstOrThrow();
    if (Number(row.n) === 0) return;
    if (Date.now() > deadline) throw new Error(`${row.n} replies still unsent after 5 minutes`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function registeredResidents(count: number): Promise<number[]> {
  const municipalityId = Object.values(database.demo.municipalities)[0]!;
  const ids = Array.from({ length: count }, () => nextUser++);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < ids.length) {
        const id = String(ids[next++]);
        const now = new Date();
        const { resident } = await touchResident(database.db, { channel: 'tg', externalId: id, chatId: id, displayName: 'Житель' }, now);
        await giveConsent(database.db, resident.id, 'tg', 'consent text', now);
        await updateResident(database.db, resident.id, { registeredAt: now, municipalityId });
      }
    }),
  );
  return ids;
}

interface Result {
  name: string;
  app: number;
  minimal: number;
  p99: number;
}
const cpuLine = (cpu: typeof lastCpu) => `${cpu.server.toFixed(2)} ms (PostgreSQL ${cpu.postgres.toFixed(2)}, client and fake API ${cpu.bench.toFixed(2)}, machine ${cpu.machine.toFixed(2)})`;
const p = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;

async function scenario(name: string, make: (half: 'a' | 'b' | 'c') => Update[]): Promise<Result> {
  // A short warm-up of each on this scenario's own path (JIT, pool connections), not counted: the
  // app's code for a button is not the code for /start, so one warm-up at its start is not enough.
  await fullSpeed(minimal.url, make('a').slice(0, Math.min(200, N)));
  await fullSpeed(app.url, make('a').slice(0, Math.min(200, N)));
  const minimalRate = await fullSpeed(minimal.url, make('b'));
  const minimalCpu = lastCpu;
  const appRate = await fullSpeed(app.url, make('c'));
  const appCpu = lastCpu;
  const latencies = await atRate(app.url, make('c').slice(0, Math.max(1, Math.floor(N / 2))), appRate / 2);
  await repliesSettled();
  const result = { name, app: appRate, minimal: minimalRate, p99: p(latencies, 0.99) };
  console.log(
    `${name}: app ${appRate.toFixed(0)} updates/s, minimal ${minimalRate.toFixed(0)} updates/s, ${((appRate / minimalRate) * 100).toFixed(0)}% of minimal; at ${(appRate / 2).toFixed(0)}/s: p50 ${p(latencies, 0.5).toFixed(1)} ms, p99 ${p(latencies, 0.99).toFixed(1)} ms; CPU per update: app ${cpuLine(appCpu)}; minimal ${cpuLine(minimalCpu)}`,
  );
  return result;
}

console.log(
  `inbound benchmark: N=${N}, C=${C}, pool ${POOL}, PostgreSQL; load average ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const results: Result[] = [];
results.push(await scenario('new residents /start', () => Array.from({ length: N }, () => startUpdate(nextUser++))));
const registered = await registeredResidents(N);
results.push(await scenario('registered residents tap a button', () => registered.map((id) => tapUpdate(id))));

clearInterval(sampler);
const weakest = results.reduce((a, b) => (a.app / a.minimal <= b.app / b.minimal ? a : b));
const p99 = Math.max(...results.map((r) => r.p99));
console.log(
  `sendMessage calls seen by the fake Bot API: ${(await api.count()).accepted}; load average now ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
app.process.kill('SIGTERM');
minimal.process.kill('SIGTERM');
await Promise.all([app.exited, minimal.exited]);
await api.stop();
await database.close();
rmSync(dataDir, { recursive: true, force: true });
console.log(
  `inbound: ${weakest.app.toFixed(0)} updates/s, minimal ${weakest.minimal.toFixed(0)} updates/s, ${((weakest.app / weakest.minimal) * 100).toFixed(0)}% of minimal; p99 ${p99.toFixed(1)} ms at half rate; RSS ${(peakRss / 1024 / 1024).toFixed(0)} MB`,
);
