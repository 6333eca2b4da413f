import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueKey } from '../../core/access/api-keys.service.ts';
import { acceptIncident, intakeIncident } from '../../core/incidents/incidents.service.ts';
import { approveAnswer, draftAnswer } from '../../core/messages/answers.service.ts';
import { ARTIFACTS, consoleTestPerFile, en, ru, toEnglish } from '../../test/console-browser.ts';
import { categoryId, KEMEROVO_CENTER } from '../../test/residents.ts';
import { messageInWork } from '../../test/staff.ts';

/**
 * What an exploratory pass over the console found and left: an answer's kind preset to «final:
 * solved» (one click from closing a message by mistake), a published reply's link taking any
 * string, demo staff named half in English, «Новая новость», months shown as "2026-12", a routing
 * rule deleted at one click, and a sign-in by key said to be for operators only.
 */
// Code passed to page.evaluate runs in the page; these stand for its globals (no DOM lib here).
interface Field {
  validationMessage: string;
  validity: { valid: boolean };
}
declare const document: { activeElement: { textContent: string } | null };

const now = new Date('2026-12-01T03:00:00.000Z');
const world = consoleTestPerFile({ clock: () => now });
const ids = { inWork: 0, byHand: 0, answer: 0 };
const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const validationMessage = (page: Page, label: string) => page.getByLabel(label, { exact: true }).evaluate((f) => (f as unknown as Field).validationMessage);

beforeAll(async () => {
  const db = world.db.db;
  ids.inWork = await messageInWork(db, { municipalityId: world.kemerovo, acceptedAt: new Date(now.getTime() - 86_400_000) });
  // A monitored site's post (its answers are published by hand), its answer approved.
  const { incident } = await intakeIncident(
    db,
    { municipalityId: world.kemerovo, source: 'vk_page', sourceUrl: 'https://vk.com/wall-1_301', authorName: 'Житель', text: 'Не горит фонарь у школы', postedAt: now, point: KEMEROVO_CENTER },
    now,
  );
  const actor = { kind: 'staff' as const, staffId: world.staff.curator };
  const accepted = await acceptIncident(
    db,
    { municipalityId: world.kemerovo, executorId: null },
    { incidentId: incident.id, municipalityId: world.kemerovo, categoryId: await categoryId(db, 'roads.pothole'), actor },
    now,
  );
  ids.byHand = accepted.message.id;
  const { answer } = await draftAnswer(
    db,
    { messageId: ids.byHand, kind: 'final', resolution: 'solved', text: 'Фонарь починят завтра.', actor: { kind: 'staff', staffId: world.staff.moderator } },
    now,
  );
  await approveAnswer(db, { answerId: answer.id, actor }, now);
  ids.answer = answer.id;
}, 120_000);

describe('the console, polished', () => {
  it("an answer's kind is chosen each time: none is preset, and sending without one is refused at the field", async () => {
    const executor = await world.signIn(world.staff.executor);
    await executor.goto(`${world.harness.url}/console#/message/${ids.inWork}`);
    const kind = executor.getByLabel(ru('act.answer_kind'), { exact: true });
    await kind.waitFor();
    expect(await kind.inputValue()).toBe('');
    expect(await kind.locator('option:checked').textContent()).toBe('— выберите вид ответа —');
    await executor.getByLabel(ru('act.answer_text')).fill('Яму заделаем до пятницы.');
    await executor.getByRole('button', { name: ru('act.send') }).click();
    await expect.poll(() => validationMessage(executor, ru('act.answer_kind')), { timeout: 10_000 }).toBe('Выберите значение из списка.');
    expect(await world.db.db.selectFrom('answer').select('id').where('message_id', '=', ids.inWork).execute()).toEqual([]);
    await executor.screenshot({ path: path.join(ARTIFACTS, 'console-answer-kind-required.png') });

    await kind.selectOption('intermediate');
    await executor.getByRole('button', { name: ru('act.send') }).click();
    await executor
      .getByRole('status')
      .filter({ hasText: ru('act.done') })
      .waitFor();
    expect(await world.db.db.selectFrom('answer').select(['kind', 'resolution']).where('message_id', '=', ids.inWork).execute()).toEqual([{ kind: 'intermediate', resolution: null }]);
    // In English (the card read afresh: no kind chosen again), the same refusal in English.
    await executor.getByRole('button', { name: ru('nav.language') }).click();
    await executor.getByRole('link', { name: en('nav.queue'), exact: true }).waitFor();
    await executor.reload();
    await executor.getByLabel(en('act.answer_text')).fill('More to follow.');
    await executor.getByRole('button', { name: en('act.send') }).click();
    await expect.poll(() => validationMessage(executor, en('act.answer_kind')), { timeout: 10_000 }).toBe('Choose one from the list.');
    await executor.context().close();
  }, 60_000);

  it("a published reply's link is an absolute http(s) URL of a public page, refused at the field otherwise; any site will do", async () => {
    const curator = await world.signIn(world.staff.curator);
    await curator.goto(`${world.harness.url}/console#/message/${ids.byHand}`);
    const field = curator.getByLabel(ru('act.published_reply'), { exact: true });
    const save = curator.getByRole('button', { name: ru('act.save'), exact: true });
    const stored = async () => (await world.db.db.selectFrom('message').select('published_reply_url').where('id', '=', ids.byHand).executeTakeFirstOrThrow()).published_reply_url;
    // The browser refuses what is no link, and a link of another scheme, in the console's words.
    for (const typed of ['vk.com/wall-1_301?reply=7', 'ftp://vk.com/wall-1_301']) {
      await field.fill(typed);
      await save.click();
      await expect.poll(() => validationMessage(curator, ru('act.published_reply')), { timeout: 10_000 }).toBe(capital(ru('error.problem.url')));
    }
    // A scheme in capitals is still http(s), as the API takes it.
    await field.fill('HTTPS://vk.com/wall-1_301?reply=7');
    expect(await field.evaluate((f) => (f as unknown as Field).validity.valid)).toBe(true);
    // The API refuses a host no one outside can open: said at the field too, named by its label.
    await field.fill('https://localhost/reply');
    await save.click();
    const said = ru('error.field', { field: ru('act.published_reply'), problem: ru('error.problem.url') });
    await curator
      .getByRole('status')
      .filter({ hasText: ru('error.generic', { detail: said }) })
      .waitFor();
    expect(await validationMessage(curator, ru('act.published_reply'))).toBe(said);
    expect(await stored()).toBeNull();
    expect((await world.db.db.selectFrom('answer').select('state').where('id', '=', ids.answer).executeTakeFirstOrThrow()).state).toBe('approved');

    // Any public site: the post may be on VK, OK, a Telegram channel or a town's own site.
    await field.fill('https://ok.ru/group/70000001/topic/155?reply=9');
    await save.click();
    await curator.getByRole('link', { name: 'https://ok.ru/group/70000001/topic/155?reply=9' }).waitFor();
    expect(await stored()).toBe('https://ok.ru/group/70000001/topic/155?reply=9');
    await curator.context().close();
  }, 60_000);

  it('the demo region is Russian on the Russian console: its staff and companies are named by their towns in Russian', async () => {
    const db = world.db.db;
    const latin = /[A-Za-z]/;
    const demoNames = [
      ...(await db.selectFrom('staff').select('full_name as name').where('municipality_id', 'is not', null).execute()),
      ...(await db.selectFrom('executor').select('name').execute()),
    ].map((r) => r.name);
    expect(demoNames.filter((n) => latin.test(n))).toEqual([]);
    expect(demoNames).toEqual(expect.arrayContaining(['Куратор (Кемерово)', 'Исполнитель УК (Новокузнецк)', 'Управляющая компания «Белово-Сервис»']));

    const curator = await world.signIn(world.staff.curator);
    await curator.getByRole('link', { name: ru('nav.directories'), exact: true }).click();
    await curator.getByRole('link', { name: 'Модератор (Кемерово)', exact: true }).waitFor();
    await curator.goto(`${world.harness.url}/console#/directories/routing`);
    await curator.getByRole('heading', { name: ru('routing.rules') }).waitFor();
    const rules = (await curator.locator('main table').first().textContent())!;
    expect(rules).toContain('Управляющая компания «Кемерово-Сервис»');
    expect(rules).not.toMatch(latin);
    await curator.context().close();
  }, 60_000);

  it('the news page offers «Добавить новость» ("Add a news item")', async () => {
    const moderator = await world.signIn(world.staff.moderator);
    await moderator.getByRole('link', { name: ru('nav.news'), exact: true }).click();
    expect(await moderator.getByRole('link', { name: 'Добавить новость', exact: true }).count()).toBe(1);
    await toEnglish(moderator);
    await moderator.getByRole('link', { name: 'Add a news item', exact: true }).click();
    await moderator.getByRole('heading', { name: 'Add a news item', level: 1 }).waitFor();
    await moderator.context().close();
  }, 60_000);

  it('months are named in words on the KPI page: its table, its report and the open-source summary', async () => {
    const curator = await world.signIn(world.staff.curator);
    await curator.clock.setFixedTime(now);
    await curator.getByRole('link', { name: ru('nav.kpi'), exact: true }).click();
    await curator.getByRole('table', { name: '16 показателей за декабрь 2026', exact: true }).waitFor();
    const kemerovoName = 'Кемеровский городской округ';
    await curator.getByRole('heading', { name: `${ru('kpi.report')}: ${kemerovoName}, декабрь 2026`, exact: true }).waitFor();
    await curator.locator('.open-sources-summary caption', { hasText: /, декабрь 2026$/ }).waitFor();
    // The picker keeps its own value; another month chosen is named so too.
    expect(await curator.getByLabel(ru('kpi.period'), { exact: true }).inputValue()).toBe('2026-12');
    await curator.getByLabel(ru('kpi.period'), { exact: true }).fill('2026-11');
    await curator.getByRole('button', { name: ru('kpi.show'), exact: true }).click();
    await curator.getByRole('table', { name: '16 показателей за ноябрь 2026', exact: true }).waitFor();
    expect((await curator.locator('main').textContent())!).not.toMatch(/\b2026-1[12]\b/);
    await toEnglish(curator);
    await curator.getByRole('table', { name: 'The 16 indicators for November 2026', exact: true }).waitFor();
    await curator.getByRole('heading', { name: `${en('kpi.report')}: Kemerovo, November 2026`, exact: true }).waitFor();
    await curator.locator('.open-sources-summary caption', { hasText: /, November 2026$/ }).waitFor();
    await curator.context().close();
  }, 60_000);

  it('a routing rule is deleted only once the question is answered «yes»', async () => {
    const db = world.db.db;
    const pothole = await categoryId(db, 'roads.pothole');
    const rule = () => db.selectFrom('routing_rule').select('id').where('municipality_id', '=', world.kemerovo).where('category_id', '=', pothole).execute();
    expect(await rule()).toHaveLength(1);
    const category = (await db.selectFrom('category').select('title_ru').where('id', '=', pothole).executeTakeFirstOrThrow()).title_ru;
    const curator = await world.signIn(world.staff.curator);
    await curator.goto(`${world.harness.url}/console#/directories/routing`);
    const remove = curator.getByRole('button', { name: `${ru('routing.delete')}: ${category}`, exact: true });
    const question = ru('routing.delete_confirm', { category, executor: 'Администрация: Кемеровский городской округ' });
    await remove.click();
    const asked = curator.getByRole('group', { name: question, exact: true });
    await asked.waitFor();
    expect(await curator.evaluate(() => document.activeElement?.textContent)).toBe(ru('confirm.keep'));
    await curator.screenshot({ path: path.join(ARTIFACTS, 'console-routing-delete-confirm.png') });
    await asked.getByRole('button', { name: ru('confirm.keep'), exact: true }).click();
    await remove.waitFor();
    expect(await asked.count()).toBe(0);
    await expect.poll(() => curator.evaluate(() => document.activeElement?.textContent)).toBe(ru('routing.delete'));
    expect(await rule()).toHaveLength(1);

    await remove.click();
    await asked.getByRole('button', { name: ru('confirm.delete'), exact: true }).click();
    await curator
      .getByRole('status')
      .filter({ hasText: ru('act.done') })
      .waitFor();
    expect(await rule()).toEqual([]);
    await remove.waitFor({ state: 'detached' });
    expect(await world.seriousViolations(curator)).toEqual([]);
    await curator.context().close();
  }, 60_000);

  it('signing in by key is offered to any staff member, not only operators, and the way back to the code is named', async () => {
    const { token } = await issueKey(world.db.db, { staffId: world.staff.curator, createdBy: null }, now);
    const page = await (await world.browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'ru-RU' })).newPage();
    await page.goto(`${world.harness.url}/console`);
    const toKey = page.getByRole('button', { name: 'Войти по API-ключу', exact: true });
    await toKey.click();
    await page.getByLabel(ru('sign_in.key'), { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Войти по коду из бота', exact: true }).click();
    await page.getByLabel(ru('sign_in.code'), { exact: true }).waitFor();
    await toKey.click();
    await page.getByLabel(ru('sign_in.key'), { exact: true }).fill(token);
    await page.getByRole('button', { name: ru('sign_in.submit'), exact: true }).click();
    await page.getByText(`Куратор (Кемерово) · ${ru('role.curator')}`).waitFor();
    expect(en('sign_in.key_toggle')).toBe('Sign in with an API key');
    await page.context().close();
  }, 60_000);
});
