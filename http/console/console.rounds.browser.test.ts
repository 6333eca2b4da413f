import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { announce } from '../../core/broadcasts/broadcasts.ts';
import { createContest } from '../../core/contests/contests.ts';
import { intakeIncident } from '../../core/incidents/incidents.service.ts';
import { consoleTestPerFile, ru, sidewaysOverflow } from '../../test/console-browser.ts';
import { categoryId, KEMEROVO_CENTER } from '../../test/residents.ts';
import { messageInWork, operatorId } from '../../test/staff.ts';

/**
 * What a curator's and a moderator's round of the console found: table headers, states and
 * buttons broken inside a word when a long column squeezed the table («Заверши ть»), and an
 * incident accepted into work under the first category of a flat list mixing every sector
 * (heating for a pothole) when the rules suggested none, and mailings listed by the API's codes
 * («contest:1», «broadcast.official»).
 */
// Code passed to page.evaluate runs in the page; these stand for its globals (no DOM lib here).
declare const document: {
  querySelectorAll(selector: string): Iterable<unknown>;
  createTreeWalker(root: unknown, what: number): { nextNode(): { data: string } | null };
  createRange(): { setStart(node: unknown, at: number): void; setEnd(node: unknown, at: number): void; getClientRects(): { length: number } };
};

const now = new Date('2026-12-01T03:00:00.000Z');

const world = consoleTestPerFile({ clock: () => now });

/** The words of the page's table headers, state cells and buttons in cells that are broken over two lines. */
const brokenWords = (page: Page) =>
  page.evaluate(() => {
    const broken: string[] = [];
    for (const cell of document.querySelectorAll('main th, main td.state, main td button')) {
      const walker = document.createTreeWalker(cell, 4);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const word of node.data.matchAll(/\S+/g)) {
          const range = document.createRange();
          range.setStart(node, word.index);
          range.setEnd(node, word.index + word[0].length);
          if (range.getClientRects().length > 1) broken.push(word[0]);
        }
      }
    }
    return broken;
  });

describe("a curator's and a moderator's round", () => {
  it('table headers, states and buttons keep their words whole when a long column squeezes the table', async () => {
    // A live mailing announced by a contest: a long audience, a state, a cancel button.
    await announce(world.db.db, { audience: { municipalityId: world.kemerovo, topic: 'contests' }, message: { key: 'contests.announced' }, source: 'contest:1' });
    const curator = await world.signIn(world.staff.curator);
    const pages: [string, string][] = [
      ['#/sessions', ru('sessions.title')],
      ['#/kpi', ru('kpi.rating')],
      ['#/broadcasts', ru('broadcasts.list')],
    ];
    for (const [hash, heading] of pages) {
      await curator.goto(`${world.harness.url}/console${hash}`);
      await curator.getByRole('heading', { name: heading, exact: true }).waitFor();
      await curator.locator('main table tbody tr').first().waitFor();
      expect(await brokenWords(curator), hash).toEqual([]);
    }
    await curator.context().close();
    // On a phone the same tables still fit the screen (an operator's sessions have one column more).
    const operator = await world.signIn(await operatorId(world.db.db), { width: 390, height: 844 });
    for (const [hash, heading] of [...pages.slice(1), ['#/sessions', ru('sessions.title_all')]]) {
      await operator.goto(`${world.harness.url}/console${hash}`);
      await operator.getByRole('heading', { name: heading, exact: true }).waitFor();
      await operator.locator('main table tbody tr').first().waitFor();
      expect(await sidewaysOverflow(operator), hash).toBe(0);
    }
    await operator.context().close();
  }, 90_000);

  it('an incident the rules suggest no category for starts at "—", grouped by sector, and is refused until one is chosen', async () => {
    const db = world.db.db;
    const { incident } = await intakeIncident(
      db,
      { municipalityId: world.kemerovo, source: 'vk_page', sourceUrl: 'https://vk.com/wall-1_301', authorName: 'Житель', text: 'Яма во дворе на Весенней', postedAt: now, point: KEMEROVO_CENTER },
      now,
    );
    const curator = await world.signIn(world.staff.curator);
    await curator.goto(`${world.harness.url}/console#/incident/${incident.id}`);
    const category = curator.getByLabel(ru('incidents.category'), { exact: true });
    await category.locator('optgroup').first().waitFor({ state: 'attached' });
    expect(await category.inputValue()).toBe('');
    const pothole = await categoryId(db, 'roads.pothole');
    // The pothole is among the roads, not between heating and a bus schedule.
    expect(await category.locator(`option[value="${pothole}"]`).evaluate((o) => (o as unknown as { parentElement: { label: string } }).parentElement.label)).toBe('Дороги');
    await curator.getByRole('button', { name: ru('incidents.accept') }).click();
    expect(await category.evaluate((el) => (el as unknown as { validationMessage: string }).validationMessage)).toBe(ru('incidents.category_required'));
    expect((await db.selectFrom('incident').select('state').where('id', '=', incident.id).executeTakeFirstOrThrow()).state).toBe('new');

    await category.selectOption(String(pothole));
    await curator.getByRole('button', { name: ru('incidents.accept') }).click();
    await curator.getByText(ru('act.done')).waitFor();
    const accepted = await db.selectFrom('incident').select(['state', 'message_id']).where('id', '=', incident.id).executeTakeFirstOrThrow();
    expect(accepted.state).toBe('accepted');
    const message = await db.selectFrom('message').select('category_id').where('id', '=', accepted.message_id!).executeTakeFirstOrThrow();
    expect(message.category_id).toBe(pothole);
    await curator.context().close();
  }, 60_000);

  it("a mailing says what it announces (the contest, linked to its card) or that it is an official one, not the API's codes", async () => {
    const db = world.db.db;
    const contest = await createContest(db, { municipalityId: world.kemerovo, createdByStaffId: null, title: 'Снежная крепость' }, now);
    await announce(db, { audience: { municipalityId: world.kemerovo, topic: 'contests' }, message: { key: 'contests.announced' }, source: `contest:${contest.id}` });
    await announce(db, {
      audience: { municipalityId: world.kemerovo, topic: 'news' },
      message: { key: 'broadcast.official', params: { text: 'Отключат воду' } },
      kind: 'broadcast.official',
      createdByStaffId: world.staff.curator,
    });
    const curator = await world.signIn(world.staff.curator);
    await curator.getByRole('link', { name: ru('nav.broadcasts'), exact: true }).click();
    await curator.getByRole('heading', { name: ru('broadcasts.list'), exact: true }).waitFor();
    await curator.getByText(ru('broadcasts.official'), { exact: true }).waitFor();
    // And what it says (the API's current version of it).
    await curator.getByText('Отключат воду', { exact: true }).waitFor();
    const table = await curator.locator('main table').textContent();
    expect(table).not.toMatch(/contest:|broadcast\.official/);
    await curator
      .getByRole('link', { name: ru('broadcasts.sources.contest', { id: contest.id }), exact: true })
      .first()
      .click();
    await curator.getByRole('heading', { name: 'Снежная крепость' }).waitFor();
    await curator.context().close();
  }, 60_000);

  it("an executor's queue starts with the message nearest its deadline, not behind «more»", async () => {
    const db = world.db.db;
    const day = 86_400_000;
    // The oldest (day 12 of 14), then 25 accepted later: more than the API's page of 25.
    const oldest = await messageInWork(db, { municipalityId: world.kemerovo, acceptedAt: new Date(now.getTime() - 12 * day) });
    for (let i = 25; i >= 1; i--) await messageInWork(db, { municipalityId: world.kemerovo, acceptedAt: new Date(now.getTime() - i * 3_600_000) });
    const executor = await world.signIn(world.staff.executor);
    const rows = executor.locator('main table tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(25);
    await rows
      .first()
      .getByRole('link', { name: `${ru('queue.open')} ${oldest}`, exact: true })
      .waitFor();
    await rows.first().getByText(ru('deadline.level.near'), { exact: false }).waitFor();
    await executor.context().close();
  }, 90_000);
});
