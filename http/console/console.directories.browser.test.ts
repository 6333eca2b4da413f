import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createStaff } from '../../core/access/staff.service.ts';
import { newChat } from '../../test/bots/chats.ts';
import { type BotHarness, TEST_BOT_INFO, TEST_VK_GROUP_ID } from '../../test/bots/harness.ts';
import type { TestDatabase } from '../../test/database.ts';
import { categoryId } from '../../test/residents.ts';
import { operatorId } from '../../test/staff.ts';
import { ARTIFACTS, consoleTestPerFile, navOf, ru, sidewaysOverflow } from '../../test/console-browser.ts';

/**
 * The console's directories in Chromium: an operator issues a messenger link code (the official
 * then links through the bot) and an API key and revokes it, sets and deletes a routing rule,
 * assigns and removes a KPI responsible, reads the working calendar; a curator sees only what the
 * permissions give them, and nothing of Belovo; no serious axe violations; the pages fit a phone.
 */
let db: TestDatabase;
let harness: BotHarness;
const now = new Date('2026-12-01T03:00:00.000Z');
let newcomer = 0;
let belovoModerator = 0;

const world = consoleTestPerFile({ clock: () => now });
beforeAll(async () => {
  ({ db, harness } = world);
  newcomer = (await createStaff(db.db, { fullName: 'Новый модератор (Кемерово)', role: 'moderator', municipalityId: db.demo.municipalities.Kemerovo })).id;
  belovoModerator = (await db.db.selectFrom('staff').select('id').where('full_name', '=', 'Модератор (Белово)').executeTakeFirstOrThrow()).id;
  // A municipality whose boundary nobody has drawn yet.
  await db.db
    .insertInto('municipality')
    .values({
      name_ru: 'Прокопьевский городской округ',
      name_en: 'Prokopyevsk',
      oktmo: '32737000',
      population_over_14: 170_000,
      time_zone: 'Asia/Novokuznetsk',
      boundary: null,
      min_lat: null,
      max_lat: null,
      min_lon: null,
      max_lon: null,
    })
    .execute();
}, 120_000);

const signIn = (staffId: number) => world.signIn(staffId);
const seriousViolations = (page: Page) => world.seriousViolations(page);
const main = (page: Page) => page.locator('main');
const done = (page: Page) =>
  page
    .getByRole('status')
    .filter({ hasText: ru('act.done') })
    .waitFor();
/** Opens a console page by its hash and waits for its heading. */
async function open(page: Page, hash: string, heading: string) {
  await page.goto(`${harness.url}/console#/${hash}`);
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

describe('the directories in Chromium', () => {
  it('an operator sees boundaries and time zones, issues a link code the official links with, and issues and revokes an API key', async () => {
    const operator = await signIn(await operatorId(db.db));
    await operator.getByRole('link', { name: ru('nav.directories') }).click();
    const prokopyevsk = operator.getByRole('row').filter({ hasText: '32737000' });
    await prokopyevsk.waitFor();
    expect(await prokopyevsk.getByRole('cell').allTextContents()).toEqual([expect.any(String), 'Прокопьевский городской округ', '32737000', 'Asia/Novokuznetsk', ru('directories.boundary_missing')]);
    const belovo = await operator.getByRole('row').filter({ hasText: '32707000' }).getByRole('cell').allTextContents();
    expect(belovo.slice(3)).toEqual(['Asia/Novokuznetsk', ru('directories.boundary_set')]);
    expect(await seriousViolations(operator)).toEqual([]);

    // The link code: shown with the command to send the bot; the official's chat then links.
    await operator.getByRole('link', { name: 'Новый модератор (Кемерово)' }).click();
    await operator.getByRole('heading', { name: 'Новый модератор (Кемерово)', level: 1 }).waitFor();
    await operator.getByRole('button', { name: ru('staff_card.issue_code') }).click();
    const command = (await operator.locator('dd code').nth(1).textContent())!;
    const code = (await operator.locator('dd code').first().textContent())!;
    expect(command).toBe(`/start staff_${code}`);
    // A link for each messenger that is on, named by its messenger.
    expect(await operator.locator('dl.secret dt').allTextContents()).toEqual([
      ru('staff_card.code'),
      ru('staff_card.command'),
      ru('staff_card.deep_link_for', { channel: ru('staff_card.channel.tg') }),
      ru('staff_card.deep_link_for', { channel: ru('staff_card.channel.vk') }),
      ru('staff_card.expires'),
    ]);
    expect(await operator.locator('dl.secret dd a').evaluateAll((links) => links.map((a) => (a as unknown as { href: string }).href))).toEqual([
      `https://t.me/${TEST_BOT_INFO.username}?start=staff_${code}`,
      `https://vk.me/club${TEST_VK_GROUP_ID}?ref=staff_${code}`,
    ]);
    const official = newChat(harness, 'tg', 'Новый модератор');
    await official.say(command);
    const linked = await db.db.selectFrom('staff_identity').select(['staff_id', 'channel']).where('external_id', '=', official.externalId).executeTakeFirstOrThrow();
    expect(linked).toEqual({ staff_id: newcomer, channel: 'tg' });
    const audit = await db.db.selectFrom('audit_log').select(['action', 'data']).where('entity', '=', 'staff').where('entity_id', '=', String(newcomer)).execute();
    expect(audit.map((a) => a.action)).toEqual(['staff.link_code']);
    expect(JSON.stringify(audit[0]!.data)).not.toContain(code);

    // An API key: its token shown once, then it works; revoked, it stops working.
    await operator.getByLabel(ru('staff_card.key_label')).fill('ноутбук');
    await operator.getByRole('button', { name: ru('staff_card.issue_key') }).click();
    const shown = operator.getByRole('status').filter({ hasText: ru('staff_card.key_once') });
    await shown.waitFor();
    const token = (await shown.locator('code').textContent())!;
    const key = await db.db.selectFrom('api_key').select(['id', 'prefix', 'label', 'revoked_at', 'kind']).where('staff_id', '=', newcomer).executeTakeFirstOrThrow();
    expect(key).toMatchObject({ label: 'ноутбук', revoked_at: null, kind: 'key' });
    expect(token.startsWith(key.prefix)).toBe(true);
    const me = () => fetch(`${harness.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect((await me()).status).toBe(200);
    const row = operator.getByRole('row').filter({ hasText: 'ноутбук' });
    await row.getByRole('cell', { name: `${key.prefix}…` }).waitFor();
    expect(await seriousViolations(operator)).toEqual([]);
    await operator.screenshot({ path: path.join(ARTIFACTS, 'console-staff-card.png'), fullPage: true });
    // Revoking asks first: kept, nothing happens; confirmed, the key stops working at once.
    await row.getByRole('button', { name: `${ru('staff_card.revoke')} ${key.prefix}` }).click();
    const asked = row.getByRole('group', { name: ru('staff_card.revoke_confirm', { prefix: key.prefix }) });
    await asked.getByRole('button', { name: ru('confirm.keep'), exact: true }).click();
    expect((await me()).status).toBe(200);
    await row.getByRole('button', { name: `${ru('staff_card.revoke')} ${key.prefix}` }).click();
    await asked.getByRole('button', { name: ru('confirm.revoke'), exact: true }).click();
    await row.getByText(ru('staff_card.revoked')).waitFor();
    const revoked = await db.db.selectFrom('api_key').select('revoked_at').where('id', '=', key.id).executeTakeFirstOrThrow();
    expect(revoked.revoked_at).toEqual(now);
    expect((await me()).status).toBe(401);
    // After a reload the token is gone from the page: it was shown once.
    await operator.reload();
    await row.getByText(ru('staff_card.revoked')).waitFor();
    expect(await main(operator).textContent()).not.toContain(token);
    await operator.context().close();
  }, 120_000);

  it('an operator sets and deletes a routing rule and assigns and removes a KPI responsible', async () => {
    const operator = await signIn(await operatorId(db.db));
    await open(operator, 'directories/routing', ru('routing.title'));
    await operator.getByLabel(ru('incidents.municipality')).selectOption(String(db.demo.municipalities.Kemerovo));
    await operator.getByRole('button', { name: ru('routing.show') }).click();
    await operator.getByRole('heading', { name: ru('routing.rules') }).waitFor();
    const pothole = await categoryId(db.db, 'roads.pothole');
    const potholeName = (await db.db.selectFrom('category').select('title_ru').where('id', '=', pothole).executeTakeFirstOrThrow()).title_ru;
    const utility = await db.db.selectFrom('executor').select(['id', 'name']).where('name', '=', 'Управляющая компания «Кемерово-Сервис»').executeTakeFirstOrThrow();
    const rule = () => db.db.selectFrom('routing_rule').select('executor_id').where('municipality_id', '=', db.demo.municipalities.Kemerovo).where('category_id', '=', pothole).executeTakeFirst();
    expect((await rule())?.executor_id).not.toBe(utility.id);

    await operator.getByLabel(ru('routing.category'), { exact: true }).selectOption(String(pothole));
    await operator.getByLabel(ru('routing.executor'), { exact: true }).selectOption(String(utility.id));
    await operator.getByRole('button', { name: ru('routing.save') }).click();
    await done(operator);
    expect(await rule()).toEqual({ executor_id: utility.id });
    const row = operator.getByRole('row').filter({ has: operator.getByRole('cell', { name: potholeName, exact: true }) });
    await row.getByRole('cell', { name: utility.name }).waitFor();
    await row.getByRole('button', { name: `${ru('routing.delete')}: ${potholeName}` }).click();
    // Asked again before it goes.
    await row.getByRole('button', { name: ru('confirm.delete'), exact: true }).click();
    await row.waitFor({ state: 'detached' });
    expect(await rule()).toBeUndefined();

    await operator.getByLabel(ru('routing.kpi'), { exact: true }).selectOption('7');
    await operator.getByLabel(ru('routing.official'), { exact: true }).selectOption(String(world.staff.moderator));
    await operator.getByRole('button', { name: ru('routing.assign_submit') }).click();
    const seven = ru('routing.kpi_named', { kpi: 7, name: 'Доля просроченных сообщений за год' });
    const assigned = operator.getByRole('row').filter({ hasText: seven });
    await assigned.getByRole('cell', { name: 'Модератор (Кемерово)', exact: true }).waitFor();
    const responsible = () => db.db.selectFrom('kpi_responsible').select(['kpi', 'staff_id']).where('municipality_id', '=', db.demo.municipalities.Kemerovo).execute();
    expect(await responsible()).toEqual([{ kpi: 7, staff_id: world.staff.moderator }]);
    expect(await seriousViolations(operator)).toEqual([]);
    await assigned.getByRole('button', { name: `${ru('routing.remove')}: ${seven}, Модератор (Кемерово)` }).click();
    const removing = assigned.getByRole('group', { name: ru('routing.remove_confirm', { kpi: seven, official: 'Модератор (Кемерово)' }) });
    await removing.getByRole('button', { name: ru('confirm.remove'), exact: true }).click();
    await operator.getByText(ru('routing.no_responsibles')).waitFor();
    expect(await responsible()).toEqual([]);
    const actions = await db.db.selectFrom('audit_log').select('action').where('action', 'like', 'routing_rule.%').orderBy('id').execute();
    expect(actions.map((a) => a.action)).toEqual(['routing_rule.set', 'routing_rule.delete']);
    await operator.context().close();
  }, 120_000);

  it("shows the year's working calendar: the production calendar and each municipality's days off", async () => {
    const operator = await signIn(await operatorId(db.db));
    await operator.getByRole('link', { name: ru('nav.directories') }).click();
    await operator.getByRole('link', { name: ru('directories.calendar') }).click();
    await operator.getByLabel(ru('work_calendar.year')).fill('2026');
    await operator.getByRole('button', { name: ru('work_calendar.show') }).click();
    await operator.getByRole('heading', { name: ru('work_calendar.title', { year: 2026 }) }).waitFor();
    const kemerovoSection = operator.getByRole('region', { name: 'Кемеровский городской округ' });
    await kemerovoSection.waitFor();
    expect(await main(operator).textContent()).toContain('№ 1466');
    // January 9, 2026 is a Friday moved off by the decree; the section lists it by date.
    await kemerovoSection.locator('time[datetime="2026-01-09"]').waitFor();
    expect(await kemerovoSection.locator('time[datetime="2026-01-09"]').textContent()).toMatch(/9 января/);
    expect(await kemerovoSection.textContent()).toContain(ru('work_calendar.summary', { days: 247, zone: 'Asia/Novokuznetsk' }));
    expect(await kemerovoSection.locator('dd').first().locator('li').count()).toBe(14);
    // A year with no production calendar says so.
    await operator.getByLabel(ru('work_calendar.year')).fill('2040');
    await operator.getByRole('button', { name: ru('work_calendar.show') }).click();
    await operator.getByText(ru('work_calendar.no_national')).waitFor();
    expect(await seriousViolations(operator)).toEqual([]);
    await operator.context().close();
  }, 120_000);

  it('a Kemerovo curator issues link codes but no keys, manages only Kemerovo, and sees nothing of Belovo', async () => {
    const curator = await signIn(world.staff.curator);
    expect(await navOf(curator)).toContain(ru('nav.directories'));
    await curator.getByRole('link', { name: ru('nav.directories') }).click();
    await curator.getByRole('heading', { name: ru('directories.staff') }).waitFor();
    const text = (await main(curator).textContent())!;
    expect(text).toContain('Новый модератор (Кемерово)');
    expect(text).not.toContain('(Белово)');
    expect(text).not.toContain('Беловский');

    await curator.getByRole('link', { name: 'Модератор (Кемерово)', exact: true }).click();
    await curator.getByRole('heading', { name: ru('staff_card.link_code') }).waitFor();
    expect(await curator.getByRole('heading', { name: ru('staff_card.keys') }).count()).toBe(0);
    await curator.getByRole('button', { name: ru('staff_card.issue_code') }).click();
    expect(await curator.locator('dd code').nth(1).textContent()).toMatch(/^\/start staff_/);
    // A Belovo official's card does not open.
    await curator.goto(`${harness.url}/console#/staff/${belovoModerator}`);
    await curator
      .getByRole('status')
      .filter({ hasText: ru('error.not_found') })
      .waitFor();
    expect(await main(curator).textContent()).not.toContain('Модератор (Белово)');

    // Routing: only Kemerovo (no municipality to choose), with the forms curators may use.
    await open(curator, 'directories/routing', ru('routing.title'));
    await curator.getByRole('heading', { name: ru('routing.rules') }).waitFor();
    expect(await curator.getByLabel(ru('incidents.municipality')).count()).toBe(0);
    await curator.getByRole('button', { name: ru('routing.save') }).waitFor();
    const options = await curator.getByLabel(ru('routing.official'), { exact: true }).locator('option').allTextContents();
    expect(options.length).toBeGreaterThan(0);
    expect(options.every((o) => o.includes('(Кемерово)'))).toBe(true);
    const executors = await curator.getByLabel(ru('routing.executor'), { exact: true }).locator('option').allTextContents();
    expect(executors.some((o) => o.includes('Белово') || o.includes('Беловский'))).toBe(false);
    expect(await seriousViolations(curator)).toEqual([]);

    // The calendar: Kemerovo only.
    await open(curator, 'directories/calendar', ru('work_calendar.title', { year: new Date().getFullYear() }));
    await curator.getByRole('region', { name: 'Кемеровский городской округ' }).waitFor();
    expect(await curator.getByRole('region').count()).toBe(1);

    // On a phone the directories' pages fit the screen's width.
    await curator.setViewportSize({ width: 390, height: 844 });
    for (const hash of ['#/directories', `#/staff/${world.staff.moderator}`, '#/directories/routing', '#/directories/calendar']) {
      await curator.goto(`${harness.url}/console${hash}`);
      await curator.getByRole('heading', { level: 1 }).waitFor();
      await curator.waitForLoadState('networkidle');
      expect(await sidewaysOverflow(curator), hash).toBeLessThanOrEqual(0);
    }
    await curator.screenshot({ path: path.join(ARTIFACTS, 'console-directories-phone.png'), fullPage: true });
    await curator.context().close();
  }, 120_000);

  it('a moderator, who has no directories page, does not get it by its address', async () => {
    const moderator = await signIn(world.staff.moderator);
    expect(await navOf(moderator)).not.toContain(ru('nav.directories'));
    await moderator.goto(`${harness.url}/console#/directories/routing`);
    await moderator.getByRole('heading', { name: ru('queue.title.moderator') }).waitFor();
    expect(await moderator.getByRole('heading', { name: ru('routing.title') }).count()).toBe(0);
    await moderator.context().close();
  }, 60_000);
});
