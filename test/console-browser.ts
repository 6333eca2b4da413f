import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { createTranslator } from '../bots/i18n.ts';
import type { Db } from '../core/db/types.ts';
import { createLinkCode } from '../core/staff/link-codes.ts';
import { newChat } from './bots/chats.ts';
import { BotHarness, type HarnessOptions } from './bots/harness.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { demoStaff, operatorId } from './staff.ts';

/**
 * The console's browser tests share these: Debian's Chromium through playwright-core, signing in
 * with the code the bot's /login gives, the axe-core check, the screenshots' folder.
 */
// Code passed to page.evaluate runs in the page; these stand for its globals (no DOM lib here).
declare const window: { axe: { run(context: unknown, options: unknown): Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } };
declare const document: unknown;

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(import.meta.dirname, '..', 'test-artifacts');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const t = createTranslator();
/** A console text in Russian, as the page shows it by default. */
export const ru = (key: string, params?: Record<string, unknown>) => t('ru', `console.${key}`, params);
/** A console text in English, as the page shows it once switched (toEnglish). */
export const en = (key: string, params?: Record<string, unknown>) => t('en', `console.${key}`, params);

/** Switches a signed-in page to English and waits for the English navigation. */
export async function toEnglish(page: Page): Promise<void> {
  await page.getByRole('button', { name: ru('nav.language') }).click();
  await page.getByRole('link', { name: en('nav.queue') }).waitFor();
}

export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
}

/** A linked official's chat and the sign-in code `/login` gave it. */
export async function codeFromBot(harness: BotHarness, db: Db, staffId: number, now: Date): Promise<string> {
  const chat = newChat(harness, 'tg', 'Сотрудник');
  const { code: link } = await createLinkCode(db, { actorStaffId: await operatorId(db), staffId }, now);
  await chat.say(`/start staff_${link}`);
  await chat.say('/login');
  const code = /([A-Z2-9]{5}-[A-Z2-9]{5})/.exec(chat.replyTexts.join('\n'))?.[1];
  expect(code).toBeDefined();
  return code!;
}

/**
 * Signs the official in through the bot's code, on an office screen in Kuzbass unless told otherwise
 * (`timezoneId`: the browser's zone, e.g. a laptop left on Moscow time); no page errors.
 */
export async function signIn(
  browser: Browser,
  harness: BotHarness,
  db: Db,
  staffId: number,
  now: Date,
  viewport: { width: number; height: number } = { width: 1366, height: 768 },
  timezoneId = 'Asia/Novokuznetsk',
): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'ru-RU', timezoneId });
  const page = await context.newPage();
  const failures: string[] = [];
  page.on('pageerror', (e) => failures.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && failures.push(m.text()));
  await page.goto(`${harness.url}/console`);
  await page.getByLabel(ru('sign_in.code')).fill(await codeFromBot(harness, db, staffId, now));
  await page.getByRole('button', { name: ru('sign_in.submit'), exact: true }).click();
  await page.getByRole('link', { name: ru('nav.queue'), exact: true }).waitFor();
  expect(failures).toEqual([]);
  return page;
}

/** axe-core in the page (injected past the page's CSP in a context made for it): serious and critical violations. */
export async function seriousViolations(browser: Browser, page: Page): Promise<string[]> {
  const checked = await browser.newContext({ bypassCSP: true, timezoneId: 'Asia/Novokuznetsk', viewport: { width: 1366, height: 768 }, storageState: await page.context().storageState() });
  const copy = await checked.newPage();
  await copy.goto(page.url());
  await copy.waitForLoadState('networkidle');
  await copy.addScriptTag({ path: AXE });
  const result = await copy.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  await checked.close();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.length})`);
}

/** How much wider than the screen the page is, in CSS pixels: 0 when it fits (no sideways scrolling). */
export const sidewaysOverflow = (page: Page) =>
  page.evaluate(() => {
    const root = (document as { documentElement: { scrollWidth: number; clientWidth: number } }).documentElement;
    return root.scrollWidth - root.clientWidth;
  });

/** The nav's links, in order: only the pages the role may use. */
export const navOf = async (page: Page) => page.getByRole('navigation', { name: 'main' }).getByRole('link').allTextContents();

/** One console test file's world: its database, the whole app behind the harness, Chromium. */
export interface ConsoleTest {
  db: TestDatabase;
  harness: BotHarness;
  browser: Browser;
  /** signIn at the harness's clock. */
  signIn(staffId: number, viewport?: { width: number; height: number }, timezoneId?: string): Promise<Page>;
  seriousViolations(page: Page): Promise<string[]>;
  /** Closes what was opened, the browser first. */
  close(): Promise<void>;
}

/** Opens a console test file's world (the harness's options: its clock, settings).  */
export async function startConsoleTest(options: HarnessOptions = {}): Promise<ConsoleTest> {
  const db = await createTestDatabase();
  let harness: BotHarness | undefined;
  try {
    harness = await BotHarness.start({ ...options, database: db });
    const browser = await launchChromium();
    const started = harness;
    return {
      db,
      harness: started,
      browser,
      signIn: (staffId, viewport, timezoneId) => signIn(browser, started, db.db, staffId, started.now(), viewport, timezoneId),
      seriousViolations: (page) => seriousViolations(browser, page),
      async close() {
        await browser.close();
        await started.close();
        await db.close();
      },
    };
  } catch (error) {
    await harness?.close();
    await db.close();
    throw error;
  }
}

/** A console test file's world with the demo officials of Kemerovo, the municipality most tests work in. */
export interface ConsoleTestFile extends ConsoleTest {
  kemerovo: number;
  staff: Awaited<ReturnType<typeof demoStaff>>;
}

/**
 * Opens the file's world before its tests and closes it after them (its own hooks, registered where
 * this is called: a file's later beforeAll runs after this one, its afterAll before the close).
 * The object is filled in place by that beforeAll, so tests and later hooks read it, not the top level.
 */
export function consoleTestPerFile(options: HarnessOptions = {}): ConsoleTestFile {
  const file = {} as ConsoleTestFile;
  beforeAll(async () => {
    Object.assign(file, await startConsoleTest(options));
    file.kemerovo = file.db.demo.municipalities.Kemerovo;
    file.staff = await demoStaff(file.db.db, file.kemerovo);
  }, 120_000);
  afterAll(() => file.close?.());
  return file;
}
