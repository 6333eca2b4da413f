import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, consoleTestPerFile, en, navOf, ru, toEnglish } from '../../test/console-browser.ts';
import { messageInWork, operatorId } from '../../test/staff.ts';

/**
 * Admin API routes the console had no view of: the cron jobs' runs (operators), the
 * municipalities' ranking beside the executors' rating, dead outbox rows named by their raw
 * `kind`, and a curator's audit log showing operators as «№ id» (a curator's staff list is their
 * municipality's staff only; the audit log now names each entry's actor itself).
 */
// Code passed to page.evaluate runs in the page; this stands for its global (no DOM lib here).
declare const document: {
  querySelectorAll(selector: string): Iterable<unknown>;
  createRange(): { selectNodeContents(node: unknown): void; getClientRects(): { length: number } };
};

const now = new Date('2026-12-01T03:00:00.000Z');

/** A console page whose browser runs on the server's clock (the KPI page starts at its running month). */
async function signInAtNow(staffId: number): Promise<Page> {
  const page = await world.signIn(staffId);
  await page.clock.setFixedTime(now);
  return page;
}

const world = consoleTestPerFile({ clock: () => now });

describe("the cron jobs' runs", () => {
  it('an operator reads each run: its job by name, start, end, duration, outcome with the error, counts; filters and pages on', async () => {
    const db = world.db.db;
    const at = (ms: number) => new Date(now.getTime() + ms);
    // 55 older quiet runs: past the page of 50.
    await db
      .insertInto('job_run')
      .values(
        Array.from({ length: 55 }, (_, i) => ({
          job: 'polls',
          instance: 'app-1',
          started_at: at(-86_400_000 + i * 60_000),
          finished_at: at(-86_400_000 + i * 60_000 + 40),
          outcome: 'ok' as const,
          counts: '{}',
          error: null,
        })),
      )
      .execute();
    await db
      .insertInto('job_run')
      .values([
        { job: 'overdue-alerts', instance: 'app-1', started_at: at(-600_000), finished_at: at(-510_000), outcome: 'ok', counts: JSON.stringify({ alerts: 3 }), error: null },
        { job: 'kpi-snapshots', instance: 'app-2', started_at: at(-300_000), finished_at: at(-297_500), outcome: 'error', counts: '{}', error: 'connection terminated unexpectedly' },
        { job: 'retired-job', instance: null, started_at: at(-200_000), finished_at: at(-199_880), outcome: 'skipped', counts: '{}', error: null },
        { job: 'daily-digest', instance: 'app-1', started_at: at(-100_000), finished_at: null, outcome: 'running', counts: '{}', error: null },
      ])
      .execute();

    const operator = await world.signIn(await operatorId(db));
    expect(await navOf(operator)).toContain(ru('nav.jobs'));
    await operator.getByRole('link', { name: ru('nav.jobs'), exact: true }).click();
    await operator.getByRole('heading', { name: ru('jobs.title'), exact: true }).waitFor();
    const row = (job: string) => operator.getByRole('row').filter({ hasText: job });
    const cells = async (job: string) => (await row(job).getByRole('cell').allTextContents()).map((c) => c.trim());
    await row('overdue-alerts').waitFor();

    const overdue = await cells('overdue-alerts');
    expect(overdue[0]).toBe(`${ru('jobs.names.overdue-alerts')}overdue-alerts`);
    expect(overdue[1]).not.toBe('—');
    expect(overdue[2]).not.toBe('—');
    expect(overdue.slice(3)).toEqual([ru('jobs.minutes', { m: 1, s: 30 }), ru('jobs.outcomes.ok'), 'alerts: 3', 'app-1']);
    // An error says so, with the error's text; seconds in the browser's language.
    expect((await cells('kpi-snapshots')).slice(3)).toEqual([ru('jobs.seconds', { n: '2,5' }), `${ru('jobs.outcomes.error')}connection terminated unexpectedly`, '—', 'app-2']);
    // A job the console has no name for shows as it is; milliseconds under a second.
    expect((await cells('retired-job')).slice(0, 5)).toEqual(['retired-job', expect.any(String), expect.any(String), ru('jobs.ms', { n: 120 }), ru('jobs.outcomes.skipped')]);
    // A run with no end: no end, no duration.
    expect((await cells('daily-digest')).slice(2, 5)).toEqual(['—', '—', ru('jobs.outcomes.running')]);
    expect(await world.seriousViolations(operator)).toEqual([]);

    await operator.screenshot({ path: path.join(ARTIFACTS, 'console-jobs.png'), fullPage: false });
    // Paged like the other lists: 50, then «more» for the rest.
    const rows = operator.locator('main tbody tr');
    const rowCountIs = (n: number) => operator.waitForFunction((count) => [...document.querySelectorAll('main tbody tr')].length === count, n);
    expect(await rows.count()).toBe(50);
    await operator.getByRole('button', { name: ru('list.more'), exact: true }).click();
    await operator.waitForFunction(() => [...document.querySelectorAll('main tbody tr')].length === 59);
    expect(await operator.getByRole('button', { name: ru('list.more'), exact: true }).count()).toBe(0);

    // Only the failed runs.
    await operator.getByLabel(ru('jobs.outcome'), { exact: true }).selectOption('error');
    await operator.getByRole('button', { name: ru('audit.filter'), exact: true }).click();
    // The list is reloaded: wait for the filtered rows, not for the old ones to go (between the two it may be empty).
    await rowCountIs(1);
    await row('overdue-alerts').waitFor({ state: 'detached' });
    await row('kpi-snapshots').waitFor();
    // Only one job: its runs.
    await operator.getByLabel(ru('jobs.outcome'), { exact: true }).selectOption('');
    await operator.getByLabel(ru('jobs.job'), { exact: true }).selectOption('overdue-alerts');
    await operator.getByRole('button', { name: ru('audit.filter'), exact: true }).click();
    await row('kpi-snapshots').waitFor({ state: 'detached' });
    await rowCountIs(1);
    expect(await cells('overdue-alerts')).toHaveLength(7);
    // Each job's latest run: one row a job.
    await operator.getByLabel(ru('jobs.latest'), { exact: true }).check();
    await row('kpi-snapshots').waitFor();
    await rowCountIs(5);
    expect(await row('polls').count()).toBe(1);

    await toEnglish(operator);
    await operator.getByRole('heading', { name: en('jobs.title'), exact: true }).waitFor();
    expect((await cells('overdue-alerts'))[0]).toBe(`${en('jobs.names.overdue-alerts')}overdue-alerts`);
    expect((await cells('kpi-snapshots'))[4]).toBe(`${en('jobs.outcomes.error')}connection terminated unexpectedly`);
    await operator.context().close();
  }, 120_000);

  it('a curator (no jobs.read) has no link to the runs and is not shown them at their address', async () => {
    const curator = await world.signIn(world.staff.curator);
    expect(await navOf(curator)).not.toContain(ru('nav.jobs'));
    await curator.goto(`${world.harness.url}/console#/jobs`);
    await curator.getByRole('link', { name: ru('nav.queue'), exact: true }).waitFor();
    expect(await curator.getByRole('heading', { name: ru('jobs.title'), exact: true }).count()).toBe(0);
    // The API refuses the curator's session too.
    expect((await curator.context().request.get(`${world.harness.url}/api/v1/jobs/runs`)).status()).toBe(403);
    await curator.context().close();
  }, 120_000);
});

describe("the municipalities' ranking on the KPI page", () => {
  it('an operator sees every municipality ranked, the chosen one marked; a curator sees only their own row, with its rank in the region', async () => {
    const db = world.db.db;
    await messageInWork(db, { municipalityId: world.kemerovo, acceptedAt: new Date(now.getTime() - 3_600_000) });
    // The page opens at the running month in Kuzbass (the browser on the server's clock).
    const month = 'декабрь 2026';
    const towns = await db.selectFrom('municipality').select(['id', 'name_ru', 'name_en']).execute();
    const kemerovoName = towns.find((m) => m.id === world.kemerovo)!.name_ru;

    const operator = await signInAtNow(await operatorId(db));
    await operator.goto(`${world.harness.url}/console#/kpi`);
    await operator.getByRole('heading', { name: ru('kpi.municipalities_rating'), exact: true }).waitFor();
    const ranking = operator.locator('table.municipalities-rating');
    await ranking.locator('tbody tr').first().waitFor();
    expect(await ranking.locator('tbody tr').count()).toBe(towns.length);
    expect((await ranking.locator('tbody tr td:nth-child(2)').allTextContents()).sort()).toEqual(towns.map((m) => m.name_ru).sort());
    const ranks = (await ranking.locator('tbody tr td:first-child').allTextContents()).map(Number);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(ranks[0]).toBe(1);
    // The municipality chosen for the indicators is marked in the ranking.
    expect(await ranking.locator('tr[aria-current="true"]').count()).toBe(0);
    await operator.getByLabel(ru('incidents.municipality'), { exact: true }).selectOption(String(world.kemerovo));
    await operator.getByRole('button', { name: ru('kpi.show'), exact: true }).click();
    await operator.getByRole('table', { name: ru('kpi.indicators', { period: month }) }).waitFor();
    await ranking.locator('tr[aria-current="true"]').waitFor();
    expect(await ranking.locator('tr[aria-current="true"] td:nth-child(2)').textContent()).toBe(kemerovoName);
    const operatorsRow = await ranking.locator('tr[aria-current="true"] td').allTextContents();
    await ranking.screenshot({ path: path.join(ARTIFACTS, 'console-municipalities-rating.png') });
    expect(await world.seriousViolations(operator)).toEqual([]);
    await toEnglish(operator);
    await operator.getByRole('heading', { name: en('kpi.municipalities_rating'), exact: true }).waitFor();
    expect((await ranking.locator('tbody tr td:nth-child(2)').allTextContents()).sort()).toEqual(towns.map((m) => m.name_en).sort());
    await operator.context().close();

    const curator = await signInAtNow(world.staff.curator);
    await curator.goto(`${world.harness.url}/console#/kpi`);
    await curator.getByRole('heading', { name: ru('kpi.municipalities_rating'), exact: true }).waitFor();
    await curator.getByText(ru('kpi.municipalities_rating_own'), { exact: true }).waitFor();
    // The municipality's indicators load too (the page settles before the ranking is read).
    await curator.getByRole('table', { name: ru('kpi.indicators', { period: month }) }).waitFor();
    const own = curator.locator('table.municipalities-rating tbody tr');
    await own.first().waitFor();
    expect(await own.count()).toBe(1);
    expect(await curator.locator('table.kpi tbody tr').count()).toBe(16);
    // The same row, rank in the region included, as the operator's.
    expect(await own.locator('td').allTextContents()).toEqual(operatorsRow);
    await curator.context().close();
  }, 120_000);
});

describe("the region's open-source summary on the KPI page", () => {
  it('an operator downloads the region (every municipality and the total); a curator the same link gives their own row only', async () => {
    const db = world.db.db;
    const month = '2026-12';
    const towns = await db.selectFrom('municipality').select('id').execute();
    const label = (who: 'region' | 'own') => `${ru('kpi.open_sources')} (${ru(`kpi.open_sources_${who}`)})`;
    const rowsOf = (csv: string) =>
      csv
        .replace(/^\uFEFF/, '')
        .split('\r\n')
        .filter((line) => line.startsWith('Открытые источники,'));

    const operator = await signInAtNow(await operatorId(db));
    await operator.goto(`${world.harness.url}/console#/kpi`);
    // No municipality chosen yet: the region's summary is there (the monthly report's links wait for one).
    const xlsx = operator.getByRole('link', { name: `${label('region')}: ${ru('kpi.download_xlsx')}`, exact: true });
    await xlsx.waitFor();
    expect(await xlsx.getAttribute('href')).toBe(`/api/v1/reports/open-sources?period=${month}&format=xlsx&lang=ru`);
    const csvLink = operator.getByRole('link', { name: `${label('region')}: ${ru('kpi.download_csv')}`, exact: true });
    const csvHref = await csvLink.getAttribute('href');
    expect(csvHref).toBe(`/api/v1/reports/open-sources?period=${month}&format=csv&lang=ru`);
    // The links work with the session cookie: a sheet, and a CSV with a row per municipality and the total.
    const sheet = await operator.context().request.get(`${world.harness.url}${await xlsx.getAttribute('href')}`);
    expect(sheet.status()).toBe(200);
    expect(sheet.headers()['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const regionCsv = await operator.context().request.get(`${world.harness.url}${csvHref}`);
    expect(regionCsv.status()).toBe(200);
    expect(rowsOf(await regionCsv.text())).toHaveLength(towns.length + 1);
    expect(await world.seriousViolations(operator)).toEqual([]);
    await toEnglish(operator);
    await operator.getByRole('heading', { name: `${en('kpi.open_sources')} (${en('kpi.open_sources_region')})`, exact: true }).waitFor();
    // In English, the files are asked for in English.
    const english = operator.getByRole('link', { name: `${en('kpi.open_sources')} (${en('kpi.open_sources_region')}): ${en('kpi.download_csv')}`, exact: true });
    expect(await english.getAttribute('href')).toBe(`/api/v1/reports/open-sources?period=${month}&format=csv&lang=en`);
    await operator.context().close();

    const curator = await signInAtNow(world.staff.curator);
    await curator.goto(`${world.harness.url}/console#/kpi`);
    const own = curator.getByRole('link', { name: `${label('own')}: ${ru('kpi.download_csv')}`, exact: true });
    await own.waitFor();
    const ownCsv = await curator.context().request.get(`${world.harness.url}${await own.getAttribute('href')}`);
    expect(ownCsv.status()).toBe(200);
    const rows = rowsOf(await ownCsv.text());
    // Kemerovo's row, then the total.
    expect(rows.map((r) => r.split(',')[1])).toEqual([String(world.kemerovo), '']);
    await curator.context().close();
  }, 120_000);
});

describe('the dead outbox rows', () => {
  it("name each row's kind in words, its code beside it; an unknown kind as itself", async () => {
    const db = world.db.db;
    // Numbers of six digits, as on a platform that has sent for a while.
    const dead = (kind: string, recipientKind: 'resident' | 'staff' | 'chat', id: number) => ({
      id,
      channel: 'tg' as const,
      chat_id: '555',
      recipient_kind: recipientKind,
      kind,
      payload: JSON.stringify({ key: 'notify.accepted' }),
      priority: 1,
      state: 'dead' as const,
      attempts: 5,
      last_error: 'Forbidden: bot was blocked by the user',
    });
    await db
      .insertInto('outbox')
      .values([dead('status.accepted', 'resident', 500_001), dead('alert.overdue', 'staff', 500_002), dead('legacy.unknown_kind', 'chat', 500_003)])
      .execute();
    const operator = await world.signIn(await operatorId(db));
    await operator.goto(`${world.harness.url}/console#/outbox`);
    await operator.getByRole('heading', { name: ru('outbox.title'), exact: true }).waitFor();
    const row = (kind: string) => operator.locator('main tbody tr').filter({ hasText: kind });
    const kindOf = async (kind: string) => {
      const cell = row(kind).getByRole('cell').nth(1);
      const code = (await cell.locator('code').textContent())!;
      return [(await cell.textContent())!.replace(code, '').trim(), code];
    };
    await row('legacy.unknown_kind').waitFor();
    expect(await kindOf('status.accepted')).toEqual([ru('outbox.kinds.status.accepted'), 'status.accepted']);
    expect(await kindOf('alert.overdue')).toEqual([ru('outbox.kinds.alert.overdue'), 'alert.overdue']);
    expect(await kindOf('legacy.unknown_kind')).toEqual(['', 'legacy.unknown_kind']);
    const recipient = await row('alert.overdue').getByRole('cell').nth(2).textContent();
    expect(recipient).toBe(`${ru('outbox.recipients.staff')} · tg`);
    // Each row's number stays whole beside the kind's words (it read «1» over «2»).
    const numbers = await operator.evaluate(() =>
      [...document.querySelectorAll('main tbody td:first-child')].map((td) => {
        const range = document.createRange();
        range.selectNodeContents(td);
        return range.getClientRects().length;
      }),
    );
    expect(numbers).toEqual([1, 1, 1]);
    await operator.screenshot({ path: path.join(ARTIFACTS, 'console-outbox-kinds.png') });
    expect(await world.seriousViolations(operator)).toEqual([]);
    await toEnglish(operator);
    await operator.getByRole('heading', { name: en('outbox.title'), exact: true }).waitFor();
    expect(await kindOf('status.accepted')).toEqual(['Resident: message accepted', 'status.accepted']);
    await operator.context().close();
  }, 120_000);
});

describe("a curator's audit log", () => {
  it('names an operator who acted in the municipality, not «№ id»', async () => {
    const db = world.db.db;
    const operator = await operatorId(db);
    const { full_name: name } = await db.selectFrom('staff').select('full_name').where('id', '=', operator).executeTakeFirstOrThrow();
    await db
      .insertInto('audit_log')
      .values({ staff_id: operator, api_key_id: null, request_id: null, action: 'executor.update', entity: 'executor', entity_id: '1', municipality_id: world.kemerovo, data: '{}', created_at: now })
      .execute();
    const curator = await world.signIn(world.staff.curator);
    // The curator's staff list does not hold the operator: the page cannot name them that way.
    const lookup = await curator.context().request.get(`${world.harness.url}/api/v1/staff?ids=${operator}`);
    expect((await lookup.json()).items).toEqual([]);
    await curator.goto(`${world.harness.url}/console#/audit`);
    const entry = curator.getByRole('row').filter({ hasText: 'executor.update' });
    await entry.getByRole('cell', { name, exact: true }).waitFor();
    expect(await curator.locator('tbody tr td:nth-child(4)').allTextContents()).not.toContainEqual(expect.stringMatching(/^№ \d+$/));
    await curator.context().close();
  }, 120_000);
});
