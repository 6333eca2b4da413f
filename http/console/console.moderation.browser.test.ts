import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fileMessage } from '../../core/messages/filing.service.ts';
import type { BotHarness } from '../../test/bots/harness.ts';
import { ARTIFACTS, consoleTestPerFile, ru } from '../../test/console-browser.ts';
import type { TestDatabase } from '../../test/database.ts';
import { categoryId, KEMEROVO_CENTER, registeredResident } from '../../test/residents.ts';
import { messageInWork } from '../../test/staff.ts';

/**
 * Issue 20, the moderator's side of the console in Chromium: on a message card a moderator changes
 * the category, marks a duplicate of a message nearby and routes a message in work to another
 * executor (each checked in the database); the card shows the point on a small Leaflet map under
 * the console's CSP; "My queue" says the deadline state (day 10/13/14, the working hour) in words;
 * axe finds no serious violations on the card; a Kemerovo moderator cannot see or change a Belovo message.
 */
const DAY = 86_400_000;
const now = new Date('2026-12-01T03:00:00.000Z');
let db: TestDatabase;
let harness: BotHarness;
const ids = { recategorise: 0, original: 0, duplicate: 0, route: 0, dayEleven: 0, overdue: 0, openSource: 0, belovo: 0 };
let utilityExecutor = 0;
let cityExecutorName = '';
let utilityName = '';

async function fileNew(text: string, point = KEMEROVO_CENTER): Promise<number> {
  const residentId = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo, now });
  const pothole = await categoryId(db.db, 'roads.pothole');
  return (await fileMessage(db.db, { residentId, categoryId: pothole, text, point, address: 'пр. Ленина, 90', channel: 'tg' }, now)).message.id;
}
const setText = (id: number, text: string) => db.db.updateTable('message').set({ text }).where('id', '=', id).execute();
const row = (id: number) => db.db.selectFrom('message').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

// The tile server is configuration (as for /map); here an address where nothing answers, as on a closed network.
const world = consoleTestPerFile({ clock: () => now, env: { MAP_TILE_URL: 'http://127.0.0.1:9/{z}/{x}/{y}.png' } });
beforeAll(async () => {
  ({ db, harness } = world);
  ids.recategorise = await fileNew('Во дворе на Весенней, 5 гора мусора');
  ids.original = await fileNew('Яма на проспекте Ленина у остановки «Цирк»');
  // 40 m north of the original: a nearby candidate.
  ids.duplicate = await fileNew('Опять яма у «Цирка», колёса бьют', { lat: KEMEROVO_CENTER.lat + 0.00036, lon: KEMEROVO_CENTER.lon });
  ids.route = await messageInWork(db.db, { municipalityId: world.kemerovo, acceptedAt: new Date(now.getTime() - 2 * DAY) });
  await setText(ids.route, 'Не горит фонарь на улице Терешковой');
  ids.dayEleven = await messageInWork(db.db, { municipalityId: world.kemerovo, acceptedAt: new Date(now.getTime() - 11 * DAY - 3_600_000) });
  await setText(ids.dayEleven, 'Открытый люк на Красноармейской');
  ids.overdue = await messageInWork(db.db, { municipalityId: world.kemerovo, acceptedAt: new Date(now.getTime() - 15 * DAY) });
  await setText(ids.overdue, 'Сломанная скамейка в сквере');
  // An open-source message accepted 20 minutes ago: its draft is due within the working hour.
  ids.openSource = await messageInWork(db.db, { municipalityId: world.kemerovo, acceptedAt: new Date(now.getTime() - 20 * 60_000), flags: { openSource: true } });
  await setText(ids.openSource, 'Пост ВКонтакте: нет света в подъезде');
  await db.db
    .insertInto('first_response')
    .values({ message_id: ids.openSource, accepted_at: new Date(now.getTime() - 20 * 60_000), due_at: new Date(now.getTime() + 40 * 60_000), drafted_at: null, met: null, working_minutes: null })
    .execute();
  ids.belovo = await messageInWork(db.db, { municipalityId: db.demo.municipalities.Belovo, acceptedAt: new Date(now.getTime() - 12 * DAY), point: { lat: 54.4166, lon: 86.2975 } });
  await setText(ids.belovo, 'Беловская яма у вокзала');
  const executors = await db.db.selectFrom('executor').select(['id', 'name']).where('municipality_id', '=', world.kemerovo).orderBy('id').execute();
  const routed = await row(ids.route);
  cityExecutorName = executors.find((e) => e.id === routed.executor_id)!.name;
  utilityExecutor = (await db.db.selectFrom('staff').select('executor_id').where('id', '=', world.staff.utilityExecutor).executeTakeFirstOrThrow()).executor_id!;
  expect(utilityExecutor).not.toBe(routed.executor_id);
  utilityName = executors.find((e) => e.id === utilityExecutor)!.name;
  const dump = await categoryId(db.db, 'ecology.dump');
  await db.db.updateTable('routing_rule').set({ executor_id: utilityExecutor }).where('municipality_id', '=', world.kemerovo).where('category_id', '=', dump).execute();
}, 120_000);

/** A moderator's page on the test's clock (the deadlines count from it); CSP refusals are collected. */
async function moderator(): Promise<{ page: Page; refused: string[] }> {
  const page = await world.signIn(world.staff.moderator);
  await page.clock.setFixedTime(now);
  const refused: string[] = [];
  page.on('console', (m) => m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text()) && refused.push(m.text()));
  page.on('pageerror', (e) => refused.push(String(e)));
  return { page, refused };
}
async function openCard(page: Page, id: number) {
  await page.goto(`${harness.url}/console#/message/${id}`);
  await page.reload();
  await page.getByRole('heading', { name: ru('card.title', { id }) }).waitFor();
}
async function done(page: Page) {
  await page
    .getByRole('status')
    .filter({ hasText: ru('act.done') })
    .waitFor();
}

describe("the console's moderation queue and card in Chromium", () => {
  it('a moderator changes the category with the keyboard, marks a duplicate nearby and routes to another executor; the map shows the point', async () => {
    const { page, refused } = await moderator();

    // Change the category: pick it in the sector-grouped select, then Enter on the focused button.
    await openCard(page, ids.recategorise);
    const dump = await categoryId(db.db, 'ecology.dump');
    const select = page.getByLabel(ru('moderation.category'));
    await select.selectOption(String(dump));
    expect(await select.locator('optgroup').count()).toBeGreaterThan(1);
    await page.getByRole('button', { name: ru('moderation.change_category'), exact: true }).focus();
    await page.keyboard.press('Enter');
    await done(page);
    expect((await row(ids.recategorise)).category_id).toBe(dump);
    expect((await row(ids.recategorise)).status).toBe('new');
    // The suggestion follows the new category's routing rule (dumps go to the utility company here).
    await page.getByText(`${ru('moderation.suggested')}: ${utilityName}`).waitFor();

    // The card: the suggested executor, the small map with the point (Leaflet under the console's CSP, tiles from the configured server).
    await openCard(page, ids.duplicate);
    await page.getByText(cityExecutorName).first().waitFor();
    expect(await page.locator('main').textContent()).toContain(`${ru('moderation.suggested')}: ${cityExecutorName}`);
    await page.locator('.card-map-box[data-ready="true"]').waitFor();
    expect(await page.getByRole('region', { name: ru('moderation.map_label', { lat: (KEMEROVO_CENTER.lat + 0.00036).toFixed(5), lon: KEMEROVO_CENTER.lon.toFixed(5) }) }).count()).toBe(1);
    expect(await page.locator('.card-map-box .leaflet-overlay-pane svg path').count()).toBe(1);
    expect(await page.locator('.card-map-box img.leaflet-tile').first().getAttribute('src')).toMatch(/^http:\/\/127\.0\.0\.1:9\/16\//);
    expect(await world.seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-moderation-card.png'), fullPage: true });

    // Mark it a duplicate of the original, offered as an open message 40 m away.
    const nearby = page.getByRole('listitem').filter({ hasText: 'Яма на проспекте Ленина' });
    expect(await nearby.textContent()).toContain(ru('moderation.distance', { m: 40 }));
    await nearby.getByRole('button', { name: ru('moderation.duplicate_of_this', { id: ids.original }) }).click();
    await done(page);
    expect(await row(ids.duplicate)).toMatchObject({ status: 'rejected', duplicate_of: ids.original, rejection_reason: `duplicate of #${ids.original}` });

    // Route a message in work to the utility company.
    await openCard(page, ids.route);
    await page.getByLabel(ru('moderation.executor')).selectOption(String(utilityExecutor));
    await page.getByRole('button', { name: ru('moderation.route'), exact: true }).click();
    await done(page);
    expect((await row(ids.route)).executor_id).toBe(utilityExecutor);

    // Mark urgent: one button, gone once the card has reloaded with the message urgent.
    const urgent = page.getByRole('button', { name: ru('moderation.mark_urgent'), exact: true });
    await urgent.click();
    await urgent.waitFor({ state: 'detached' });
    expect(await page.locator('dl').textContent()).toContain(ru('moderation.urgent'));
    expect((await row(ids.route)).urgent).toBe(true);
    expect(refused).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('"My queue" shows each message\'s deadline in words: day 11 near, overdue, the working hour, not started', async () => {
    const { page, refused } = await moderator();
    await page.goto(`${harness.url}/console#/queue`);
    await page.reload();
    await page.getByRole('heading', { name: ru('queue.in_work') }).waitFor();
    const rowOf = (id: number) => page.getByRole('row').filter({ has: page.getByRole('link', { name: `${ru('queue.open')} ${id}`, exact: true }) });
    await rowOf(ids.openSource).getByText(ru('deadline.level.near')).first().waitFor();

    const dayEleven = await rowOf(ids.dayEleven).textContent();
    expect(dayEleven).toContain(`${ru('deadline.level.near')}: ${ru('deadline.near', { day: 11, date: '' })}`);
    const overdue = await rowOf(ids.overdue).textContent();
    expect(overdue).toContain(`${ru('deadline.level.over')}: ${ru('deadline.over', { date: '' })}`);
    const fresh = await rowOf(ids.route).textContent();
    expect(fresh).toContain(ru('deadline.due', { day: 2, date: '' }));
    expect(fresh).not.toContain(ru('deadline.level.near'));
    const openSource = await rowOf(ids.openSource).textContent();
    expect(openSource).toContain(`${ru('deadline.level.near')}: ${ru('deadline.hour_due', { time: '' })}`);
    expect(await rowOf(ids.original).textContent()).toContain(ru('deadline.not_started'));
    // The highlight is not colour alone: the near and over states carry their word, and a class for the colour.
    expect(await rowOf(ids.overdue).locator('.deadline-over').count()).toBe(1);
    expect(await page.locator('main').textContent()).not.toContain('Беловская');
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-moderation-queue.png'), fullPage: true });
    expect(await world.seriousViolations(page)).toEqual([]);

    // The card says the same.
    await openCard(page, ids.dayEleven);
    expect(await page.locator('dl').textContent()).toContain(ru('deadline.near', { day: 11, date: '' }));
    expect(refused).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('a Kemerovo moderator cannot see or act on a Belovo message', async () => {
    const { page } = await moderator();
    await page.goto(`${harness.url}/console#/message/${ids.belovo}`);
    await page.reload();
    await page
      .getByRole('status')
      .filter({ hasText: ru('error.not_found') })
      .waitFor();
    expect(await page.locator('main').textContent()).not.toContain('Беловская');
    expect(await page.getByLabel(ru('moderation.category')).count()).toBe(0);
    // Straight at the API with the session's CSRF token: the Belovo message does not exist for this moderator.
    const before = await row(ids.belovo);
    const tries = await page.evaluate(
      async ({ id, dump, executor }) => {
        const session = (await (await fetch('/console/session')).json()) as { csrfToken: string };
        const send = async (path: string, body: unknown) =>
          (await fetch(`/api/v1/messages/${id}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken }, body: JSON.stringify(body) })).status;
        return {
          suggestions: (await fetch(`/api/v1/messages/${id}/suggestions`)).status,
          category: await send('category', { categoryId: dump }),
          executor: await send('executor', { executorId: executor }),
          duplicate: await send('duplicate', { originalId: id }),
          urgent: await send('urgent', {}),
        };
      },
      { id: ids.belovo, dump: await categoryId(db.db, 'ecology.dump'), executor: utilityExecutor },
    );
    expect(tries).toEqual({ suggestions: 404, category: 404, executor: 404, duplicate: 404, urgent: 404 });
    // Nor as the original of a Kemerovo duplicate.
    const asOriginal = await page.evaluate(
      async ({ id, original }) => {
        const session = (await (await fetch('/console/session')).json()) as { csrfToken: string };
        return (
          await fetch(`/api/v1/messages/${id}/duplicate`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
            body: JSON.stringify({ originalId: original }),
          })
        ).status;
      },
      { id: ids.dayEleven, original: ids.belovo },
    );
    expect(asOriginal).toBe(404);
    expect(await row(ids.belovo)).toEqual(before);
    expect((await row(ids.dayEleven)).duplicate_of).toBeNull();
    // A Kemerovo card near nothing in Belovo never offers it as a duplicate.
    await openCard(page, ids.original);
    await page.getByRole('heading', { name: ru('moderation.nearby') }).waitFor();
    expect(await page.locator('main').textContent()).not.toContain('Беловская');
    await page.context().close();
  }, 120_000);

  it("the card shows what a resident's clarification reply brought: its photos counted, its place linked to the map", async () => {
    const { page } = await moderator();
    const residentId = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo, now });
    await db.db
      .insertInto('comment')
      .values({ message_id: ids.dayEleven, author_kind: 'resident', resident_id: residentId, text: '', photos: 2, lat: 55.3612, lon: 86.0877, created_at: now })
      .execute();
    await openCard(page, ids.dayEleven);
    await page.getByText(ru('card.comment_photos', { count: 2 })).waitFor();
    const link = page.getByRole('link', { name: '55.361200, 86.087700' });
    expect(await link.getAttribute('href')).toBe('https://yandex.ru/maps/?pt=86.0877,55.3612&z=17&l=map');
    await page.context().close();
  }, 120_000);
});
