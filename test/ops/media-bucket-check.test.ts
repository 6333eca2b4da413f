import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';
import { bucketVerdict } from '../../media-store.ts';
import { listeningPort } from '../app-process.ts';
import { createTestDatabase, isRealPostgres, type TestDatabase } from '../database.ts';

/**
 * The media bucket is checked at start (HeadBucket, media-store.ts): main.ts as a child against a
 * local S3-compatible server (s3rver, as core/media/store.test.ts uses). A bucket that is there
 * starts; one the server says is missing (404) or refuses the keys for (403) stops the start in one
 * line naming the variable, no key printed, exit 1; a server that does not answer (refused, silent)
 * is only warned about, and the app starts.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const BUCKET = 'otklik-media';
const SECRET = 'wrong-secret-value-0123456789';

let t: TestDatabase | undefined;
let dir: string;
let s3: S3rver;
let s3Url: string;
/** A port nothing listens on: connections are refused. */
let refusedPort: number;
/** Accepts connections and never answers. */
let silent: Server;
let silentPort: number;
const sockets: Socket[] = [];

beforeAll(async () => {
  if (isRealPostgres()) t = await createTestDatabase({ seed: false });
  dir = mkdtempSync(path.join(tmpdir(), 'otklik-bucket-'));
  s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: path.join(dir, 's3') });
  s3Url = `http://127.0.0.1:${(await s3.run()).port}`;
  const client = new S3Client({ region: 'us-east-1', endpoint: s3Url, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  client.destroy();
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  refusedPort = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as { port: number }).port;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
  await s3.close();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

function env(media: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(DATABASE_|TELEGRAM_|VK_|METRICS_|MEDIA_|PORT$|HOST$)/.test(name)));
  return {
    ...clean,
    DATABASE_URL: t?.url ?? '',
    DATA_DIR: path.join(dir, 'data'),
    DEMO_SEED: 'false',
    CRON_ENABLED: 'false',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    MEDIA_S3_BUCKET: BUCKET,
    MEDIA_S3_ENDPOINT: s3Url,
    MEDIA_S3_ACCESS_KEY_ID: 'S3RVER',
    MEDIA_S3_SECRET_ACCESS_KEY: 'S3RVER',
    ...media,
  };
}

/** A start expected to fail: its exit code and standard error. */
async function failedStart(media: Record<string, string>) {
  return run(process.execPath, [path.join(root, 'main.ts')], { cwd: root, timeout: 30_000, env: env(media) }).then(
    ({ stderr }) => ({ code: 0, stderr }),
    (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
  );
}

/** A start expected to succeed: whether /health answers 200, and the log lines until it stopped on SIGTERM. */
async function successfulStart(media: Record<string, string>): Promise<{ health: number; logs: string[]; code: number | null }> {
  const child = spawn(process.execPath, [path.join(root, 'main.ts')], { cwd: root, env: env(media), stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const logs: string[] = [];
  try {
    const port = await listeningPort(child, 150_000, (line) => logs.push(line));
    const health = (await fetch(`http://127.0.0.1:${port}/health`)).status;
    child.kill('SIGTERM');
    return { health, logs, code: await exited };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

function expectOneLine(result: { code: number; stderr: string }, pattern: RegExp) {
  expect(result.code, result.stderr).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toContain(SECRET);
}

const warnings = (logs: string[]) => logs.filter((l) => l.includes('media store: cannot reach')).map((l) => (JSON.parse(l) as { msg: string }).msg);

describe('the media bucket is checked at start', { timeout: 240_000 }, () => {
  it('a bucket that is there, with keys it takes: the app starts, no warning', async () => {
    const started = await successfulStart({});
    expect(started.health).toBe(200);
    expect(warnings(started.logs)).toEqual([]);
    expect(started.code).toBe(0);
  });

  it('a bucket the server does not have (404) stops the start in one line naming MEDIA_S3_BUCKET', async () => {
    expectOneLine(
      await failedStart({ MEDIA_S3_BUCKET: 'otklik-media-typo' }),
      new RegExp(
        `^MEDIA_S3_BUCKET: MEDIA_S3_ENDPOINT ${s3Url} answered HeadBucket for bucket "otklik-media-typo" with 404 \\(no such bucket\\): create it, or fix MEDIA_S3_BUCKET or MEDIA_S3_ENDPOINT$`,
      ),
    );
  });

  // s3rver refuses an unknown key id (InvalidAccessKeyId); it does not check V4 signatures, so a
  // wrong secret (SignatureDoesNotMatch, also 403) cannot be shown against it.
  it('keys the server refuses (403) stop the start in one line naming the key variables, no key printed', async () => {
    expectOneLine(
      await failedStart({ MEDIA_S3_ACCESS_KEY_ID: 'AKIDWRONG', MEDIA_S3_SECRET_ACCESS_KEY: SECRET }),
      /^MEDIA_S3_ACCESS_KEY_ID, MEDIA_S3_SECRET_ACCESS_KEY: MEDIA_S3_ENDPOINT \S+ answered HeadBucket for bucket "otklik-media" with 403 \(access refused\): check the keys and the bucket's policy$/,
    );
  });

  it('an endpoint that does not answer (connection refused, or silent past the timeout) is warned about naming MEDIA_S3_ENDPOINT, and the app starts', async () => {
    const refused = await successfulStart({ MEDIA_S3_ENDPOINT: `http://127.0.0.1:${refusedPort}` });
    expect(refused.health).toBe(200);
    expect(warnings(refused.logs)).toEqual([
      expect.stringMatching(new RegExp(`^media store: cannot reach bucket "otklik-media" at MEDIA_S3_ENDPOINT http://127\\.0\\.0\\.1:${refusedPort} \\(.*ECONNREFUSED.*\\); starting anyway`)),
    ]);
    expect(refused.code).toBe(0);
    const silentStart = Date.now();
    const quiet = await successfulStart({ MEDIA_S3_ENDPOINT: `http://127.0.0.1:${silentPort}` });
    expect(quiet.health).toBe(200);
    expect(warnings(quiet.logs)).toEqual([expect.stringMatching(/ \(no answer within 5000 ms\); starting anyway: .*check MEDIA_S3_ENDPOINT if this persists$/)]);
    expect(Date.now() - silentStart).toBeGreaterThanOrEqual(5000);
  });
});

describe('bucketVerdict', () => {
  const config = loadConfig({
    MEDIA_S3_BUCKET: BUCKET,
    MEDIA_S3_ENDPOINT: 'https://minio-user:endpoint-pass@minio.example.org:9000',
    MEDIA_S3_ACCESS_KEY_ID: 'AKID',
    MEDIA_S3_SECRET_ACCESS_KEY: SECRET,
  });

  it('a bucket in another region names MEDIA_S3_REGION and the region the server gave', () => {
    expect(bucketVerdict({ ok: false, status: 301, region: 'eu-west-1' }, config)).toEqual({
      fatal: true,
      line: 'MEDIA_S3_REGION: MEDIA_S3_ENDPOINT https://minio.example.org:9000 answered HeadBucket for bucket "otklik-media" with 301 (the bucket is in region eu-west-1): set MEDIA_S3_REGION to it',
    });
  });

  it('a server error (5xx after the retries) is an outage: a warning, not a stop', () => {
    expect(bucketVerdict({ ok: false, unreachable: true, reason: 'HTTP 503' }, config)?.fatal).toBe(false);
  });

  it('another refusal (400) names every setting it may come from; no line carries a key or the password of the endpoint URL', () => {
    const lines = [
      bucketVerdict({ ok: false, status: 400 }, config),
      bucketVerdict({ ok: false, status: 403 }, config),
      bucketVerdict({ ok: false, credentials: true, reason: 'Could not load credentials from any providers' }, config),
      bucketVerdict({ ok: false, unreachable: true, reason: 'getaddrinfo ENOTFOUND minio.example.org' }, config),
    ].map((v) => v?.line ?? '');
    expect(lines[0]).toMatch(/^MEDIA_S3_BUCKET, MEDIA_S3_ENDPOINT, MEDIA_S3_REGION: .* with 400: check these settings$/);
    for (const line of lines) {
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain('endpoint-pass');
      expect(line).not.toContain('AKID');
    }
  });

  it('a bucket that answered is no verdict; AWS without an endpoint is named by its region', () => {
    expect(bucketVerdict({ ok: true }, config)).toBeUndefined();
    const aws = loadConfig({ MEDIA_S3_BUCKET: BUCKET, MEDIA_S3_REGION: 'eu-central-1' });
    expect(bucketVerdict({ ok: false, status: 404 }, aws)?.line).toMatch(/^MEDIA_S3_BUCKET: AWS S3 \(MEDIA_S3_REGION eu-central-1\) answered HeadBucket .* 404/);
    expect(bucketVerdict({ ok: false, status: 403 }, aws)?.line).toMatch(/^MEDIA_S3_ACCESS_KEY_ID, MEDIA_S3_SECRET_ACCESS_KEY \(unset: the SDK's default credentials\): /);
  });
});
