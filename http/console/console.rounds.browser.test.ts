import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announce } from '../../core/broadcasts/broadcasts.ts';
import { type ConsoleTest, ru, startConsoleTest } from '../../test/console-browser.ts';
import { demoStaff } from '../../test/staff.ts';

/**
 * What a curator's and a moderator's round of the console found: table headers, states and
 * buttons broken inside a word when a long column squeezed the table («Заверши ть»).
 */
// Code passed to page.evaluate runs in the page; these stand for its globals (no DOM lib here).
declare const document: {
  querySelectorAll(selector: string): Iterable<unknown>;
  createTreeWalker(root: unknown, what: number): { nextNode(): { data: string } | null };
  createRange(): { setStart(node: unknown, at: number): void; setEnd(node: unknown, at: number): void; getClientRects(): { length: number } };
};

const now = new Date('2026-12-01T03:00:00.000Z');
let world: ConsoleTest;
let staff: Awaited<ReturnType<typeof demoStaff>>;
let kemerovo: number;

beforeAll(async () => {
  world = await startConsoleTest({ clock: () => now });
  kemerovo = world.db.demo.municipalities.Kemerovo;
  staff = await demoStaff(world.db.db, kemerovo);
}, 120_000);
afterAll(() => world?.close());

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
    await announce(world.db.db, { audience: { municipalityId: kemerovo, topic: 'contests' }, message: { key: 'contests.announced' }, source: 'contest:1' });
    const curator = await world.signIn(staff.curator);
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
  }, 90_000);
});
