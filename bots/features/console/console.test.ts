import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueKey } from '../../../core/access/api-keys.service.ts';
import { LOGIN_CODE_TTL_MS, MAX_SIGN_IN_FAILURES, SESSION_TTL_MS } from '../../../core/console/sessions.ts';
import { SIGN_IN_BODY_LIMIT } from '../../../http/console/console.ts';
import { fileMessage } from '../../../core/messages/filing.service.ts';
import { newChat, type Chat } from '../../../test/bots/chats.ts';
import { BotHarness } from '../../../test/bots/harness.ts';
import { CHANNELS } from '../../../test/bots/player.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/database.ts';
import { categoryId, KEMEROVO_CENTER, registeredResident } from '../../../test/residents.ts';
import { demoStaff, operatorId } from '../../../test/staff.ts';
import { createTranslator } from '../../i18n.ts';

/**
 * Signing in to the web console: `/login` in either messenger gives a linked official a one-time
 * code; POST /console/session exchanges it for an HttpOnly, SameSite=Strict session cookie that the
 * admin API accepts like a key (same scope, same audit), with the CSRF token required on every
 * state change. Sessions are listed and revoked through the API; failed sign-ins are throttled.
 */
let db: TestDatabase;
let harness: BotHarness;
let now = new Date('2026-12-01T03:00:00.000Z');
const t = createTranslator();
let staff: Awaited<ReturnType<typeof demoStaff>>;
let belovo: Awaited<ReturnType<typeof demoStaff>>;
let operatorKey = '';

beforeAll(async () => {
  db = await createTestDatabase();
  harness = await BotHarness.start({ database: db, clock: () => now, env: { TRUST_PROXY: 'true' } });
  staff = await demoStaff(db.db, db.demo.municipalities.Kemerovo);
  belovo = await demoStaff(db.db, db.demo.municipalities.Belovo);
  operatorKey = (await issueKey(db.db, { staffId: await operatorId(db.db), label: 'test', createdBy: null }, now)).token;
});
afterAll(async () => {
  await harness?.close();
  await db?.close();
});

let clientSeq = 0;
interface Browser {
  cookie?: string;
  csrf?: string;
  /** A distinct client address per simulated browser, so one test's failures do not throttle another's. */
  client: string;
}
const newBrowser = (): Browser => ({ client: `198.51.100.${++clientSeq}` });

async function call(browser: Browser, method: string, path: string, body?: unknown, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { 'x-forwarded-for': browser.client, ...extra };
  if (browser.cookie) headers.cookie = browser.cookie;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${harness.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const raw = await res.text();
  return { status: res.status, headers: res.headers, body: raw ? JSON.parse(raw) : null };
}

async function signIn(browser: Browser, secret: { code: string } | { apiKey: string }) {
  const res = await call(browser, 'POST', '/console/session', secret);
  if (res.status === 200) {
    browser.cookie = /^(otklik_session=[^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
    browser.csrf = res.body.csrfToken;
  }
  return res;
}

async function loginCode(chat: Chat): Promise<string> {
  await chat.say('/login');
  const text = chat.replyTexts.join('\n');
  const code = /([A-Z2-9]{5}-[A-Z2-9]{5})/.exec(text)?.[1];
  expect(code, text).toBeDefined();
  return code!;
}

describe.each(CHANNELS)('%s: /login', (channel) => {
  it('gives a linked official a one-time code that opens a console session with their role and scope', async () => {
    const chat = newChat(harness, channel, 'Модератор');
    const { createLinkCode } = await import('../../../core/staff/link-codes.ts');
    const { code: link } = await createLinkCode(db.db, { actorStaffId: await operatorId(db.db), staffId: staff.moderator }, now);
    await chat.say(`/start staff_${link}`);
    const code = await loginCode(chat);
    expect(chat.replyTexts[0]).toBe(t('ru', 'console.login_code', { code, minutes: LOGIN_CODE_TTL_MS / 60_000 }));

    const browser = newBrowser();
    const res = await signIn(browser, { code: code.toLowerCase().replace('-', ' ') }); // typed loosely
    expect(res.status).toBe(200);
    expect(res.body.staff).toMatchObject({ id: staff.moderator, role: 'moderator', municipalityId: db.demo.municipalities.Kemerovo });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\//);
    // Its lifetime counted from the browser's own clock (Max-Age), not a date on the server's.
    expect(cookie).toMatch(new RegExp(`Max-Age=${SESSION_TTL_MS / 1000}(;|$)`));
    expect(cookie).not.toMatch(/Expires=/i);
    // Used once.
    expect((await signIn(newBrowser(), { code })).status).toBe(401);
    expect((await call(browser, 'GET', '/api/v1/me')).body).toMatchObject({ staff: { id: staff.moderator } });
  });

  it('answers an account that is not an official with the usual refusal and issues nothing', async () => {
    const codes = async () =>
      Number(
        (
          await db.db
            .selectFrom('console_login_code')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await codes();
    const resident = newChat(harness, channel, 'Житель');
    await resident.say('/login');
    expect(resident.replyTexts).toEqual([t('ru', 'official.not_linked_account')]);
    expect(await codes()).toBe(before);
  });
});

describe('console sessions over the admin API', () => {
  const codeFor = async (staffId: number) => (await import('../../../core/console/sessions.ts')).issueLoginCode(db.db, staffId, now).then((c) => c.code);

  it('a session reads like a key of its owner: a Kemerovo moderator never sees a Belovo message', async () => {
    const residentId = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Belovo, now });
    const { message } = await fileMessage(db.db, { residentId, categoryId: await categoryId(db.db, 'roads.pothole'), text: 'Яма в Белово', point: { lat: 54.4166, lon: 86.2975 }, channel: 'tg' }, now);
    const kemerovo = newBrowser();
    expect((await signIn(kemerovo, { code: await codeFor(staff.moderator) })).status).toBe(200);
    expect((await call(kemerovo, 'GET', `/api/v1/messages/${message.id}`)).status).toBe(404);
    const list = await call(kemerovo, 'GET', '/api/v1/messages?status=new');
    expect(list.status).toBe(200);
    expect(list.body.items.map((m: { id: number }) => m.id)).not.toContain(message.id);
    const belovoBrowser = newBrowser();
    expect((await signIn(belovoBrowser, { code: await codeFor(belovo.moderator) })).status).toBe(200);
    expect((await call(belovoBrowser, 'GET', `/api/v1/messages/${message.id}`)).status).toBe(200);
  });

  it('refuses a state change without the CSRF token (403 CSRF) and accepts it with the token, audited as the official', async () => {
    const residentId = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo, now });
    const { message } = await fileMessage(db.db, { residentId, categoryId: await categoryId(db.db, 'roads.pothole'), text: 'Яма у остановки', point: KEMEROVO_CENTER, channel: 'tg' }, now);
    const browser = newBrowser();
    await signIn(browser, { code: await codeFor(staff.moderator) });
    const refused = await call(browser, 'POST', `/api/v1/messages/${message.id}/accept`, {});
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('CSRF');
    const wrong = await call(browser, 'POST', `/api/v1/messages/${message.id}/accept`, {}, { 'x-csrf-token': 'x'.repeat(43) });
    expect(wrong.status).toBe(403);
    expect((await db.db.selectFrom('message').select('status').where('id', '=', message.id).executeTakeFirstOrThrow()).status).toBe('new');
    const accepted = await call(browser, 'POST', `/api/v1/messages/${message.id}/accept`, {}, { 'x-csrf-token': browser.csrf! });
    expect(accepted.status).toBe(200);
    const audit = await db.db.selectFrom('audit_log').selectAll().where('entity_id', '=', String(message.id)).where('action', 'like', '%accept%').executeTakeFirstOrThrow();
    expect(audit.staff_id).toBe(staff.moderator);
  });

  it("lists and revokes sessions: one's own only (someone else's is 404), operators any; a revoked or expired session is 401", async () => {
    const first = newBrowser();
    const second = newBrowser();
    await signIn(first, { code: await codeFor(staff.curator) });
    await signIn(second, { code: await codeFor(staff.curator) });
    const other = newBrowser();
    await signIn(other, { code: await codeFor(staff.executor) });
    const mine = await call(first, 'GET', '/api/v1/sessions');
    expect(mine.status).toBe(200);
    expect(mine.body.items.every((s: { staffId: number }) => s.staffId === staff.curator)).toBe(true);
    expect(mine.body.items.length).toBeGreaterThanOrEqual(2);
    const otherId = (await call(other, 'GET', '/api/v1/sessions')).body.items[0].id as number;
    expect((await call(first, 'POST', `/api/v1/sessions/${otherId}/revoke`, undefined, { 'x-csrf-token': first.csrf! })).status).toBe(404);
    // The first session ends both of the curator's (the second one included).
    const ids = mine.body.items.map((s: { id: number }) => s.id) as number[];
    for (const id of ids) expect((await call(first, 'POST', `/api/v1/sessions/${id}/revoke`, undefined, { 'x-csrf-token': first.csrf! })).status).toBe(204);
    expect((await call(second, 'GET', '/api/v1/me')).status).toBe(401);
    // An operator may end anyone's.
    const operator = newBrowser();
    expect((await signIn(operator, { apiKey: operatorKey })).status).toBe(200);
    expect((await call(operator, 'POST', `/api/v1/sessions/${otherId}/revoke`, undefined, { 'x-csrf-token': operator.csrf! })).status).toBe(204);
    expect((await call(other, 'GET', '/api/v1/me')).status).toBe(401);
    // Sessions never show up as API keys, and expire.
    const keys = (await fetch(`${harness.url}/api/v1/keys`, { headers: { authorization: `Bearer ${operatorKey}` } }).then((r) => r.json())) as { items: { label: string }[] };
    expect(keys.items.every((k) => !k.label.startsWith('console'))).toBe(true);
    now = new Date(now.getTime() + SESSION_TTL_MS + 1000);
    expect((await call(operator, 'GET', '/api/v1/me')).status).toBe(401);
    expect((await call(operator, 'GET', '/console/session')).body).toEqual({ signedIn: false });
  });

  it('refuses bad bodies (400), expired codes (401), and throttles a client after repeated failures (429), even for a right code', async () => {
    const browser = newBrowser();
    for (const body of [{}, { code: '' }, { code: 'x', apiKey: 'y' }, { password: 'x' }]) expect((await call(browser, 'POST', '/console/session', body)).status).toBe(400);
    // A body past the sign-in limit is refused unread (413), a right code in it or not; nothing is counted as a failure.
    const huge = await call(browser, 'POST', '/console/session', { code: await codeFor(staff.moderator), padding: 'x'.repeat(SIGN_IN_BODY_LIMIT) });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
    const stale = await codeFor(staff.moderator);
    now = new Date(now.getTime() + LOGIN_CODE_TTL_MS + 1000);
    expect((await signIn(browser, { code: stale })).status).toBe(401);
    expect((await signIn(browser, { apiKey: 'otk_wrong' })).status).toBe(401);
    for (let i = 2; i < MAX_SIGN_IN_FAILURES; i++) expect((await signIn(browser, { code: 'WRONG-CODE1' })).status).toBe(401);
    const right = await codeFor(staff.moderator);
    const throttled = await signIn(browser, { code: right });
    expect(throttled.status).toBe(429);
    expect(throttled.body.code).toBe('SIGN_IN_RATE_LIMITED');
    // Another client is not affected, and the code still works there.
    expect((await signIn(newBrowser(), { code: right })).status).toBe(200);
    // Sign-out needs the CSRF token too, and ends the session.
    const out = newBrowser();
    await signIn(out, { code: await codeFor(staff.moderator) });
    expect((await call(out, 'DELETE', '/console/session')).status).toBe(403);
    expect((await call(out, 'DELETE', '/console/session', undefined, { 'x-csrf-token': out.csrf! })).status).toBe(204);
    expect((await call(out, 'GET', '/api/v1/me')).status).toBe(401);
  });
});
