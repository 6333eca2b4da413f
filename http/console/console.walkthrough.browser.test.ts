import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { issueKey } from '../../core/access/api-keys.service.ts';
import { recordAudit } from '../../core/audit/audit.service.ts';
import { consoleTestPerFile, en, ru, sidewaysOverflow, toEnglish } from '../../test/console-browser.ts';
import { messageInWork, operatorId } from '../../test/staff.ts';

/**
 * What an operator's and a moderator's walk through the console found: on a laptop left on Moscow
 * time every date was Moscow's (a message filed at 09:59 in Kemerovo said 05:59) and a poll or a
 * direct line typed for 09:00 opened at 13:00 for the residents; dates followed the browser's
 * locale, not the console's language; on a phone every table lost its third column (the KPIs'
 * values, the reports' figures, news' states, the audit's objects), not only the queue its address;
 * sessions were labelled in the server's English («console (API key) · …»); a poll's option given
 * twice came back as «filled in wrongly»; a staff member's card named the role only, not where they work; a routing rule's
 * categories came as one list mixing every sector; the browser's own refusals («Please fill out
 * this field.») spoke the browser's language on the Russian page.
 */
const now = new Date('2026-12-01T03:00:00.000Z');
const world = consoleTestPerFile({ clock: () => now });

const dd = (page: Page, term: string) => page.locator('dt', { hasText: term }).locator('xpath=following-sibling::dd[1]');

describe("an official's walk through the console", () => {
  it('a browser on Moscow time still shows and reads times in Kuzbass time, written in the console’s language', async () => {
    const db = world.db.db;
    // Filed at 02:59 UTC on 30 November: 09:59 in Kemerovo, 05:59 in Moscow.
    const id = await messageInWork(db, { municipalityId: world.kemerovo, acceptedAt: new Date('2026-11-30T03:00:00.000Z') });
    const moderator = await world.signIn(world.staff.moderator, undefined, 'Europe/Moscow');
    await moderator.goto(`${world.harness.url}/console#/message/${id}`);
    await expect.poll(() => dd(moderator, ru('card.filed')).textContent()).toBe('30.11.2026, 09:59:00');

    await moderator.goto(`${world.harness.url}/console#/polls/new`);
    await moderator.getByLabel(ru('polls.name')).fill('Какой двор благоустроить');
    await moderator.getByLabel(ru('polls.starts')).fill('2026-12-10T09:00');
    await moderator.getByLabel(ru('polls.ends')).fill('2026-12-17T18:00');
    await moderator.getByLabel(ru('polls.question')).fill('Какой двор?');
    await moderator.getByLabel(ru('polls.options')).fill('Весенняя, 5\nЛенина, 10');
    await moderator.getByRole('button', { name: ru('polls.save') }).click();
    await moderator.getByRole('heading', { name: 'Какой двор благоустроить' }).waitFor();
    const poll = await db.selectFrom('poll').select(['id', 'starts_at', 'ends_at']).where('title', '=', 'Какой двор благоустроить').executeTakeFirstOrThrow();
    expect([poll.starts_at.toISOString(), poll.ends_at.toISOString()]).toEqual(['2026-12-10T02:00:00.000Z', '2026-12-17T11:00:00.000Z']);
    expect(await dd(moderator, ru('polls.period')).textContent()).toBe('10.12.2026, 09:00:00 — 17.12.2026, 18:00:00');
    // The draft's form shows what was typed, not Moscow's 05:00.
    await moderator.getByText(ru('polls.edit')).click();
    expect(await moderator.getByLabel(ru('polls.starts')).inputValue()).toBe('2026-12-10T09:00');

    await toEnglish(moderator);
    await moderator.getByRole('heading', { name: 'Какой двор благоустроить' }).waitFor();
    await expect.poll(() => dd(moderator, en('polls.period')).textContent()).toBe('10/12/2026, 09:00:00 — 17/12/2026, 18:00:00');
    await moderator.context().close();
  }, 60_000);

  it("a direct line's collection typed on a Moscow-time laptop opens and closes at those hours in Kuzbass", async () => {
    const db = world.db.db;
    const curator = await world.signIn(world.staff.curator, undefined, 'Europe/Moscow');
    await curator.goto(`${world.harness.url}/console#/direct-lines/new`);
    await curator.getByLabel(ru('direct_lines.name')).fill('Прямая линия в декабре');
    await curator.getByLabel(ru('direct_lines.head')).fill('Глава города');
    await curator.getByLabel(ru('direct_lines.collect_from')).fill('2026-12-05T09:00');
    await curator.getByLabel(ru('direct_lines.collect_to')).fill('2026-12-12T21:00');
    await curator.getByLabel(ru('direct_lines.broadcast_on')).fill('2026-12-15');
    await curator.getByRole('button', { name: ru('direct_lines.save') }).click();
    await curator.waitForURL(/#\/direct-lines$/);
    const line = await db.selectFrom('direct_line').select(['collect_from', 'collect_to']).where('title', '=', 'Прямая линия в декабре').executeTakeFirstOrThrow();
    expect([line.collect_from.toISOString(), line.collect_to.toISOString()]).toEqual(['2026-12-05T02:00:00.000Z', '2026-12-12T14:00:00.000Z']);
    await curator.getByText('05.12.2026, 09:00:00 — 12.12.2026, 21:00:00').waitFor();
    await curator.context().close();
  }, 60_000);

  it("on a 390 px phone the tables keep their columns (the KPIs' values, the rating's counts, the audit's objects); only the queue leaves out the address", async () => {
    const db = world.db.db;
    const id = await messageInWork(db, { municipalityId: world.kemerovo, acceptedAt: new Date(now.getTime() - 86_400_000) });
    await recordAudit(db, { staffId: world.staff.moderator, apiKeyId: null, requestId: null }, { action: 'message.publish', entity: 'message', entityId: id, municipalityId: world.kemerovo }, now);
    const curator = await world.signIn(world.staff.curator, { width: 390, height: 844 });
    const header = (name: string) => curator.locator('main th', { hasText: name }).first();
    await curator.goto(`${world.harness.url}/console#/kpi`);
    await header(ru('kpi.value')).waitFor();
    expect(await header(ru('kpi.value')).isVisible()).toBe(true);
    // KPI 7's value in its row: the share of overdue messages, not only its target.
    // The rows come after the headers (the indicators' request): waited for, visible or the wait fails.
    const seventh = curator.locator('table.kpi tbody tr').nth(6).locator('td').nth(2);
    await seventh.waitFor({ state: 'visible' });
    expect(await seventh.isVisible()).toBe(true);
    expect(await seventh.textContent()).toMatch(/%$/);
    // The executors' rating: how many each closed of those received.
    await header(ru('kpi.closed')).waitFor({ state: 'visible' });
    expect(await header(ru('kpi.closed')).isVisible()).toBe(true);
    await curator.goto(`${world.harness.url}/console#/audit`);
    await curator.locator('main tbody tr').first().waitFor();
    expect(await header(ru('audit.entity')).isVisible()).toBe(true);
    // The queue on a phone: number, filed, status, deadline; the address and text are on the card.
    await curator.goto(`${world.harness.url}/console#/queue`);
    await curator.locator('table.queue tbody tr').first().waitFor();
    expect(
      await curator
        .locator('table.queue th', { hasText: ru('card.address') })
        .first()
        .isVisible(),
    ).toBe(false);
    for (const hash of ['#/kpi', '#/audit', '#/queue']) {
      await curator.goto(`${world.harness.url}/console${hash}`);
      await curator.getByRole('heading', { level: 1 }).waitFor();
      await curator.waitForLoadState('networkidle');
      expect(await sidewaysOverflow(curator), hash).toBe(0);
    }
    await curator.context().close();
  }, 60_000);

  it("sessions say in the console's language how each was opened (a code from the bot, an API key), not the server's «console (API key)»", async () => {
    const db = world.db.db;
    const { token } = await issueKey(db, { staffId: world.staff.moderator, createdBy: null }, now);
    const byKey = await (await world.browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'ru-RU' })).newPage();
    await byKey.goto(`${world.harness.url}/console`);
    await byKey.getByRole('button', { name: ru('sign_in.key_toggle') }).click();
    await byKey.getByLabel(ru('sign_in.key')).fill(token);
    await byKey.getByRole('button', { name: ru('sign_in.submit'), exact: true }).click();
    await byKey.getByRole('link', { name: ru('nav.sessions'), exact: true }).click();
    await byKey.getByRole('heading', { name: ru('sessions.title') }).waitFor();
    const labels = byKey.locator('main td small');
    await labels.first().waitFor();
    const russian = await labels.allTextContents();
    expect(russian.some((l) => l.startsWith(`${ru('sessions.via_key')} · `))).toBe(true);
    expect(russian.join('\n')).not.toContain('console (');
    await byKey.context().close();

    const byCode = await world.signIn(world.staff.moderator);
    await byCode.getByRole('link', { name: ru('nav.sessions'), exact: true }).click();
    await byCode.getByRole('heading', { name: ru('sessions.title') }).waitFor();
    await byCode
      .locator('main td small', { hasText: ru('sessions.via_code') })
      .first()
      .waitFor();
    await toEnglish(byCode);
    await byCode.getByRole('heading', { name: en('sessions.title') }).waitFor();
    const english = await byCode.locator('main td small').allTextContents();
    expect(english.some((l) => l.startsWith(`${en('sessions.via_code')} · `))).toBe(true);
    expect(english.some((l) => l.startsWith(`${en('sessions.via_key')} · `))).toBe(true);
    expect(english.join('\n')).not.toContain('console (');
    await byCode.context().close();
  }, 60_000);

  it('a new poll with an option given twice (in another case too) is said at the field in Russian before anything is sent; the form keeps what was typed', async () => {
    const moderator = await world.signIn(world.staff.moderator);
    const sent: string[] = [];
    moderator.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/api/v1/polls') && sent.push(r.url()));
    await moderator.goto(`${world.harness.url}/console#/polls/new`);
    await moderator.getByLabel(ru('polls.name')).fill('Где поставить горку');
    await moderator.getByLabel(ru('polls.starts')).fill('2026-12-20T10:00');
    await moderator.getByLabel(ru('polls.ends')).fill('2026-12-27T10:00');
    await moderator.getByLabel(ru('polls.question')).fill('Какой двор?');
    const options = moderator.getByLabel(ru('polls.options'));
    await options.fill('Весенняя, 5\nЛенина, 10\nвесенняя, 5');
    await moderator.getByRole('button', { name: ru('polls.save') }).click();
    await expect
      .poll(() => options.evaluate((el) => (el as unknown as { validationMessage: string }).validationMessage), { timeout: 10_000 })
      .toBe(ru('polls.options_twice', { option: 'весенняя, 5' }));
    expect(sent).toEqual([]);
    expect(await moderator.getByLabel(ru('polls.name')).inputValue()).toBe('Где поставить горку');
    await options.fill('Весенняя, 5\nЛенина, 10');
    await moderator.getByRole('button', { name: ru('polls.save') }).click();
    await moderator.getByRole('heading', { name: 'Где поставить горку' }).waitFor();
    expect(sent).toHaveLength(1);
    await moderator.context().close();
  }, 60_000);

  it("a staff member's card says where they work: the municipality (or the whole region) and an executor official's organisation", async () => {
    const db = world.db.db;
    const utility = await db
      .selectFrom('staff')
      .innerJoin('executor', 'executor.id', 'staff.executor_id')
      .select('executor.name')
      .where('staff.id', '=', world.staff.utilityExecutor)
      .executeTakeFirstOrThrow();
    const regional = await db.insertInto('staff').values({ full_name: 'Региональный модератор', role: 'moderator', municipality_id: null, language: 'ru' }).returning('id').executeTakeFirstOrThrow();
    const operator = await world.signIn(await operatorId(db));
    const roleLine = (page: Page) => page.locator('main h1 ~ p').first();
    await operator.goto(`${world.harness.url}/console#/staff/${world.staff.utilityExecutor}`);
    await expect.poll(() => roleLine(operator).textContent()).toBe(`${ru('role.executor')} · Кемеровский городской округ · ${utility.name}`);
    await operator.goto(`${world.harness.url}/console#/staff/${world.staff.moderator}`);
    await expect.poll(() => roleLine(operator).textContent()).toBe(`${ru('role.moderator')} · Кемеровский городской округ`);
    await operator.goto(`${world.harness.url}/console#/staff/${regional.id}`);
    await expect.poll(() => roleLine(operator).textContent()).toBe(`${ru('role.moderator')} · ${ru('incidents.region')}`);
    await toEnglish(operator);
    await expect.poll(() => roleLine(operator).textContent()).toBe(`${en('role.moderator')} · ${en('incidents.region')}`);
    await operator.context().close();
  }, 60_000);

  it("a routing rule's category is picked among categories grouped by sector, and the rule is set", async () => {
    const db = world.db.db;
    const sectors = await db.selectFrom('sector').select(['id', 'title_ru']).orderBy('position').orderBy('id').execute();
    const housing = await db.selectFrom('category').select('title_ru').where('sector_id', '=', sectors[0]!.id).where('active', '=', true).orderBy('position').orderBy('id').execute();
    const operator = await world.signIn(await operatorId(db));
    await operator.goto(`${world.harness.url}/console#/directories/routing`);
    const select = operator.getByLabel(ru('routing.category'), { exact: true });
    await select.locator('optgroup').first().waitFor({ state: 'attached' });
    const groups = await select.locator('optgroup').evaluateAll((all) => all.map((g) => (g as unknown as { label: string }).label));
    expect(groups).toEqual(sectors.map((s) => s.title_ru));
    expect(await select.locator('optgroup').first().locator('option').allTextContents()).toEqual(housing.map((c) => c.title_ru));
    const roof = await db.selectFrom('category').select('id').where('code', '=', 'housing.roof').executeTakeFirstOrThrow();
    const town = world.db.demo.municipalities.Belovo;
    const executor = await db.selectFrom('executor').select('id').where('municipality_id', '=', town).orderBy('id').executeTakeFirstOrThrow();
    await select.selectOption(String(roof.id));
    await operator.getByLabel(ru('routing.executor'), { exact: true }).selectOption(String(executor.id));
    await operator.getByRole('button', { name: ru('routing.save') }).click();
    await expect
      .poll(async () => (await db.selectFrom('routing_rule').select('executor_id').where('municipality_id', '=', town).where('category_id', '=', roof.id).executeTakeFirst())?.executor_id, {
        timeout: 10_000,
      })
      .toBe(executor.id);
    await operator.context().close();
  }, 60_000);

  it("a field the browser itself refuses (left empty, a link that is not one) is said in the console's language, not the browser's", async () => {
    const moderator = await world.signIn(world.staff.moderator);
    const message = (label: string) => moderator.getByLabel(label, { exact: true }).evaluate((el) => (el as unknown as { validationMessage: string }).validationMessage);
    const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
    await moderator.goto(`${world.harness.url}/console#/news/new`);
    await moderator.getByLabel(ru('news.body')).fill('Текст новости');
    await moderator.getByLabel(ru('news.link')).fill('kemerovo.ru/news/1');
    await moderator.getByRole('button', { name: ru('news.save') }).click();
    await expect.poll(() => message(ru('news.name')), { timeout: 10_000 }).toBe(capital(ru('error.problem.empty')));
    await moderator.getByLabel(ru('news.name')).fill('Открыт сквер');
    await moderator.getByRole('button', { name: ru('news.save') }).click();
    await expect.poll(() => message(ru('news.link')), { timeout: 10_000 }).toBe(capital(ru('error.problem.url')));
    // Typed again, the field is judged afresh: a right link saves the draft, the text kept.
    await moderator.getByLabel(ru('news.link')).fill('https://kemerovo.ru/news/1');
    await moderator.getByRole('button', { name: ru('news.save') }).click();
    await moderator.getByRole('link', { name: 'Открыт сквер' }).waitFor();
    await toEnglish(moderator);
    await moderator.goto(`${world.harness.url}/console#/news/new`);
    await moderator.getByRole('button', { name: en('news.save') }).click();
    await expect.poll(() => message(en('news.name')), { timeout: 10_000 }).toBe(capital(en('error.problem.empty')));
    await moderator.context().close();
  }, 60_000);
});
