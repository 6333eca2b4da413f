import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainStartupFailure } from '../../startup-failure.ts';
import { expectOneLine, runToExit } from '../app-process.ts';
import { isRealPostgres } from '../database.ts';
import { FakeTelegramApi } from '../fakes/telegram-api.ts';

/**
 * What an operator sees when the app or a script cannot start: one line on standard error naming
 * the variable to fix, exit code 1, no stack trace (main.ts and scripts/ as child processes).
 */
let dataDir: string;
let api: FakeTelegramApi;
let busy: Server;
let busyPort: number;
/** A port nothing listens on (a server's, closed): connections to it are refused. */
let refusedPort: number;
beforeAll(async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  refusedPort = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  dataDir = mkdtempSync(path.join(tmpdir(), 'otklik-startup-'));
  api = await new FakeTelegramApi().start();
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
  await api.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs `file` as a child on this file's temporary data directory (runToExit). */
const start = (file: string, env: Record<string, string>, args: string[] = []) => runToExit(file, { DATA_DIR: dataDir, ...env }, args);

describe('a start that cannot succeed says why in one line', { timeout: 120_000 }, () => {
  it('a malformed value is named, before anything opens', async () => {
    expectOneLine(await start('main.ts', { PORT: 'abc' }), /^invalid configuration: PORT: /);
    expectOneLine(await start('main.ts', { KPI_RATING_WEIGHTS: 'speed=fast' }), /^invalid configuration: KPI_RATING_WEIGHTS: bad entry 'speed=fast'/);
    expectOneLine(await start('main.ts', { DATABASE_URL: 'otklik:secret@db/otklik' }), /^invalid configuration: DATABASE_URL: must be a PostgreSQL URL/);
    expectOneLine(await start('scripts/migrate.ts', { LOG_LEVEL: 'verbose' }), /^invalid configuration: LOG_LEVEL: /);
  });

  it('a setting the app checks once it starts (a bot token without its secret) is one line too', async () => {
    expectOneLine(await start('main.ts', { TELEGRAM_BOT_TOKEN: '7000000001:token', TELEGRAM_MODE: 'webhook' }), /^TELEGRAM_WEBHOOK_SECRET is required in webhook mode/);
  });

  it('a bot token the Bot API refuses, or a Bot API that cannot be reached or does not answer, is one line naming the variable (getMe at start)', async () => {
    const token = '7000000001:REFUSED-token';
    const telegram = (apiRoot: string) => ({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_WEBHOOK_SECRET: 'startup-secret', TELEGRAM_MODE: 'webhook', TELEGRAM_API_ROOT: apiRoot });
    api.failNext({ status: 401, description: 'Unauthorized' }, { method: 'getMe' });
    const refused = await start('main.ts', telegram(api.url));
    expectOneLine(refused, new RegExp(`^TELEGRAM_BOT_TOKEN: the Bot API at ${api.url} refused the token \\(getMe: 401 Unauthorized\\): `));
    expect(refused.stderr).not.toContain('REFUSED-token');
    expect(api.rejected.filter((c) => c.method === 'getMe')).toHaveLength(1);

    const root = `http://127.0.0.1:${refusedPort}`;
    expectOneLine(await start('main.ts', telegram(root)), new RegExp(`^TELEGRAM_API_ROOT: cannot reach the Bot API at ${root} \\(getMe: connect ECONNREFUSED 127\\.0\\.0\\.1:${refusedPort}\\)`));

    // A Bot API that accepts the connection and never answers: the start gives up, well within the 30 s `start` allows.
    api.failNext({ status: 0, description: '', hang: true }, { method: 'getMe' });
    const startedAt = Date.now();
    expectOneLine(await start('main.ts', telegram(api.url)), new RegExp(`^TELEGRAM_API_ROOT: cannot reach the Bot API at ${api.url} \\(getMe: no answer within 10 s\\)`));
    expect(Date.now() - startedAt).toBeLessThan(25_000);
  });

  it('a port in use names PORT', async () => {
    expectOneLine(await start('main.ts', { PORT: String(busyPort) }), new RegExp(`^cannot listen on port ${busyPort}: it is in use by another process \\(HOST, PORT\\)`));
  });

  it('a database that refuses connections names DATABASE_URL without its password, for the app and the scripts', async () => {
    const url = 'postgres://otklik:s3cret@127.0.0.1:1/otklik';
    for (const file of ['main.ts', 'scripts/migrate.ts', 'scripts/seed-demo.ts', 'scripts/seed-directory.ts']) {
      const result = await start(file, { DATABASE_URL: url });
      expectOneLine(result, /^cannot use the database at DATABASE_URL \(127\.0\.0\.1:1\/otklik\): connect ECONNREFUSED 127\.0\.0\.1:1$/);
      expect(result.stderr).not.toContain('s3cret');
    }
  });

  it.runIf(isRealPostgres())('a database that does not accept connections (ALLOW_CONNECTIONS false) is named', async () => {
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    const name = `otklik_closed_${process.pid}`;
    await admin.query(`CREATE DATABASE ${name} ALLOW_CONNECTIONS false`);
    try {
      const url = new URL(process.env.TEST_DATABASE_URL!);
      url.pathname = `/${name}`;
      expectOneLine(
        await start('main.ts', { DATABASE_URL: url.toString() }),
        new RegExp(`^cannot use the database at DATABASE_URL \\(.*/${name}\\): database "${name}" is not currently accepting connections$`),
      );
    } finally {
      await admin.query(`DROP DATABASE ${name}`);
      await admin.end();
    }
  });

  it.runIf(isRealPostgres())('a database user who may not create tables in the schema is told so, with what to grant, for the app and `npm run migrate`', async () => {
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    const name = `otklik_norights_${process.pid}`;
    // PostgreSQL 15 and later: only the owner of schema public may create in it; this user is not.
    await admin.query(`CREATE ROLE ${name} LOGIN`);
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(process.env.TEST_DATABASE_URL!);
      url.username = name;
      url.pathname = `/${name}`;
      for (const file of ['main.ts', 'scripts/migrate.ts']) {
        expectOneLine(
          await start(file, { DATABASE_URL: url.toString() }),
          new RegExp(
            `^cannot migrate the database at DATABASE_URL \\(.*/${name}\\): user "${name}" may not create tables in it \\(permission denied for schema public\\): GRANT CREATE ON SCHEMA public TO "${name}" \\(or make it the database's owner\\), or migrate it as a user who may \\(npm run migrate\\)$`,
          ),
        );
      }
    } finally {
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.query(`DROP ROLE ${name}`);
      await admin.end();
    }
  });

  it('telegram:webhook and vk:callback name the API root they cannot reach', async () => {
    const tg = await start('scripts/telegram-webhook.ts', { TELEGRAM_BOT_TOKEN: '7000000001:token', TELEGRAM_API_ROOT: `http://127.0.0.1:${refusedPort}` }, ['delete']);
    expect(tg.code).toBe(2);
    expect(tg.stderr.trim()).toMatch(new RegExp(`^deleteWebhook failed: cannot reach TELEGRAM_API_ROOT http://127.0.0.1:${refusedPort}: `));
    expect(tg.stderr).not.toMatch(/\n\s+at /);
    const vk = await start(
      'scripts/vk-callback.ts',
      { VK_GROUP_TOKEN: 'vk-token', VK_GROUP_ID: '1', VK_SECRET: 'secret', PUBLIC_URL: 'https://otklik.example.org', VK_API_BASE_URL: `http://127.0.0.1:${refusedPort}/method` },
      ['--apply'],
    );
    expect(vk.code).toBe(2);
    expect(vk.stderr.trim()).toMatch(new RegExp(`^groups.getCallbackConfirmationCode failed: cannot reach VK_API_BASE_URL http://127.0.0.1:${refusedPort}/method: `));
  });

  it('replay refuses a file that is not a fixture in one line naming it (exit 2), before the app starts', async () => {
    const cases: [string, string, RegExp][] = [
      ['broken.json', '{"user": {', /refused: not JSON \(/],
      ['no-user.json', '{"updates": [{"text": "/start"}]}', /refused: no "user" with an "id"/],
      ['no-updates.json', '{"user": {"id": 1}}', /refused: no "updates" array/],
    ];
    for (const [name, content, problem] of cases) {
      const file = path.join(dataDir, name);
      writeFileSync(file, content);
      const result = await start('scripts/replay.ts', {}, [file]);
      expect(result.code, name).toBe(2);
      expect(result.stdout, name).toBe('');
      expect(result.stderr.trim().split('\n'), name).toEqual([expect.stringMatching(new RegExp(`^replay: ${file} ${problem.source}`))]);
    }
  });
});

describe('explainStartupFailure', () => {
  const url = 'postgres://otklik:pw@db:5432/otklik';
  it('a connection lost during the start (terminated backend, a migration whose connection Kysely discarded) names DATABASE_URL', () => {
    const terminated = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    expect(explainStartupFailure(new Error('migration unknown failed', { cause: terminated }), url)).toBe(
      'cannot use the database at DATABASE_URL (db:5432/otklik): terminating connection due to administrator command',
    );
    const discarded = new Error('migration unknown failed: Error: Postgres connection has been discarded', { cause: new Error('Postgres connection has been discarded') });
    expect(explainStartupFailure(discarded, url)).toMatch(/^cannot use the database at DATABASE_URL \(db:5432\/otklik\): /);
  });

  it("a right the app lacks other than creating in the schema (an extension) is named with PostgreSQL's hint", () => {
    const extension = Object.assign(new Error('permission denied to create extension "pg_trgm"'), {
      code: '42501',
      hint: 'Must have CREATE privilege on current database to create this extension.',
    });
    expect(explainStartupFailure(new Error('migration x failed', { cause: extension }), url)).toBe(
      'cannot use the database at DATABASE_URL (db:5432/otklik): user "otklik" lacks a right the app needs (permission denied to create extension "pg_trgm"; Must have CREATE privilege on current database to create this extension.): grant it, or make that user the database\'s owner',
    );
  });

  it('a bug is not dressed up as a database problem: undefined, so its stack is printed', () => {
    expect(explainStartupFailure(new TypeError("Cannot read properties of undefined (reading 'id')"), url)).toBeUndefined();
    expect(explainStartupFailure(Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' }), url)).toBeUndefined();
  });
});
