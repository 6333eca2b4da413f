import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotPeriod } from '../../core/kpi/snapshots.ts';
import { reopenMessage } from '../../core/messages/moderation.service.ts';
import { getMunicipality } from '../../core/municipalities/municipality.repository.ts';
import { consoleTestPerFile, ru } from '../../test/console-browser.ts';
import { solvedMessage } from '../../test/staff.ts';

/**
 * The KPI page of an ended month shows its snapshot (the official figure) and when it was taken; a
 * message reopened after the month ended marks the indicators whose data now differ, with the value
 * they give now; a curator recomputes the snapshot from the page, a moderator is told whom to ask.
 */
const now = new Date('2026-12-01T03:00:00.000Z');

const world = consoleTestPerFile({ clock: () => now });
beforeAll(async () => {
  const db = world.db.db;
  // Solved on 18 November, frozen with the month on 1 December, put back in work the same morning.
  const closed = await solvedMessage(db, { municipalityId: world.kemerovo, acceptedAt: new Date('2026-11-16T04:00:00Z'), solvedAt: new Date('2026-11-18T04:00:00Z') });
  await snapshotPeriod(db, await getMunicipality(db, world.kemerovo), '2026-11', now);
  await reopenMessage(db, { messageId: closed, actor: { kind: 'staff', staffId: world.staff.curator }, reason: 'Яма осталась' }, now);
}, 120_000);

async function november(staffId: number): Promise<Page> {
  const page = await world.signIn(staffId);
  await page.clock.setFixedTime(now);
  await page.goto(`${world.harness.url}/console#/kpi`);
  await page.getByRole('table', { name: ru('kpi.indicators', { period: 'декабрь 2026' }) }).waitFor();
  await page.getByLabel(ru('kpi.period'), { exact: true }).fill('2026-11');
  await page.getByRole('button', { name: ru('kpi.show'), exact: true }).click();
  await page.getByRole('table', { name: ru('kpi.indicators', { period: 'ноябрь 2026' }) }).waitFor();
  return page;
}

const row = (page: Page, kpi: number) =>
  page
    .getByRole('table', { name: ru('kpi.indicators', { period: 'ноябрь 2026' }) })
    .locator('tbody tr')
    .nth(kpi - 1);

describe('the KPI page of an ended month', () => {
  it('a moderator sees the snapshot, its time, the indicator whose data changed with its value now, and whom to ask', async () => {
    const page = await november(world.staff.moderator);
    // The snapshot's time in Kuzbass time (10:00 on 1 December), as the browser's ICU writes the date.
    const note = await page.locator('.snapshot-note p.hint').first().textContent();
    expect(note).toContain(ru('kpi.snapshot', { at: '' }).split('  ')[0]!.trim());
    expect(note).toMatch(/1 декабря 2026.*10:00/);
    const differs = page.locator('.snapshot-note p.overdue');
    expect(await differs.textContent()).toContain('№ 6');
    expect(await row(page, 6).locator('td').nth(2).textContent()).toContain(ru('kpi.live_now', { value: '' }).trim());
    expect(await row(page, 4).locator('td').nth(2).textContent()).not.toContain(ru('kpi.live_now', { value: '' }).trim());
    expect(await page.getByRole('button', { name: ru('kpi.recompute') }).count()).toBe(0);
    expect(await page.getByText(ru('kpi.recompute_ask')).count()).toBe(1);
    // The monthly report and the municipalities' ranking of the month: frozen with the KPIs, said so, with when.
    const frozen = page.locator('.monthly-report .report-frozen p.hint');
    await frozen.first().waitFor();
    expect(await frozen.first().textContent()).toMatch(/^Месяц завершён: отчёт зафиксирован 1 декабря 2026.*10:00/);
    // The file's own row: the data have changed since (the message reopened).
    expect(await frozen.nth(1).textContent()).toBe('Данные с тех пор изменились: Да');
    // The open-source summary of the month: frozen with it too.
    const sources = page.locator('.open-sources-summary .report-frozen p.hint');
    await sources.first().waitFor();
    expect(await sources.first().textContent()).toMatch(/^Месяц завершён: отчёт зафиксирован 1 декабря 2026.*10:00/);
    const ranking = page.locator('.rating-frozen');
    await ranking.first().waitFor();
    expect(await ranking.last().locator('p.hint').textContent()).toMatch(/^Рейтинг завершённого месяца зафиксирован 1 декабря 2026.*10:00/);
    expect(await ranking.last().locator('p.overdue').textContent()).toBe(ru('kpi.report_changed'));
    await page.close();
  }, 120_000);

  it('the running month: the report and the rankings are live, no frozen note', async () => {
    const page = await world.signIn(world.staff.moderator);
    await page.clock.setFixedTime(now);
    await page.goto(`${world.harness.url}/console#/kpi`);
    await page.getByRole('table', { name: ru('kpi.indicators', { period: 'декабрь 2026' }) }).waitFor();
    await page.locator('.monthly-report p.hint').first().waitFor();
    await page.locator('.municipalities-rating').waitFor();
    expect(await page.locator('.report-frozen, .rating-frozen').count()).toBe(0);
    await page.close();
  }, 120_000);

  it("a curator recomputes it from the page: the note of changed data goes, the snapshot's time stays shown", async () => {
    const page = await november(world.staff.curator);
    await page.getByRole('button', { name: ru('kpi.recompute') }).click();
    await page.getByText(ru('act.done')).waitFor();
    await page.locator('.snapshot-note p.overdue').waitFor({ state: 'detached' });
    expect(await row(page, 6).locator('td').nth(2).textContent()).not.toContain(ru('kpi.live_now', { value: '' }).trim());
    expect(await page.locator('.snapshot-note p.hint').count()).toBe(1);
    await page.close();
  }, 120_000);
});
