import { TEST_BOT_INFO } from './bots/harness.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { buildApp, type App } from '../app.ts';
import { loadConfig } from '../config.ts';
import { issueKey, revokeKey } from '../core/access/api-keys.service.ts';
import { createStaff } from '../core/access/staff.service.ts';
import { fileMessage } from '../core/messages/filing.service.ts';
import type { Message } from '../core/messages/message.repository.ts';
import { giveConsent } from '../core/residents/consent.service.ts';
import { touchResident, updateResident } from '../core/residents/resident.repository.ts';
import { DEMO_MUNICIPALITIES } from '../core/seed/demo.ts';
import type { StaffRole } from '../core/staff/staff.table.ts';
import { createLogger } from '../logger.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { FakeTelegramApi } from './fakes/telegram-api.ts';

export const BOOTSTRAP_TOKEN = 'bootstrap-token-for-tests-0123456789abcdef';
export const TELEGRAM_TOKEN = '123456:TEST-token';
export type Town = 'Kemerovo' | 'Novokuznetsk' | 'Belovo';
type Role = Exclude<StaffRole, 'operator' | 'integration'> | 'utility_executor';

export interface Reply {
  status: number;
  headers: Headers;
  // Tests read whatever shape a route documents and assert on it; typing every route's body here would duplicate the zod schemas.
  // biome-ignore lint/suspicious/noExplicitAny: a test's view of any route's JSON body
  body: any;
  text: string;
}

export interface RequestOptions {
  token?: string | null;
  body?: unknown;
  rawBody?: string;
  /** A multipart body (uploads); fetch sets its content type with the boundary. */
  form?: FormData;
  headers?: Record<string, string>;
}

/**
 * The whole app (buildApp, as main.ts runs it) on a fresh test database with the demo region,
 * the bootstrap operator, and a key for every demo official plus a responsible official per
 * municipality. A fake Telegram API serves photo files. Logs are captured for assertions.
 */
export interface ApiHarness {
  app: App;
  t: TestDatabase;
  telegram: FakeTelegramApi;
  logs: string[];
  dataDir: string;
  now(): Date;
  advance(ms: number): void;
  operator: string;
  /** keys[town][role]: bearer tokens; utility_executor is the second executor organisation. */
  keys: Record<Town, Record<Role, string>>;
  staff: Record<Town, Record<Role, number>>;
  executors: Record<Town, { city: number; utility: number }>;
  municipality: Record<Town, number>;
  /** A key that was issued to Kemerovo's moderator and then revoked. */
  revoked: string;
  request(method: string, url: string, options?: RequestOptions): Promise<Reply>;
  /** A message filed by a new resident through the core, as the bots do. */
  fileMessage(town: Town, options?: { categoryCode?: string; text?: string; photos?: string[]; openSource?: boolean }): Promise<Message>;
  categoryId(code: string): Promise<number>;
  close(): Promise<void>;
}

let residentSeq = 0;

/**
 * `env` adds or overrides settings (e.g. a long OUTBOX_POLL_MS for a test that starts the senders);
 * `vkFiles` stands for VK's file servers (the copier's downloads; default: none reached, every URL 404).
 */
export async function createApiHarness(env: Record<string, string> = {}, options: { vkFiles?: typeof fetch } = {}): Promise<ApiHarness> {
  const t = await createTestDatabase();
  const telegram = await new FakeTelegramApi().start();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'otklik-api-'));
  let now = new Date('2026-12-01T03:00:00.000Z');
  const logs: string[] = [];
  const sink = new Writable({
    write: (chunk, _enc, done) => {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = createLogger('info', sink);
  const config = loadConfig({
    DATA_DIR: dataDir,
    DEMO_SEED: 'false',
    ADMIN_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_API_ROOT: telegram.url,
    TELEGRAM_WEBHOOK_SECRET: 'api-harness-secret',
    ...env,
  });
  const vkFiles = options.vkFiles ?? ((async () => new Response('not found', { status: 404 })) as typeof fetch);
  const app = await buildApp({ config, logger, clock: () => now, database: t, telegramBotInfo: TEST_BOT_INFO, vkFiles });

  const municipality = t.demo.municipalities;
  const keys = {} as ApiHarness['keys'];
  const staff = {} as ApiHarness['staff'];
  const executors = {} as ApiHarness['executors'];
  for (const { en: town } of DEMO_MUNICIPALITIES) {
    const rows = await t.db.selectFrom('staff').select(['id', 'role', 'executor_id', 'full_name']).where('municipality_id', '=', municipality[town]).orderBy('id').execute();
    const execs = await t.db.selectFrom('executor').select('id').where('municipality_id', '=', municipality[town]).orderBy('id').execute();
    executors[town] = { city: execs[0]!.id, utility: execs[1]!.id };
    const responsible = await createStaff(t.db, { fullName: `Ответственный (${town})`, role: 'responsible', municipalityId: municipality[town] });
    const byRole: Record<Role, number> = {
      curator: rows.find((r) => r.role === 'curator')!.id,
      moderator: rows.find((r) => r.role === 'moderator')!.id,
      executor: rows.find((r) => r.role === 'executor' && r.executor_id === executors[town].city)!.id,
      utility_executor: rows.find((r) => r.role === 'executor' && r.executor_id === executors[town].utility)!.id,
      responsible: responsible.id,
    };
    staff[town] = byRole;
    keys[town] = {} as Record<Role, string>;
    for (const [role, id] of Object.entries(byRole) as [Role, number][]) {
      keys[town][role] = (await issueKey(t.db, { staffId: id, label: role, createdBy: null }, now)).token;
    }
  }
  const revokedKey = await issueKey(t.db, { staffId: staff.Kemerovo.moderator, label: 'old', createdBy: null }, now);
  await revokeKey(t.db, revokedKey.key.id, now);

  const categoryId = async (code: string) => (await t.db.selectFrom('category').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;

  return {
    app,
    t,
    telegram,
    logs,
    dataDir,
    now: () => now,
    advance: (ms) => {
      now = new Date(now.getTime() + ms);
    },
    operator: BOOTSTRAP_TOKEN,
    keys,
    staff,
    executors,
    municipality,
    revoked: revokedKey.token,
    categoryId,
    async request(method, url, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const token = options.token === undefined ? BOOTSTRAP_TOKEN : options.token;
      if (token) headers.authorization = `Bearer ${token}`;
      let body: string | FormData | undefined;
      if (options.form !== undefined) body = options.form;
      else if (options.rawBody !== undefined) body = options.rawBody;
      else if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await app.http.request(url, { method, headers, body });
      const text = await response.text();
      const type = response.headers.get('content-type') ?? '';
      return { status: response.status, headers: response.headers, text, body: type.includes('json') && text ? JSON.parse(text) : text };
    },
    async fileMessage(town, options = {}) {
      const seq = ++residentSeq;
      const { resident } = await touchResident(t.db, { channel: 'tg', externalId: `9000${seq}`, chatId: `9000${seq}`, displayName: `Житель ${seq}` }, now);
      await giveConsent(t.db, resident.id, 'tg', 'consent text', now);
      await updateResident(t.db, resident.id, { registeredAt: now, municipalityId: municipality[town] });
      const center = DEMO_MUNICIPALITIES.find((m) => m.en === town)!.center;
      const { message } = await fileMessage(
        t.db,
        {
          residentId: resident.id,
          categoryId: await categoryId(options.categoryCode ?? 'roads.pothole'),
          text: options.text ?? `Яма на дороге №${seq}`,
          point: center,
          photos: options.photos?.map((fileId) => ({ fileId })),
          channel: 'tg',
        },
        now,
      );
      if (options.openSource) await t.db.updateTable('message').set({ open_source: true }).where('id', '=', message.id).execute();
      return { ...message, openSource: options.openSource ?? false };
    },
    async close() {
      await app.stop();
      await telegram.stop();
      await t.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
