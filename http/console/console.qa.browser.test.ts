import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueKey } from '../../core/access/api-keys.service.ts';
import { advanceContests, createContest, publishContest, submitEntry } from '../../core/contests/contests.ts';
import { draftAnswer, returnAnswer } from '../../core/messages/answers.service.ts';
import { fileMessage } from '../../core/messages/filing.service.ts';
import { createPoll } from '../../core/polls/polls.ts';
import { ARTIFACTS, consoleTestPerFile, ru, sidewaysOverflow } from '../../test/console-browser.ts';
import { categoryId, KEMEROVO_CENTER, registeredResident } from '../../test/residents.ts';
import { messageInWork, operatorId } from '../../test/staff.ts';

/**
 * What officials stumbled on in the console: a queue longer than one page, a refusal in English
 * out of sight at the bottom of a long card, a word too long for the screen, the curator's queue
 * naming answer kinds by their codes, a returned answer the executor could not correct, a
 * console session that outlived the API key it was opened with, no page for official mailings,
 * a contest's entries past the API's page of 100, and KPI 7 far over its limit drawn as a full
 * green bar under a target of "≤ 0 %", a saved draft's "done" wiped by the page it opens, and a
 * poll form whose mistakes came back as "endsAt: must be after startsAt", and a message published
 * by mistake that could not be withdrawn (nor told apart from an unpublished one), and a draft
 * poll whose typo could not be corrected, no way to close the access of an official who left, and
 * an operator's list of everyone's sessions that never said whose each one was, and an operator's
 * queue and card that never said which municipality a message is from.
 */
// Code passed to page.evaluate runs in the page; these stand for its globals (no DOM lib here).
interface Meter {
  value: number;
  low: number;
  high: number;
  optimum: number;
}
declare const innerHeight: number;

const MINUTE = 60_000;
const now = new Date('2026-12-01T03:00:00.000Z');
const ids = { oldest: 0, long: 0, returned: 0, answer: 0 };
const LONG_WORD = 'ОченьДлинноеСловоБезПробелов'.repeat(12);

const world = consoleTestPerFile({ clock: () => now, env: { MAP_TILE_URL: 'http://127.0.0.1:9/{z}/{x}/{y}.png' } });
beforeAll(async () => {
  const db = world.db.db;
  const pothole = await categoryId(db, 'roads.pothole');
  // 27 new messages: more than the API's page of 25.
  for (let i = 27; i >= 1; i--) {
    const filedAt = new Date(now.getTime() - i * MINUTE);
    const residentId = await registeredResident(db, { municipalityId: world.kemerovo, now: filedAt });
    const text = i === 1 ? `Жалоба: ${LONG_WORD}` : `Яма у дома ${i}`;
    const id = (await fileMessage(db, { residentId, categoryId: pothole, text, point: KEMEROVO_CENTER, address: `ул. Весенняя, ${i}`, channel: 'tg' }, filedAt)).message.id;
    if (i === 27) ids.oldest = id;
    if (i === 1) ids.long = id;
  }
  ids.returned = await messageInWork(db, { municipalityId: world.kemerovo, acceptedAt: new Date(now.getTime() - 2 * 86_400_000) });
  // Overdue (in work 15 days): KPI 7's share is far over its 0.3 % limit.
  await messageInWork(db, { municipalityId: world.kemerovo, acceptedAt: new Date(now.getTime() - 15 * 86_400_000) });
  const { answer } = await draftAnswer(db, { messageId: ids.returned, kind: 'intermediate', text: 'Отремонтируем', actor: { kind: 'staff', staffId: world.staff.executor } }, now);
  ids.answer = answer.id;
}, 120_000);

const queueRows = (page: Page) => page.locator('main table').first().locator('tbody tr');

describe('the console where officials stumbled', () => {
  it("a moderator's queue longer than a page loads the rest with «more»", async () => {
    const page = await world.signIn(world.staff.moderator);
    await page.getByRole('link', { name: `${ru('queue.open')} ${ids.long}`, exact: true }).waitFor();
    expect(await queueRows(page).count()).toBe(25);
    await expect(page.getByRole('link', { name: `${ru('queue.open')} ${ids.oldest}`, exact: true }).count()).resolves.toBe(0);
    await page
      .getByRole('button', { name: ru('list.more') })
      .first()
      .click();
    await page.getByRole('link', { name: `${ru('queue.open')} ${ids.oldest}`, exact: true }).waitFor();
    expect(await queueRows(page).count()).toBe(27);
    await page.context().close();
  }, 60_000);

  it('a long word stays on screen; a refusal is said in Russian and stays in sight at the bottom of the card', async () => {
    const page = await world.signIn(world.staff.moderator);
    await page.goto(`${world.harness.url}/console#/message/${ids.long}`);
    await page.getByRole('heading', { name: ru('card.title', { id: ids.long }) }).waitFor();
    expect(await sidewaysOverflow(page)).toBe(0);
    // A duplicate of itself: the API refuses (422 DUPLICATE_OF_SELF).
    await page.getByLabel(ru('moderation.duplicate_of')).fill(String(ids.long));
    await page.getByLabel(ru('moderation.duplicate_of')).press('Enter');
    const notice = page.getByRole('status');
    await notice.waitFor();
    expect(await notice.textContent()).toBe(ru('error.generic', { detail: ru('error.code.DUPLICATE_OF_SELF') }));
    const box = await notice.boundingBox();
    expect(box && box.y >= 0 && box.y + box.height <= (await page.evaluate(() => innerHeight))).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-refusal-in-sight.png') });
    await page.context().close();
  }, 60_000);

  it('the curator reads answer kinds in words and returns an answer; the executor corrects it and sends it again', async () => {
    const curator = await world.signIn(world.staff.curator);
    const row = curator.locator('main table').first().locator('tbody tr').filter({ hasText: 'Отремонтируем' });
    await row.waitFor();
    expect(await row.locator('td').nth(1).textContent()).toBe(ru('answer.kind.intermediate'));
    await curator.context().close();
    await returnAnswer(world.db.db, { answerId: ids.answer, remark: 'Назовите срок', actor: { kind: 'staff', staffId: world.staff.curator } }, now);

    const executor = await world.signIn(world.staff.executor);
    await executor.goto(`${world.harness.url}/console#/message/${ids.returned}`);
    const corrected = executor.getByLabel(ru('act.revise_text'));
    expect(await corrected.inputValue()).toBe('Отремонтируем');
    await corrected.fill('Отремонтируем до 10 декабря');
    await executor.getByRole('button', { name: ru('act.revise') }).click();
    await executor.getByText(ru('answer.state.draft')).waitFor();
    const answer = await world.db.db.selectFrom('answer').select(['state', 'text']).where('id', '=', ids.answer).executeTakeFirstOrThrow();
    expect(answer).toEqual({ state: 'draft', text: 'Отремонтируем до 10 декабря' });
    await executor.context().close();
  }, 60_000);

  it('revoking an API key ends the console session opened with it', async () => {
    const db = world.db.db;
    const { key, token } = await issueKey(db, { staffId: world.staff.executor, createdBy: null }, now);
    const operator = await issueKey(db, { staffId: await operatorId(db), createdBy: null }, now);
    const page = await (await world.browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'ru-RU' })).newPage();
    await page.goto(`${world.harness.url}/console`);
    await page.getByRole('button', { name: ru('sign_in.key_toggle') }).click();
    await page.getByLabel(ru('sign_in.key')).fill(token);
    await page.getByRole('button', { name: ru('sign_in.submit'), exact: true }).click();
    await page.getByRole('link', { name: ru('nav.news'), exact: true }).waitFor();
    const revoked = await fetch(`${world.harness.url}/api/v1/keys/${key.id}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(revoked.status).toBe(200);
    // The page may notice the ended session by itself first (a request of the page it shows) and go
    // to the sign-in before the click: the link is then gone, and what follows is what counts.
    await page
      .getByRole('link', { name: ru('nav.news'), exact: true })
      .click({ timeout: 5_000 })
      .catch(() => undefined);
    await page.getByRole('heading', { name: ru('sign_in.title') }).waitFor();
    await page.getByText(ru('error.session_ended')).waitFor();
    await page.context().close();
  }, 60_000);

  it('a curator sends an official mailing to the subscribers of a topic and sees its progress; a moderator has no such page', async () => {
    const moderator = await world.signIn(world.staff.moderator);
    expect(await moderator.getByRole('link', { name: ru('nav.broadcasts') }).count()).toBe(0);
    await moderator.context().close();
    const curator = await world.signIn(world.staff.curator);
    await curator.getByRole('link', { name: ru('nav.broadcasts'), exact: true }).click();
    await curator.getByRole('heading', { name: ru('broadcasts.title'), exact: true }).waitFor();
    await curator.getByText(ru('queue.empty')).waitFor();
    await curator.getByLabel(ru('broadcasts.topic')).selectOption('news');
    await curator.getByLabel(ru('broadcasts.text')).fill('Завтра отключат воду на Весенней с 9 до 17');
    await curator.getByRole('button', { name: ru('broadcasts.send') }).click();
    await curator.getByRole('cell', { name: `Кемеровский городской округ · ${ru('broadcasts.topics.news')}` }).waitFor();
    const row = await world.db.db.selectFrom('broadcast').select(['municipality_id', 'topic', 'payload']).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ municipality_id: world.db.demo.municipalities.Kemerovo, topic: 'news' });
    expect(JSON.stringify(row.payload)).toContain('Завтра отключат воду');
    expect(await world.seriousViolations(curator)).toEqual([]);
    await curator.setViewportSize({ width: 390, height: 800 });
    expect(await sidewaysOverflow(curator)).toBe(0);
    await curator.screenshot({ path: path.join(ARTIFACTS, 'console-broadcasts.png'), fullPage: true });
    await curator.context().close();
  }, 60_000);

  it("a contest's entries past the first hundred are shown with «more» and stay shown after an action", async () => {
    const db = world.db.db;
    const day = 86_400_000;
    const contest = await createContest(
      db,
      {
        municipalityId: world.kemerovo,
        createdByStaffId: null,
        title: 'Снежный город',
        organiser: 'Администрация г. Кемерово',
        terms: 'Фото снежных фигур',
        topic: 'Зима',
        prizes: 'Сертификат',
        drawingFormat: 'random_draw',
        winnersCount: 1,
        entryKind: 'photo',
        entriesFrom: new Date(now.getTime() - day),
        entriesTo: new Date(now.getTime() + 5 * day),
        votingFrom: new Date(now.getTime() + 5 * day),
        votingTo: new Date(now.getTime() + 9 * day),
        resultsOn: new Date(now.getTime() + 10 * day),
      },
      now,
    );
    await publishContest(db, contest.id, now, null);
    await advanceContests(db, now);
    let last = 0;
    for (let i = 0; i < 101; i++) {
      const author = await registeredResident(db, { municipalityId: world.kemerovo, now });
      const media = await db
        .insertInto('media')
        .values({ sha256: i.toString(16).padStart(64, 'a'), mime: 'image/jpeg', kind: 'image', size_bytes: 100, municipality_id: world.kemerovo, created_by_staff_id: null, origin: 'tg' })
        .returning('id')
        .executeTakeFirstOrThrow();
      last = (
        await db.transaction().execute((trx) => submitEntry(trx, { contestId: contest.id, residentId: author, channel: 'tg', mediaId: media.id, mediaKind: 'photo', caption: `Работа ${i + 1}` }, now))
      ).id;
    }
    const curator = await world.signIn(world.staff.curator);
    await curator.goto(`${world.harness.url}/console#/contest/${contest.id}`);
    await curator.getByText('Работа 100', { exact: true }).waitFor();
    expect(await curator.getByText('Работа 101', { exact: true }).count()).toBe(0);
    await curator.getByRole('button', { name: ru('list.more') }).click();
    await curator.getByRole('button', { name: `${ru('contests.accept')} ${last}`, exact: true }).click();
    await curator.getByText(ru('act.done')).waitFor();
    await curator.getByText('Работа 101', { exact: true }).waitFor();
    // Reloaded with both pages: the entry is still there, accepted (no button left to accept it).
    await curator.getByRole('button', { name: `${ru('contests.accept')} ${last}`, exact: true }).waitFor({ state: 'detached' });
    await curator.getByText('Работа 101', { exact: true }).waitFor();
    const entry = await db.selectFrom('contest_entry').select('state').where('id', '=', last).executeTakeFirstOrThrow();
    expect(entry.state).toBe('accepted');
    await curator.context().close();
  }, 120_000);

  it('KPI 7 over its 0.3 % limit: the target reads "≤ 0,3 %" (a decimal comma in Russian) and the bar is in the meter\'s bad region', async () => {
    const curator = await world.signIn(world.staff.curator);
    await curator.getByRole('link', { name: ru('nav.kpi'), exact: true }).click();
    const row = curator.getByRole('row').filter({ hasText: 'Доля просроченных сообщений за год' });
    await row.waitFor();
    expect(await row.getByRole('cell').nth(3).textContent()).toBe('≤ 0,3 %');
    // The value too: far over the limit, written the Russian way.
    expect(await row.getByRole('cell').nth(2).textContent()).toMatch(/^\d+,\d %$/);
    const meter = await row.locator('meter').evaluate((m) => {
      const { value, low, high, optimum } = m as unknown as Meter;
      return { value, low, high, optimum };
    });
    // HTML's meter: an optimum below `low` makes [high, max] the "even less good" region.
    expect(meter.optimum).toBeLessThan(meter.low);
    expect(meter.value).toBeGreaterThanOrEqual(meter.high);
    await curator.screenshot({ path: path.join(ARTIFACTS, 'console-kpi-over-limit.png'), fullPage: true });
    await curator.context().close();
  }, 60_000);

  it('a news draft saved from the form says so on the list it opens; the next page clears it', async () => {
    const moderator = await world.signIn(world.staff.moderator);
    await moderator.goto(`${world.harness.url}/console#/news/new`);
    await moderator.getByLabel(ru('news.name')).fill('Отключение воды на Весенней');
    await moderator.getByLabel(ru('news.body'), { exact: true }).fill('Завтра с 9 до 17.');
    await moderator.getByRole('button', { name: ru('news.save') }).click();
    await moderator.getByRole('link', { name: 'Отключение воды на Весенней' }).waitFor();
    expect(await moderator.getByRole('status').textContent()).toBe(ru('act.done'));
    await moderator.getByRole('link', { name: ru('nav.events'), exact: true }).click();
    await moderator.getByRole('heading', { name: ru('events.title'), exact: true }).waitFor();
    expect(await moderator.getByRole('status').count()).toBe(0);
    await moderator.context().close();
  }, 60_000);

  it("a new poll's end before its start and a single option are said at the field in Russian; nothing is sent", async () => {
    const moderator = await world.signIn(world.staff.moderator);
    const sent: string[] = [];
    moderator.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/api/v1/polls') && sent.push(r.url()));
    await moderator.goto(`${world.harness.url}/console#/polls/new`);
    await moderator.getByLabel(ru('polls.name')).fill('Какой сквер благоустроить');
    await moderator.getByLabel(ru('polls.starts')).fill('2026-12-10T10:00');
    await moderator.getByLabel(ru('polls.ends')).fill('2026-12-09T10:00');
    await moderator.getByLabel(ru('polls.question')).fill('Какой сквер?');
    await moderator.getByLabel(ru('polls.options')).fill('Северный');
    await moderator.getByRole('button', { name: ru('polls.save') }).click();
    const ends = moderator.getByLabel(ru('polls.ends'));
    await expect.poll(() => ends.evaluate((el) => (el as unknown as { validationMessage: string }).validationMessage)).toBe(ru('polls.ends_after_starts'));
    await ends.fill('2026-12-17T10:00');
    await moderator.getByRole('button', { name: ru('polls.save') }).click();
    const options = moderator.getByLabel(ru('polls.options'));
    await expect.poll(() => options.evaluate((el) => (el as unknown as { validationMessage: string }).validationMessage)).toBe(ru('polls.options_count', { n: 1 }));
    expect(sent).toEqual([]);
    await options.fill('Северный\nЮжный');
    await moderator.getByRole('button', { name: ru('polls.save') }).click();
    await moderator.getByRole('heading', { name: 'Какой сквер благоустроить' }).waitFor();
    expect(sent).toHaveLength(1);
    await moderator.context().close();
  }, 60_000);

  it('a moderator sees whether a message is published and withdraws one published by mistake', async () => {
    const db = world.db.db;
    const id = await messageInWork(db, { municipalityId: world.db.demo.municipalities.Kemerovo, acceptedAt: new Date(now.getTime() - 86_400_000) });
    const moderator = await world.signIn(world.staff.moderator);
    await moderator.goto(`${world.harness.url}/console#/message/${id}`);
    await moderator.getByText(ru('card.published_no'), { exact: true }).waitFor();
    await moderator.getByRole('button', { name: ru('act.publish'), exact: true }).click();
    await moderator.getByText(ru('card.published_yes'), { exact: true }).waitFor();
    await moderator.getByRole('button', { name: ru('act.unpublish'), exact: true }).click();
    await moderator.getByText(ru('card.published_no'), { exact: true }).waitFor();
    expect((await db.selectFrom('message').select('published').where('id', '=', id).executeTakeFirstOrThrow()).published).toBe(false);
    await moderator.context().close();
  }, 60_000);

  it('a moderator corrects a draft poll: its title and options change, a wrong end is said at the field', async () => {
    const db = world.db.db;
    const week = { startsAt: new Date(now.getTime() + 86_400_000), endsAt: new Date(now.getTime() + 8 * 86_400_000) };
    const questions = [{ kind: 'single' as const, text: 'Какой сквер?', options: ['Севрный', 'Южный'] }];
    const poll = await createPoll(db, { municipalityId: world.db.demo.municipalities.Kemerovo, kind: 'poll', title: 'Опрос о скврере', ...week, questions }, null, now);
    const moderator = await world.signIn(world.staff.moderator);
    await moderator.goto(`${world.harness.url}/console#/poll/${poll.id}`);
    await moderator.getByText(ru('polls.edit')).click();
    const ends = moderator.getByLabel(ru('polls.ends'));
    const starts = await moderator.getByLabel(ru('polls.starts')).inputValue();
    await ends.fill(starts);
    await moderator.getByRole('button', { name: ru('polls.save_changes') }).click();
    await expect.poll(() => ends.evaluate((el) => (el as unknown as { validationMessage: string }).validationMessage)).toBe(ru('polls.ends_after_starts'));
    await ends.fill('2026-12-12T18:00');
    await moderator.getByLabel(ru('polls.name')).fill('Опрос о сквере');
    await moderator.getByLabel(ru('polls.options')).fill('Северный\nЮжный');
    await moderator.getByRole('button', { name: ru('polls.save_changes') }).click();
    await moderator.getByRole('heading', { name: 'Опрос о сквере', exact: true }).waitFor();
    const row = await db.selectFrom('poll').select(['title', 'state']).where('id', '=', poll.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ title: 'Опрос о сквере', state: 'draft' });
    await moderator.getByRole('listitem').filter({ hasText: 'Северный' }).first().waitFor();
    await moderator.context().close();
  }, 60_000);

  it('a poll published ahead of its start says residents are told when it opens, and nothing is announced before; closed early, it says it was not announced', async () => {
    const db = world.db.db;
    const questions = [{ kind: 'single' as const, text: 'Нужна ли горка?', options: ['Да', 'Нет'] }];
    const poll = await createPoll(
      db,
      {
        municipalityId: world.db.demo.municipalities.Kemerovo,
        kind: 'poll',
        title: 'Горка во дворе',
        startsAt: new Date(now.getTime() + 86_400_000),
        endsAt: new Date(now.getTime() + 8 * 86_400_000),
        questions,
      },
      null,
      now,
    );
    const curator = await world.signIn(world.staff.curator);
    await curator.goto(`${world.harness.url}/console#/poll/${poll.id}`);
    await curator.getByRole('button', { name: ru('polls.publish'), exact: true }).click();
    await curator.getByText(ru('polls.announce_pending'), { exact: true }).waitFor();
    expect(await db.selectFrom('broadcast').select('id').where('source', '=', `poll:${poll.id}`).execute()).toEqual([]);
    await curator.getByRole('button', { name: ru('polls.close'), exact: true }).click();
    await curator.getByText(ru('polls.not_announced'), { exact: true }).waitFor();
    await curator.context().close();
  }, 60_000);

  it('an operator closes the access of an official who left: their open session ends; the access comes back', async () => {
    const db = world.db.db;
    const leaving = await world.signIn(world.staff.utilityExecutor);
    const operator = await world.signIn(await operatorId(db));
    await operator.goto(`${world.harness.url}/console#/staff/${world.staff.utilityExecutor}`);
    await operator.getByRole('button', { name: ru('staff_card.deactivate') }).click();
    await operator.getByRole('button', { name: ru('staff_card.activate') }).waitFor();
    expect((await db.selectFrom('staff').select('active').where('id', '=', world.staff.utilityExecutor).executeTakeFirstOrThrow()).active).toBe(false);
    await leaving.getByRole('link', { name: ru('nav.news'), exact: true }).click();
    await leaving.getByRole('heading', { name: ru('sign_in.title') }).waitFor();
    await operator.getByRole('button', { name: ru('staff_card.activate') }).click();
    await operator.getByRole('button', { name: ru('staff_card.deactivate') }).waitFor();
    expect((await db.selectFrom('staff').select('active').where('id', '=', world.staff.utilityExecutor).executeTakeFirstOrThrow()).active).toBe(true);
    expect(await world.seriousViolations(operator)).toEqual([]);
    for (const page of [leaving, operator]) await page.context().close();
  }, 60_000);

  it("an operator's list of sessions says whose each one is", async () => {
    const moderator = await world.signIn(world.staff.moderator);
    const operator = await world.signIn(await operatorId(world.db.db));
    await operator.getByRole('link', { name: ru('nav.sessions'), exact: true }).click();
    await operator.getByRole('heading', { name: ru('sessions.title_all') }).waitFor();
    const name = (await world.db.db.selectFrom('staff').select('full_name').where('id', '=', world.staff.moderator).executeTakeFirstOrThrow()).full_name;
    await operator.getByRole('cell', { name, exact: true }).first().waitFor();
    await operator
      .getByRole('cell', { name: ru('sessions.you'), exact: true })
      .first()
      .waitFor();
    for (const page of [moderator, operator]) await page.context().close();
  }, 60_000);

  it("an operator's queue and card say which municipality each message is from", async () => {
    const db = world.db.db;
    const belovo = world.db.demo.municipalities.Belovo;
    const residentId = await registeredResident(db, { municipalityId: belovo, now });
    const pothole = await categoryId(db, 'roads.pothole');
    const id = (await fileMessage(db, { residentId, categoryId: pothole, text: 'Яма у рынка', point: { lat: 54.4166, lon: 86.2975 }, channel: 'tg' }, now)).message.id;
    const operator = await world.signIn(await operatorId(db));
    const row = operator.getByRole('row').filter({ has: operator.getByRole('link', { name: `${ru('queue.open')} ${id}`, exact: true }) });
    await row.getByText('Беловский городской округ').waitFor();
    await operator.goto(`${world.harness.url}/console#/message/${id}`);
    await operator.getByRole('definition').filter({ hasText: 'Беловский городской округ' }).waitFor();
    await operator.context().close();
  }, 60_000);
});
