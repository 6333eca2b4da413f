import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTranslator } from '../../bots/i18n.ts';
import { dismissIncident, intakeIncident } from '../../core/incidents/incidents.service.ts';
import { ARTIFACTS, consoleTestPerFile, en, ru, sidewaysOverflow, toEnglish } from '../../test/console-browser.ts';
import { messageInWork, operatorId, solvedMessage } from '../../test/staff.ts';

/**
 * The monthly report and the region's open-source summary were files only: a curator had to
 * download an XLSX or a CSV to see a single number. The KPI page now shows them, part by part under
 * the files' own labels, the key numbers first, with the downloads kept; an empty month says so.
 */
const now = new Date('2026-12-01T03:00:00.000Z');
const translate = createTranslator();
const report = (lang: 'ru' | 'en', key: string) => translate(lang, `report.${key}`);
let kemerovoName: string;

const world = consoleTestPerFile({ clock: () => now });
beforeAll(async () => {
  const db = world.db.db;
  kemerovoName = (await db.selectFrom('municipality').select('name_ru').where('id', '=', world.kemerovo).executeTakeFirstOrThrow()).name_ru;
  // November: three messages in work, one of them open-source, one closed as solved.
  await messageInWork(db, { municipalityId: world.kemerovo, acceptedAt: new Date('2026-11-10T04:00:00Z') });
  await messageInWork(db, { municipalityId: world.kemerovo, acceptedAt: new Date('2026-11-12T04:00:00Z'), flags: { openSource: true } });
  await solvedMessage(db, { municipalityId: world.kemerovo, acceptedAt: new Date('2026-11-16T04:00:00Z'), solvedAt: new Date('2026-11-18T04:00:00Z') });
}, 120_000);

async function signInAtNow(staffId: number): Promise<Page> {
  const page = await world.signIn(staffId);
  await page.clock.setFixedTime(now);
  return page;
}

/** The months these tests show, as the page names them. */
const MONTH_NAMES: Record<'ru' | 'en', Record<string, string>> = {
  ru: { '2026-09': 'сентябрь 2026', '2026-11': 'ноябрь 2026', '2026-12': 'декабрь 2026' },
  en: { '2026-09': 'September 2026', '2026-11': 'November 2026', '2026-12': 'December 2026' },
};

async function showMonth(page: Page, month: string, lang: 'ru' | 'en' = 'ru') {
  const say = lang === 'ru' ? ru : en;
  // The page opens at the running month: the form is filled once it is there.
  await page.getByRole('table', { name: say('kpi.indicators', { period: MONTH_NAMES[lang]['2026-12'] }) }).waitFor();
  await page.getByLabel(say('kpi.period'), { exact: true }).fill(month);
  await page.getByRole('button', { name: say('kpi.show'), exact: true }).click();
  await page.getByRole('table', { name: say('kpi.indicators', { period: MONTH_NAMES[lang][month] }) }).waitFor();
}

/** A part's table on the page as label → shown text. */
async function partOf(page: Page, part: string): Promise<Map<string, string>> {
  const table = page.locator('.monthly-report').getByRole('table', { name: part, exact: true });
  await table.waitFor();
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')?.textContent ?? '', tr.querySelector('td')?.textContent ?? '']));
  return new Map(rows as [string, string][]);
}

/** A table's row by its header cell, exactly: its cells. */
async function rowOf(table: ReturnType<Page['locator']>, label: string): Promise<string[]> {
  const rows = (await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')))) as string[][];
  return rows.find((r) => r[0] === label)!.slice(1);
}

/** What the page shows as the number it is: "25 %" → 0.25, "1,5" → 1.5, "—" → null. */
function shown(text: string): number | null {
  if (text === '—') return null;
  const plain = text.replace(/\s/g, '').replace(',', '.');
  return plain.endsWith('%') ? Number(plain.slice(0, -1)) / 100 : Number(plain);
}

/** A CSV section as label → value (the file's first column names the part). */
function sectionOf(csv: string, part: string): Map<string, string> {
  const lines = parse(csv.replace(/^\uFEFF/, ''), { relaxColumnCount: true }) as string[][];
  return new Map(lines.filter((l) => l[0] === part).map((l) => [l[1]!, l[2]!]));
}

/** The page's part holds the file's rows, label for label, and the same figures (a share to its tenth of a percent, a median to its tenth). */
function expectSameFigures(page: Map<string, string>, file: Map<string, string>) {
  expect([...page.keys()]).toEqual([...file.keys()]);
  for (const [label, text] of page) {
    const value = file.get(label);
    expect(value, label).toBeDefined();
    const expected = value === '' ? null : Number(value);
    const actual = shown(text);
    if (expected === null) expect(actual, label).toBeNull();
    else expect(Math.abs(actual! - expected), `${label}: ${text} vs ${value}`).toBeLessThan(0.051);
  }
}

describe('the monthly report on the KPI page', () => {
  it('a curator reads the month they chose: key numbers and every part of the file, the same figures as the CSV, the downloads kept', async () => {
    const curator = await signInAtNow(world.staff.curator);
    await curator.goto(`${world.harness.url}/console#/kpi`);
    await showMonth(curator, '2026-11');
    const section = curator.locator('.monthly-report');
    await section.getByRole('heading', { name: `${ru('kpi.report')}: ${kemerovoName}, ноябрь 2026`, exact: true }).waitFor();
    // As of the month's end in Kuzbass time (not the UTC evening of the 30th).
    expect(await section.locator('.hint').first().textContent()).toContain('1 декабря 2026');
    expect(await section.locator('.report-empty').count()).toBe(0);

    // The key numbers: three messages filed, accepted; one closed.
    const key = section.getByRole('definition');
    const terms = await section.getByRole('term').allTextContents();
    expect(terms[0]).toBe(report('ru', 'labels.messages'));
    expect((await key.allTextContents()).slice(0, 2)).toEqual(['3', '3']);

    // The downloads are still there, and the CSV they give holds what the page shows.
    const csvLink = section.getByRole('link', { name: ru('kpi.download_csv'), exact: true });
    expect(await csvLink.getAttribute('href')).toBe(`/api/v1/reports/monthly?municipalityId=${world.kemerovo}&period=2026-11&format=csv&lang=ru`);
    expect(await section.getByRole('link', { name: ru('kpi.download_xlsx'), exact: true }).getAttribute('href')).toBe(
      `/api/v1/reports/monthly?municipalityId=${world.kemerovo}&period=2026-11&format=xlsx&lang=ru`,
    );
    const csv = await (await curator.context().request.get(`${world.harness.url}${await csvLink.getAttribute('href')}`)).text();
    for (const part of ['Timeliness', 'Quality', 'OpenSource']) {
      expectSameFigures(await partOf(curator, report('ru', `parts.${part}`)), sectionOf(csv, report('ru', `parts.${part}`)));
    }
    const timeliness = await partOf(curator, report('ru', 'parts.Timeliness'));
    expect(timeliness.get(report('ru', 'labels.messages'))).toBe('3');
    expect((await partOf(curator, report('ru', 'parts.OpenSource'))).get(report('ru', 'labels.messages'))).toBe('1');
    // Dynamics: the category's row (its sector heading it, as in the file), three this month against none before.
    const dynamics = section.getByRole('table', { name: report('ru', 'parts.Dynamics'), exact: true });
    const rows = await dynamics.locator('tbody tr').allTextContents();
    expect(rows).toHaveLength(1);
    expect(await dynamics.locator('tbody tr th').textContent()).toBe('Дороги');
    expect(await dynamics.locator('tbody tr td').nth(0).textContent()).toMatch(/Ям/);
    expect(await dynamics.locator('tbody tr td').nth(1).textContent()).toBe('3');
    // The row is the file's, less the ids and the English names: the same cells, the same order.
    const fileRow = (parse(csv.replace(/^\uFEFF/, ''), { relaxColumnCount: true }) as string[][]).find((l) => l[0] === report('ru', 'parts.Dynamics'))!;
    const pageRow = (await dynamics.locator('tbody tr').first().locator('th, td').allTextContents()).map((text, i) => (i < 2 ? text : String(shown(text) ?? '')));
    expect(pageRow).toEqual([fileRow[2], fileRow[5], ...fileRow.slice(7)]);
    const sources = section.getByRole('table', { name: report('ru', 'parts.OpenSourceDynamics'), exact: true });
    expect(await sources.locator('tbody tr th').last().textContent()).toBe(report('ru', 'values.all'));

    await section.screenshot({ path: path.join(ARTIFACTS, 'console-monthly-report.png') });
    expect(await world.seriousViolations(curator)).toEqual([]);

    // In English, under the English file's labels.
    await toEnglish(curator);
    await curator
      .locator('.monthly-report')
      .getByRole('table', { name: report('en', 'parts.Timeliness'), exact: true })
      .waitFor();
    expect((await partOf(curator, report('en', 'parts.Quality'))).has(report('en', 'labels.average_stars'))).toBe(true);
    await curator.context().close();
  }, 180_000);

  it('an empty month says so: zeros and dashes, an empty dynamics table, no error', async () => {
    const curator = await signInAtNow(world.staff.curator);
    await curator.goto(`${world.harness.url}/console#/kpi`);
    await showMonth(curator, '2026-09');
    const section = curator.locator('.monthly-report');
    await section.getByText(ru('kpi.report_empty'), { exact: true }).waitFor();
    const timeliness = await partOf(curator, report('ru', 'parts.Timeliness'));
    expect(timeliness.get(report('ru', 'labels.messages'))).toBe('0');
    expect(timeliness.get(report('ru', 'labels.overdue_share'))).toBe('—');
    const dynamics = section.getByRole('table', { name: report('ru', 'parts.Dynamics'), exact: true });
    expect(await dynamics.locator('tbody tr').allTextContents()).toEqual([ru('queue.empty')]);
    expect(await curator.locator('[role="alert"]').count()).toBe(0);
    await curator.context().close();
  }, 120_000);
});

describe('the open-source summary on the KPI page', () => {
  it("a curator sees their municipality's column; an operator every municipality and the region's total", async () => {
    const db = world.db.db;
    const towns = await db.selectFrom('municipality').select('name_ru').execute();
    const curator = await signInAtNow(world.staff.curator);
    await curator.goto(`${world.harness.url}/console#/kpi`);
    await showMonth(curator, '2026-11');
    const own = curator.locator('.open-sources-summary table');
    await own.waitFor();
    expect(await own.locator('thead th').allTextContents()).toEqual([report('ru', 'labels.metric'), kemerovoName]);
    expect(await rowOf(own, report('ru', 'labels.messages'))).toEqual(['1']);
    await curator.context().close();

    const operator = await signInAtNow(await operatorId(db));
    await operator.goto(`${world.harness.url}/console#/kpi`);
    // The page opens at the running month: the form is filled once its summary is there.
    await operator.locator('.open-sources-summary caption', { hasText: 'декабрь 2026' }).waitFor();
    await operator.getByLabel(ru('kpi.period'), { exact: true }).fill('2026-11');
    await operator.getByRole('button', { name: ru('kpi.show'), exact: true }).click();
    await operator.locator('.open-sources-summary caption', { hasText: 'ноябрь 2026' }).waitFor();
    const region = operator.locator('.open-sources-summary table');
    await region.getByRole('columnheader', { name: ru('kpi.total'), exact: true }).waitFor();
    const header = await region.locator('thead th').allTextContents();
    expect(header.slice(1, -1).sort()).toEqual(towns.map((m) => m.name_ru).sort());
    const messages = await rowOf(region, report('ru', 'labels.messages'));
    expect(messages.at(-1)).toBe('1');
    expect(messages[header.indexOf(kemerovoName) - 1]).toBe('1');
    // The files are still offered.
    expect(await operator.getByRole('link', { name: `${ru('kpi.open_sources')} (${ru('kpi.open_sources_region')}): ${ru('kpi.download_csv')}`, exact: true }).getAttribute('href')).toBe(
      '/api/v1/reports/open-sources?period=2026-11&format=csv&lang=ru',
    );
    await operator.context().close();
  }, 120_000);
});

describe('the monthly report on a phone', () => {
  it('the key numbers and the parts fit a 390 px screen with no sideways scrolling of the page', async () => {
    const curator = await world.signIn(world.staff.curator, { width: 390, height: 844 });
    await curator.clock.setFixedTime(now);
    await curator.goto(`${world.harness.url}/console#/kpi`);
    await showMonth(curator, '2026-11');
    await curator.locator('.monthly-report dl.report-key').waitFor();
    await partOf(curator, report('ru', 'parts.OpenSource'));
    await curator.locator('.open-sources-summary table').waitFor();
    expect(await sidewaysOverflow(curator)).toBe(0);
    await curator.context().close();
  }, 120_000);
});

describe("refusals a curator met on the KPI and triage pages, in the console's language", () => {
  it("a month not begun yet and an item another curator triaged meanwhile are said in Russian, not in the API's English", async () => {
    const db = world.db.db;
    const curator = await signInAtNow(world.staff.curator);
    await curator.goto(`${world.harness.url}/console#/kpi`);
    await showMonthOnly(curator, '2027-01');
    await curator
      .getByRole('status')
      .filter({ hasText: ru('error.code.PERIOD_NOT_STARTED') })
      .waitFor();
    expect(await curator.getByRole('status').textContent()).toBe(ru('error.generic', { detail: ru('error.code.PERIOD_NOT_STARTED') }));

    const { incident } = await intakeIncident(
      db,
      { municipalityId: world.kemerovo, source: 'web', sourceUrl: 'https://news.example.org/kemerovo/42', text: 'Не убран снег во дворе', postedAt: now },
      now,
    );
    await curator.goto(`${world.harness.url}/console#/incident/${incident.id}`);
    await curator.getByRole('button', { name: ru('incidents.accept'), exact: true }).waitFor();
    // Another curator dismisses it while the card is open.
    await dismissIncident(db, { municipalityId: world.kemerovo, executorId: null }, { incidentId: incident.id, reason: 'Не наша тема', actor: { kind: 'staff', staffId: world.staff.moderator } }, now);
    await curator.getByLabel(ru('incidents.category'), { exact: true }).selectOption({ index: 1 });
    await curator.getByRole('button', { name: ru('incidents.accept'), exact: true }).click();
    await curator
      .getByRole('status')
      .filter({ hasText: ru('error.code.INCIDENT_NOT_NEW') })
      .waitFor();
    await curator.context().close();
  }, 120_000);
});

/** Types a month and shows it, with nothing to wait for (a refused month has no table). */
async function showMonthOnly(page: Page, month: string) {
  await page.getByRole('table', { name: ru('kpi.indicators', { period: 'декабрь 2026' }) }).waitFor();
  await page.getByLabel(ru('kpi.period'), { exact: true }).fill(month);
  await page.getByRole('button', { name: ru('kpi.show'), exact: true }).click();
}
