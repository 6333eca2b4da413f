import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageStatus } from '../../core/messages/message.table.ts';
import { createApiHarness, type ApiHarness } from '../../test/api-harness.ts';
import { insertMessages, seedHandBuiltSet, type HandBuiltSet, type MessageSpec } from '../../test/stats.ts';

/**
 * The map page in a real browser: Debian's Chromium driven by playwright-core (never a browser
 * of its own), against the whole app listening on a local port, with seeded messages. Tiles point
 * at a closed local port: the page must work offline. Screenshots go to test-artifacts/.
 */
// Code passed to page.evaluate runs in the page; these stand for its globals (no DOM lib here).
interface PageElement {
  getAttribute(name: string): string | null;
  otklikMap: { markerIds(): number[]; showMessage(id: number): boolean; map: { getZoom(): number } };
}
declare const document: { querySelector(selector: string): PageElement; querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }> & Iterable<{ textContent: string | null }> };
declare const sessionStorage: { getItem(key: string): string | null };

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(import.meta.dirname, '..', '..', 'test-artifacts');

let h: ApiHarness;
let server: ServerType;
let base: string;
let browser: Browser;
let set: HandBuiltSet;
const extra = { Kemerovo: 0, Belovo: 0 };

/** A small deterministic generator (mulberry32), so the screenshot is the same run after run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function around(municipalityId: number, center: { lat: number; lon: number }, spread: number, count: number, seed: number): MessageSpec[] {
  const next = random(seed);
  const statuses = ['new', 'in_work', 'in_work', 'solved', 'solved', 'explained'] as const;
  return Array.from({ length: count }, (_, i) => {
    // Denser near the centre, as in a city.
    const r = spread * Math.sqrt(next()) * next();
    const a = next() * 2 * Math.PI;
    const status = statuses[i % statuses.length]!;
    const created = new Date(Date.UTC(2026, 10, 1 + (i % 28), 3));
    const accepted = status === 'new' ? undefined : new Date(created.getTime() + 3_600_000).toISOString();
    return {
      municipalityId,
      point: { lat: center.lat + r * Math.sin(a), lon: center.lon + 2 * r * Math.cos(a) },
      status,
      createdAt: created.toISOString(),
      acceptedAt: accepted,
      closedAt: status === 'solved' || status === 'explained' ? new Date(created.getTime() + 86_400_000 * (1 + (i % 20))).toISOString() : undefined,
      category: ['roads.pothole', 'housing.yard', 'roads.lighting', 'housing.heating'][i % 4],
      text: [`Яма на проезжей части у дома ${i + 1}`, `Во дворе дома ${i + 1} сломаны качели`, `Не горит фонарь у дома ${i + 1}`, `Холодные батареи в доме ${i + 1}`][i % 4],
    };
  });
}

beforeAll(async () => {
  h = await createApiHarness({ MAP_TILE_URL: 'http://127.0.0.1:9/{z}/{x}/{y}.png' });
  set = await seedHandBuiltSet(h.t.db, h.municipality);
  await insertMessages(h.t.db, around(h.municipality.Kemerovo, { lat: 55.35, lon: 86.09 }, 0.08, 160, 1));
  await insertMessages(h.t.db, around(h.municipality.Novokuznetsk, { lat: 53.76, lon: 87.13 }, 0.08, 60, 2));
  await insertMessages(h.t.db, around(h.municipality.Belovo, { lat: 54.42, lon: 86.3 }, 0.04, 20, 3));
  extra.Kemerovo = 160;
  extra.Belovo = 20;
  // One message with a photo, filed the way the bots do.
  await h.fileMessage('Kemerovo', { text: 'Сломана скамейка в сквере у фонтана, нужна замена досок', photos: ['photo-bench'] });
  server = serve({ fetch: h.app.http.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await h?.close();
});

async function signIn(key: string, query = '', viewport = { width: 1280, height: 800 }): Promise<Page> {
  // Reduced motion: no zoom animations, whose end events headless Chromium does not always deliver.
  const context = await browser.newContext({ viewport, locale: 'ru-RU', reducedMotion: 'reduce' });
  const page = await context.newPage();
  const failures: string[] = [];
  page.on('pageerror', (error) => failures.push(error.message));
  await page.goto(`${base}/map${query}`);
  await page.locator('#key').fill(key);
  await page.locator('#key-submit').click();
  await page.locator('#map[data-state="ready"]').waitFor({ timeout: 20_000 });
  expect(failures).toEqual([]);
  return page;
}

const shownIds = (page: Page) => page.evaluate(() => document.querySelector('#map').otklikMap.markerIds());

/** What the clusters and the lone markers on screen add up to, once zoom and cluster animations are over. */
const markersOnScreen = async (page: Page) => {
  await page.waitForFunction(() => !document.querySelector('.leaflet-cluster-anim, .leaflet-zoom-anim'));
  await page.waitForTimeout(400);
  return page.evaluate(() => {
    const clusters = [...document.querySelectorAll('.marker-cluster span')].reduce((n, s) => n + Number(s.textContent), 0);
    return clusters + document.querySelectorAll('.leaflet-marker-pane .otk-marker').length;
  });
};

async function countMessages(filter: { status?: MessageStatus; municipalityId?: number } = {}): Promise<number> {
  let query = h.t.db.selectFrom('message').select((eb) => eb.fn.countAll<number>().as('n'));
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.municipalityId) query = query.where('municipality_id', '=', filter.municipalityId);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

const RU_MESSAGES = { one: 'сообщение', few: 'сообщения', many: 'сообщений', other: 'сообщения' } as Record<string, string>;
const shownText = (n: number) => `Показано ${n} ${RU_MESSAGES[new Intl.PluralRules('ru').select(n)]}`;

describe('the map page in Chromium', () => {
  it('asks for a key, then draws every message as clustered markers over the boundaries; a filter redraws', async () => {
    const page = await signIn(h.operator);
    const total = await countMessages();
    expect(await page.locator('#map').getAttribute('data-markers')).toBe(String(total));
    expect(await markersOnScreen(page)).toBe(total);
    await expect.poll(() => page.locator('#count').textContent()).toBe(shownText(total));
    expect(await page.locator('path.leaflet-interactive, svg path').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('canvas.leaflet-heatmap-layer').count()).toBe(1);
    expect(await page.locator('.otk-legend').textContent()).toContain('Просрочено');
    expect(await page.evaluate(() => sessionStorage.getItem('otklik.apiKey'))).toBe(h.operator);
    await page.screenshot({ path: path.join(ARTIFACTS, 'map.png') });

    const solved = await countMessages({ status: 'solved' });
    await page.locator('#status').selectOption('solved');
    await page.locator('#apply').click();
    await page.waitForFunction((n) => document.querySelector('#map')?.getAttribute('data-markers') === String(n), solved);
    expect(await markersOnScreen(page)).toBe(solved);

    await page.locator('#status').selectOption('');
    await page.locator('#period').fill('2026-12');
    await page.locator('#apply').click();
    await page.waitForFunction(() => document.querySelector('#map')?.getAttribute('data-markers') === '2');
    expect((await shownIds(page)).sort()).toEqual([set.december, (await h.t.db.selectFrom('message').select('id').where('text', 'like', 'Сломана скамейка%').executeTakeFirstOrThrow()).id].sort());
    await page.context().close();
  }, 90_000);

  it("a marker's popup shows the message card with its photo fetched through the API", async () => {
    const page = await signIn(h.operator);
    const withPhoto = (await h.t.db.selectFrom('message').select('id').where('text', 'like', 'Сломана скамейка%').executeTakeFirstOrThrow()).id;
    const photoRequests: number[] = [];
    page.on('response', (res) => {
      if (res.url().includes(`/api/v1/messages/${withPhoto}/photos/0`)) photoRequests.push(res.status());
    });
    await page.evaluate((id) => document.querySelector('#map').otklikMap.showMessage(id), withPhoto);
    const card = page.locator(`.otk-card[data-message-id="${withPhoto}"]`);
    await card.locator('.otk-card-photo').waitFor({ timeout: 15_000 });
    expect(await card.locator('.otk-card-title').textContent()).toBe(`Сообщение №${withPhoto}`);
    expect(await card.locator('.otk-card-status').textContent()).toBe('Новое');
    expect(await card.locator('.otk-card-text').textContent()).toBe('Сломана скамейка в сквере у фонтана, нужна замена досок');
    expect(await card.locator('.otk-card-dates dt').first().textContent()).toBe('Подано');
    expect(await card.locator('.otk-card-photo').getAttribute('src')).toMatch(/^blob:/);
    expect(photoRequests).toEqual([200]);

    // A card of a closed, rated message, for the screenshot.
    await page.evaluate((id) => document.querySelector('#map').otklikMap.showMessage(id), set.a[2]!);
    const closed = page.locator(`.otk-card[data-message-id="${set.a[2]}"]`);
    await closed.locator('.otk-card-dates').waitFor();
    expect(await closed.locator('.otk-card-status').textContent()).toBe('Решено');
    expect(await closed.locator('.otk-card-dates').textContent()).toContain('★★★★★');
    await page.waitForFunction(() => document.querySelectorAll('.leaflet-popup').length === 1);
    await page.context().close();
  }, 90_000);

  it('the municipality filter frames it: the screenshot of the README', async () => {
    const page = await signIn(h.operator);
    await page.locator('#municipality').selectOption(String(h.municipality.Kemerovo));
    await page.locator('#period').fill('2026-11');
    await page.locator('#apply').click();
    const november = await h.t.db
      .selectFrom('message')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('municipality_id', '=', h.municipality.Kemerovo)
      .where('created_at', '>=', new Date('2026-10-31T17:00:00Z'))
      .where('created_at', '<', new Date('2026-11-30T17:00:00Z'))
      .executeTakeFirstOrThrow();
    await page.waitForFunction((n) => document.querySelector('#map')?.getAttribute('data-markers') === String(n), Number(november.n));
    expect(await markersOnScreen(page)).toBe(Number(november.n));
    // Kemerovo fills the view: Novokuznetsk and Belovo are off screen.
    const zoom = await page.evaluate(() => document.querySelector('#map').otklikMap.map.getZoom());
    expect(zoom).toBeGreaterThanOrEqual(10);
    // A click on a lone marker opens its card, as a person would.
    await page.locator('.leaflet-marker-pane .otk-marker.otk-status-overdue').first().click();
    await page.locator('.leaflet-popup .otk-card .otk-card-dates').waitFor();
    expect(await page.locator('.leaflet-popup .otk-card-status').textContent()).toBe('Просрочено');
    await page.waitForTimeout(600);
    await page.screenshot({ path: path.join(ARTIFACTS, 'map-kemerovo.png') });
    await page.context().close();
  }, 90_000);

  it('a Kemerovo key sees only Kemerovo: its markers, its boundary, its municipality in the filter', async () => {
    const page = await signIn(h.keys.Kemerovo.moderator);
    const kemerovo = await countMessages({ municipalityId: h.municipality.Kemerovo });
    expect(kemerovo).toBe(10 + extra.Kemerovo + 1);
    const ids = await shownIds(page);
    expect(ids).toHaveLength(kemerovo);
    expect(ids).not.toContain(set.belovo);
    const belovo = await h.t.db.selectFrom('message').select('id').where('municipality_id', '=', h.municipality.Belovo).execute();
    expect(belovo).toHaveLength(1 + extra.Belovo);
    for (const { id } of belovo) expect(ids).not.toContain(id);
    expect(await page.locator('#municipality option').allTextContents()).toEqual(['Все доступные', 'Кемеровский городской округ']);
    expect(await markersOnScreen(page)).toBe(kemerovo);
    await page.context().close();
  }, 90_000);

  it('speaks English when asked, and a wrong key is refused', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/map?lang=en`);
    // The form shows once the texts are in.
    await page.locator('#key-form').waitFor({ state: 'visible' });
    expect(await page.locator('#key-submit').textContent()).toBe('Open the map');
    await page.locator('#key').fill('otk_wrong-key-000000000000000000000000');
    await page.locator('#key-submit').click();
    await page.locator('#key-error').waitFor();
    expect(await page.locator('#key-error').textContent()).toBe('The key was not accepted: check it and enter it again.');
    expect(await page.evaluate(() => sessionStorage.getItem('otklik.apiKey'))).toBeNull();
    await context.close();
  }, 60_000);

  it('the legend is open on a wide screen and folded on a phone, where a tap opens it', async () => {
    const wide = await signIn(h.operator);
    await wide.getByText('Граница муниципалитета').waitFor();
    await wide.context().close();
    const phone = await signIn(h.operator, '', { width: 390, height: 760 });
    const legend = phone.locator('details.otk-legend');
    expect(await legend.getAttribute('open')).toBeNull();
    expect(await phone.getByText('Граница муниципалитета').isVisible()).toBe(false);
    await phone.getByText('Легенда', { exact: true }).click();
    await phone.getByText('Граница муниципалитета').waitFor();
    await phone.context().close();
  }, 60_000);

  it('a message solved after its 14 days is shown as solved, red only while it is still in work, its card saying the deadline was missed', async () => {
    // Accepted on 2 November, no intermediate answer, solved on 25 November: overdue by KPI 7, but closed.
    const [late] = await insertMessages(h.t.db, [
      {
        municipalityId: h.municipality.Novokuznetsk,
        point: { lat: 53.95, lon: 87.45 },
        status: 'solved',
        createdAt: '2026-11-02T03:00:00Z',
        acceptedAt: '2026-11-02T04:00:00Z',
        closedAt: '2026-11-25T04:00:00Z',
        category: 'roads.pothole',
        text: 'Яма у остановки, заделали через три недели',
      },
    ]);
    const page = await signIn(h.operator);
    await page.locator('#status').selectOption('solved');
    await page.locator('#apply').click();
    await page.waitForFunction((n) => document.querySelector('#map')?.getAttribute('data-markers') === String(n), await countMessages({ status: 'solved' }));
    await page.evaluate((id) => document.querySelector('#map').otklikMap.showMessage(id), late!);
    const marker = page.locator(`.leaflet-marker-pane .otk-marker[title^="Сообщение №${late}:"]`);
    await marker.waitFor();
    expect(await marker.getAttribute('title')).toBe(`Сообщение №${late}: Решено`);
    expect(await marker.getAttribute('class')).toContain('otk-status-solved');
    const card = page.locator(`.otk-card[data-message-id="${late}"]`);
    await card.locator('.otk-card-dates').waitFor();
    expect(await card.locator('.otk-card-status').textContent()).toBe('Решено');
    expect(await card.locator('.otk-card-late').textContent()).toBe('Срок нарушен: больше 14 дней в работе без промежуточного ответа');
    // A message still in work past its 14 days stays red and names no second status.
    await page.locator('#status').selectOption('');
    await page.locator('#apply').click();
    await page.waitForFunction((n) => document.querySelector('#map')?.getAttribute('data-markers') === String(n), await countMessages());
    const open = await h.t.db
      .selectFrom('message')
      .select('id')
      .where('status', '=', 'in_work')
      .where('first_intermediate_at', 'is', null)
      .where('accepted_at', '<', new Date(h.now().getTime() - 15 * 86_400_000))
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await page.evaluate((id) => document.querySelector('#map').otklikMap.showMessage(id), open.id);
    const openCard = page.locator(`.otk-card[data-message-id="${open.id}"]`);
    await openCard.locator('.otk-card-dates').waitFor();
    expect(await openCard.locator('.otk-card-status').textContent()).toBe('Просрочено');
    expect(await openCard.locator('.otk-card-late').count()).toBe(0);
    await page.context().close();
  }, 90_000);

  it('where the browser has no month picker (Firefox, desktop Safari: a text box), the month field says its format and refuses another', async () => {
    const page = await signIn(h.operator);
    const asked: string[] = [];
    page.on('request', (req) => {
      if (req.url().includes('/api/v1/heatmap')) asked.push(new URL(req.url()).searchParams.get('period') ?? '');
    });
    // What those browsers make of <input type="month">.
    await page.evaluate(() => {
      (document.querySelector('#period') as unknown as { type: string }).type = 'text';
    });
    const period = page.locator('#period');
    expect(await period.getAttribute('placeholder')).toBe('ГГГГ-ММ, например 2026-11');
    await period.fill('11.2026');
    await page.locator('#apply').click();
    // The form stops it: nothing is asked of the API, so no 400 ends up as «Не удалось загрузить данные».
    expect(await page.locator('#period:invalid').count()).toBe(1);
    await page.waitForTimeout(300);
    expect(asked).toEqual([]);
    expect(await page.locator('#count').textContent()).not.toContain('Не удалось');
    await period.fill('2026-11');
    await page.locator('#apply').click();
    await page.waitForFunction(() => document.querySelector('#map')?.getAttribute('data-state') === 'ready');
    expect(asked).toContain('2026-11');
    await page.context().close();
  }, 60_000);

  it('an unknown ?lang is Russian; a word longer than the popup wraps inside the card', async () => {
    const long = await h.fileMessage('Kemerovo', { text: `Жалоба: ${'ОченьДлинноеСловоБезПробелов'.repeat(12)}` });
    const page = await signIn(h.operator, '?lang=xx');
    expect(await page.getAttribute('html', 'lang')).toBe('ru');
    expect(await page.locator('#key-submit').count()).toBe(1);
    await page.evaluate((id) => document.querySelector('#map').otklikMap.showMessage(id), long.id);
    const text = page.locator(`.otk-card[data-message-id="${long.id}"] .otk-card-text`);
    await text.waitFor();
    const overflow = await text.evaluate((el) => {
      const box = el as unknown as { scrollWidth: number; clientWidth: number };
      return box.scrollWidth - box.clientWidth;
    });
    expect(overflow).toBe(0);
    await page.context().close();
  }, 60_000);
});
