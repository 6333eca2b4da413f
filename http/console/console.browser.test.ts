import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTranslator } from '../../bots/i18n.ts';
import { createStaff } from '../../core/access/staff.service.ts';
import { createContest, publishContest, advanceContests, submitEntry } from '../../core/contests/contests.ts';
import { addComment } from '../../core/item-comments/comments.service.ts';
import { createNews, publishNews } from '../../core/news/news.service.ts';
import { intakeIncident } from '../../core/incidents/incidents.service.ts';
import { approveAnswer, draftAnswer } from '../../core/messages/answers.service.ts';
import { fileMessage } from '../../core/messages/filing.service.ts';
import { askQuestion, createDirectLine } from '../../core/polls/direct-line.ts';
import { castBallot, createPoll, getPoll } from '../../core/polls/polls.ts';
import { newChat, type Chat } from '../../test/bots/chats.ts';
import type { BotHarness } from '../../test/bots/harness.ts';
import type { TestDatabase } from '../../test/database.ts';
import { categoryId, KEMEROVO_CENTER, registeredResident } from '../../test/residents.ts';
import { operatorId } from '../../test/staff.ts';
import { ARTIFACTS, consoleTestPerFile, navOf, ru, sidewaysOverflow } from '../../test/console-browser.ts';

/**
 * The web console in a real browser (Debian's Chromium through playwright-core) against the whole
 * app and its fake messengers: officials sign in with a code the bot sends them, a moderator
 * accepts a message, the executor answers, the curator approves, and the resident's chat gets the
 * answer. Screenshots go to test-artifacts/; an axe-core check finds no serious violations.
 */
// Code passed to page.evaluate runs in the page; this stands for its global (no DOM lib here).
declare const document: unknown;
const t = createTranslator();

let db: TestDatabase;
let harness: BotHarness;
let browser: Browser;
const now = new Date('2026-12-01T03:00:00.000Z');
let resident: Chat;
let kemerovoMessage = 0;
let belovoMessage = 0;
let kemerovoIncident = 0;
let belovoIncident = 0;
let noiseIncident = 0;
let belovoPoll = 0;
let directLine = 0;

const world = consoleTestPerFile({ clock: () => now });
beforeAll(async () => {
  ({ db, harness, browser } = world);
  resident = newChat(harness, 'tg', 'Житель');
  const residentId = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo, externalId: resident.externalId, now });
  const pothole = await categoryId(db.db, 'roads.pothole');
  kemerovoMessage = (
    await fileMessage(db.db, { residentId, categoryId: pothole, text: 'Яма на проспекте Ленина у остановки «Цирк»', point: KEMEROVO_CENTER, address: 'пр. Ленина, 90', channel: 'tg' }, now)
  ).message.id;
  const belovoResident = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Belovo, now });
  belovoMessage = (await fileMessage(db.db, { residentId: belovoResident, categoryId: pothole, text: 'Яма в Белово', point: { lat: 54.4166, lon: 86.2975 }, channel: 'tg' }, now)).message.id;
  // Open-source items in both towns, a Belovo poll, a Kemerovo direct-line campaign.
  const intake = (municipalityId: number, text: string, url: string, photos: string[] = []) =>
    intakeIncident(db.db, { municipalityId, source: 'vk_page', sourceUrl: url, authorName: 'Житель', text, postedAt: now, point: KEMEROVO_CENTER, photos }, now);
  // The Kemerovo item's photos on VK's file servers, copied by the app's copier after the intake: the
  // first download fails (tried again later: waiting), the second is a real PNG, the third is gone.
  harness.vkFake.files.set(INCIDENT_PHOTOS[1]!, { bytes: PIXEL_PNG, contentType: 'image/png' });
  harness.vkFake.failDownloads(1);
  kemerovoIncident = (await intake(db.demo.municipalities.Kemerovo, 'Во дворе на Весенней, 5 огромная яма, машины бьют колёса', 'https://vk.com/wall-1_101', INCIDENT_PHOTOS)).incident.id;
  await harness.app.photoCopier.runOnce();
  noiseIncident = (await intake(db.demo.municipalities.Kemerovo, 'Поздравляем всех с Днём города!', 'https://vk.com/wall-1_102')).incident.id;
  belovoIncident = (await intake(db.demo.municipalities.Belovo, 'Беловская яма у рынка', 'https://vk.com/wall-2_202')).incident.id;
  const week = { startsAt: now, endsAt: new Date(now.getTime() + 7 * 86_400_000) };
  const single = [{ kind: 'single' as const, text: 'Какой сквер благоустроить?', options: ['Северный', 'Южный'] }];
  belovoPoll = (await createPoll(db.db, { municipalityId: db.demo.municipalities.Belovo, kind: 'poll', title: 'Беловский опрос о сквере', ...week, questions: single }, null, now)).id;
  directLine = (
    await createDirectLine(
      db.db,
      { municipalityId: db.demo.municipalities.Kemerovo, title: 'Прямая линия с главой города', headName: 'Глава города', collectFrom: now, collectTo: week.endsAt, broadcastOn: '2026-12-10' },
      null,
      now,
    )
  ).id;
  const asker = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo, now });
  await askQuestion(db.db, { directLineId: directLine, residentId: asker, channel: 'tg', text: 'Когда отремонтируют дорогу на улице Терешковой?' }, now);
}, 120_000);

const signIn = (staffId: number) => world.signIn(staffId);
const seriousViolations = (page: Page) => world.seriousViolations(page);

/** A 1×1 PNG the browser decodes, and the Kemerovo item's three photos on VK's file servers. */
const PIXEL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const INCIDENT_PHOTOS = ['https://sun9-3.userapi.com/impg/wait.jpg', 'https://sun9-3.userapi.com/impg/copied.jpg', 'https://sun9-3.userapi.com/impg/gone.jpg'];

const statusOf = async (id: number) => (await db.db.selectFrom('message').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

describe('the web console in Chromium', () => {
  it('sign-in page: Russian first, accessible, a wrong code is refused with a clear text', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    await page.goto(`${harness.url}/console`);
    await page.getByRole('heading', { name: ru('sign_in.title') }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('ru');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel(ru('sign_in.code')).fill('AAAAA-BBBBB');
    await page.getByRole('button', { name: ru('sign_in.submit'), exact: true }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: ru('sign_in.failed') })
      .waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-sign-in.png') });
    await page.context().close();
  }, 60_000);

  it('moderator accepts, executor answers, curator approves; the resident gets the answer; Kemerovo never sees Belovo', async () => {
    // The moderator's queue: new messages of Kemerovo only.
    const moderator = await signIn(world.staff.moderator);
    await moderator.getByRole('heading', { name: ru('queue.title.moderator') }).waitFor();
    // The heading shows before the list has loaded: wait for a row before reading the page.
    await moderator.locator('main').getByText('Яма на проспекте Ленина').first().waitFor();
    const queueText = await moderator.locator('main').textContent();
    expect(queueText).toContain('Яма на проспекте Ленина');
    expect(queueText).not.toContain('Беловский городской округ');
    expect(await seriousViolations(moderator)).toEqual([]);
    await moderator.screenshot({ path: path.join(ARTIFACTS, 'console-queue.png') });
    // Not by URL either: the card of a Belovo message is the API's 404.
    await moderator.goto(`${harness.url}/console#/message/${belovoMessage}`);
    await moderator.getByRole('status').waitFor();
    expect(await moderator.locator('main').textContent()).not.toContain('Беловский городской округ');
    // A state change without the CSRF header is refused even with the cookie.
    const forged = await moderator.evaluate(
      async (id) => (await fetch(`/api/v1/messages/${id}/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status,
      kemerovoMessage,
    );
    expect(forged).toBe(403);
    expect(await statusOf(kemerovoMessage)).toBe('new');

    await moderator.goto(`${harness.url}/console#/queue`);
    await moderator.getByRole('link', { name: `${ru('queue.open')} ${kemerovoMessage}` }).click();
    await moderator.getByRole('heading', { name: ru('card.title', { id: kemerovoMessage }) }).waitFor();
    expect(await seriousViolations(moderator)).toEqual([]);
    await moderator.screenshot({ path: path.join(ARTIFACTS, 'console-card.png') });
    await moderator.getByRole('button', { name: ru('act.accept') }).click();
    await moderator
      .getByRole('status')
      .filter({ hasText: ru('act.done') })
      .waitFor();
    expect(await statusOf(kemerovoMessage)).toBe('in_work');
    // The history speaks the official's language, not the event kinds of the database.
    await moderator.locator('main').getByText(ru('history.accepted')).first().waitFor();
    expect(await moderator.locator('main').textContent()).toContain(ru('history.filed'));
    expect(await moderator.locator('main').textContent()).not.toMatch(/· (filed|accepted)\b/);

    // The executor (routing rules chose the city administration) answers from their queue.
    const executor = await signIn(world.staff.executor);
    await executor.getByRole('heading', { name: ru('queue.title.executor') }).waitFor();
    await executor.getByRole('link', { name: `${ru('queue.open')} ${kemerovoMessage}` }).click();
    await executor.getByLabel(ru('act.answer_kind')).selectOption('final_solved');
    await executor.getByLabel(ru('act.answer_text')).fill('Яму заделали 30 ноября, спасибо за сообщение.');
    await executor.getByRole('button', { name: ru('act.send') }).click();
    await executor
      .getByRole('status')
      .filter({ hasText: ru('act.done') })
      .waitFor();
    const draft = await db.db.selectFrom('answer').selectAll().where('message_id', '=', kemerovoMessage).executeTakeFirstOrThrow();
    expect(draft).toMatchObject({ state: 'draft', kind: 'final', resolution: 'solved' });

    // The curator approves from the list of answers waiting for them.
    const curator = await signIn(world.staff.curator);
    await curator.getByRole('heading', { name: ru('queue.title.curator') }).waitFor();
    await curator
      .getByRole('link', { name: ru('queue.open') })
      .first()
      .click();
    await curator.getByRole('button', { name: ru('act.approve') }).click();
    await curator
      .getByRole('status')
      .filter({ hasText: ru('act.done') })
      .waitFor();
    expect(await statusOf(kemerovoMessage)).toBe('solved');
    // The card says where the approved answer is: queued for the resident's messenger, then delivered.
    await curator.getByText(new RegExp(ru('answer.delivery.queued', { at: '.+', attempts: '\\d+' }))).waitFor();

    await resident.deliverOutbox();
    expect(resident.replyTexts.join('\n')).toContain('Яму заделали 30 ноября');
    await curator.reload();
    await curator.getByText(ru('answer.state.delivered'), { exact: false }).first().waitFor();
    expect(await curator.locator('main').textContent()).not.toContain(ru('answer.delivery.cancelled').split(':')[0]);
    for (const page of [moderator, executor, curator]) await page.context().close();
  }, 120_000);

  it('English is complete, and an ended session returns to the sign-in form', async () => {
    const page = await signIn(world.staff.moderator);
    await page.getByRole('button', { name: ru('nav.language') }).click();
    await page.getByRole('link', { name: t('en', 'console.nav.queue') }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    // The new pages in English: their headings, and no key shown in place of a missing text.
    for (const [nav, heading] of [
      ['incidents', 'incidents.title'],
      ['polls', 'polls.title'],
      ['direct-lines', 'direct_lines.title'],
    ]) {
      await page.getByRole('link', { name: t('en', `console.nav.${nav}`) }).click();
      await page.getByRole('heading', { name: t('en', `console.${heading}`) }).waitFor();
      await page.waitForLoadState('networkidle');
      expect(await page.locator('body').textContent()).not.toMatch(/\b[a-z_]+\.[a-z_]+(\.[a-z_]+)*\b/);
    }
    await page.getByRole('link', { name: t('en', 'console.nav.sessions') }).click();
    await page.getByRole('heading', { name: t('en', 'console.sessions.title') }).waitFor();
    // Ending a session asks first; the page's own session says so, and «keep» leaves it alive.
    const current = page.getByRole('row').filter({ hasText: t('en', 'console.sessions.current') });
    await current.getByRole('button', { name: t('en', 'console.sessions.revoke') }).click();
    await page.getByText(t('en', 'console.sessions.revoke_current_confirm')).waitFor();
    await page.getByRole('button', { name: t('en', 'console.confirm.keep') }).click();
    await current.getByRole('button', { name: t('en', 'console.sessions.revoke') }).click();
    await page.getByRole('button', { name: t('en', 'console.confirm.end') }).click();
    await page.getByRole('heading', { name: t('en', 'console.sign_in.title') }).waitFor();
    await page.context().close();
  }, 60_000);
  it('the nav shows each role only its pages', async () => {
    const moderator = await signIn(world.staff.moderator);
    expect(await navOf(moderator)).toEqual(['queue', 'incidents', 'polls', 'direct-lines', 'news', 'events', 'contests', 'kpi', 'comments', 'sessions', 'map'].map((p) => ru(`nav.${p}`)));
    const executor = await signIn(world.staff.executor);
    expect(await navOf(executor)).toEqual(['queue', 'news', 'events', 'contests', 'kpi', 'sessions', 'map'].map((p) => ru(`nav.${p}`)));
    // A page the role may not use is not opened by URL either: the queue is shown instead.
    await executor.goto(`${harness.url}/console#/incidents`);
    await executor.getByRole('heading', { name: ru('queue.title.executor') }).waitFor();
    // The KPI page is theirs (README "Admin API": executors read their municipality's figures): it
    // shows the indicators and the executors' rating, no refusal.
    await executor.getByRole('link', { name: ru('nav.kpi'), exact: true }).click();
    await executor.getByRole('heading', { name: ru('kpi.title') }).waitFor();
    await executor.locator('table.kpi').waitFor();
    expect(await executor.locator('main').textContent()).not.toContain(ru('error.code.FORBIDDEN'));
    expect(
      await executor
        .getByRole('status')
        .filter({ hasText: ru('error.code.FORBIDDEN') })
        .count(),
    ).toBe(0);
    // The heat map opens with the console's session, no API key asked; Kemerovo's points only.
    await moderator.getByRole('link', { name: ru('nav.map'), exact: true }).click();
    await moderator.waitForURL('**/map');
    await expect.poll(() => moderator.locator('#count').textContent(), { timeout: 15_000 }).toMatch(/\d/);
    expect(await moderator.locator('#key-form').isVisible()).toBe(false);
    const shown = await moderator.evaluate(() => (document as { querySelector(s: string): { otklikMap: { markerIds(): number[] } } }).querySelector('#map').otklikMap.markerIds());
    expect(shown).toContain(kemerovoMessage);
    expect(shown).not.toContain(belovoMessage);
    for (const page of [moderator, executor]) await page.context().close();
  }, 60_000);

  it('a curator triages an incident into a message; Kemerovo never sees the Belovo item', async () => {
    const curator = await signIn(world.staff.curator);
    expect(await navOf(curator)).toEqual(
      ['queue', 'incidents', 'polls', 'direct-lines', 'news', 'events', 'broadcasts', 'contests', 'kpi', 'comments', 'directories', 'audit', 'sessions', 'map'].map((p) => ru(`nav.${p}`)),
    );
    await curator.getByRole('link', { name: ru('nav.incidents') }).click();
    await curator.getByRole('heading', { name: ru('incidents.title') }).waitFor();
    await curator.getByText('Во дворе на Весенней').waitFor();
    expect(await curator.locator('main').textContent()).not.toContain('Беловская');
    // The list shows an item's first copy as a thumbnail, from the list's own photoCopies, and how many
    // photos it has; VK's links are never shown as images, an item without photos has none.
    const thumb = curator.getByRole('img', { name: ru('incidents.thumb', { id: kemerovoIncident }) });
    await thumb.waitFor();
    expect(await thumb.getAttribute('src')).toBe(`/api/v1/incidents/${kemerovoIncident}/photos/1`);
    await expect.poll(() => thumb.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(1);
    const row = curator.getByRole('row').filter({ has: thumb });
    expect(await row.textContent()).toContain(ru('incidents.photo_count', { count: 3, copied: 1 }));
    expect(await curator.getByRole('img', { name: ru('incidents.thumb', { id: noiseIncident }) }).count()).toBe(0);
    const sources = await curator.locator('main img').evaluateAll((imgs) => imgs.map((img) => img.getAttribute('src') ?? ''));
    expect(sources.filter((src) => !src.startsWith('/api/v1/incidents/'))).toEqual([]);
    expect(await seriousViolations(curator)).toEqual([]);
    await curator.screenshot({ path: path.join(ARTIFACTS, 'console-incidents.png') });
    // The Belovo item's card by URL is the API's 404.
    await curator.goto(`${harness.url}/console#/incident/${belovoIncident}`);
    await curator
      .getByRole('status')
      .filter({ hasText: ru('error.not_found') })
      .waitFor();
    expect(await curator.locator('main').textContent()).not.toContain('Беловская');

    await curator.goto(`${harness.url}/console#/incidents`);
    await curator.getByRole('link', { name: `${ru('queue.open')} ${ru('incidents.item', { id: kemerovoIncident })}` }).click();
    await curator.getByRole('heading', { name: ru('incidents.item', { id: kemerovoIncident }) }).waitFor();
    // The copied photo is shown from our copy (the session cookie goes with it), decoded, the same bytes;
    // the two without a copy link to VK with why.
    const copied = curator.getByRole('img', { name: `${ru('card.photos')} 2` });
    await copied.waitFor();
    expect(await copied.getAttribute('src')).toBe(`/api/v1/incidents/${kemerovoIncident}/photos/1`);
    await expect.poll(() => copied.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(1);
    const served = await curator.evaluate(async (src) => Array.from(new Uint8Array(await (await fetch(src)).arrayBuffer())), `/api/v1/incidents/${kemerovoIncident}/photos/1`);
    expect(Buffer.from(served)).toEqual(PIXEL_PNG);
    expect(await curator.locator('main').getByRole('img').count()).toBe(1);
    for (const [n, state] of [
      [0, 'waiting'],
      [2, 'given_up'],
    ] as const) {
      const item = curator.getByRole('listitem').filter({ hasText: ru(`incidents.photo_states.${state}`) });
      expect(await item.getByRole('link', { name: `${ru('card.photos')} ${n + 1}` }).getAttribute('href')).toBe(INCIDENT_PHOTOS[n]);
    }
    const pothole = await categoryId(db.db, 'roads.pothole');
    await curator.getByLabel(ru('incidents.category')).selectOption(String(pothole));
    expect(await seriousViolations(curator)).toEqual([]);
    await curator.screenshot({ path: path.join(ARTIFACTS, 'console-incident-card.png') });
    await curator.getByRole('button', { name: ru('incidents.accept') }).click();
    await curator
      .getByRole('status')
      .filter({ hasText: ru('act.done') })
      .waitFor();
    const incident = await db.db.selectFrom('incident').select(['state', 'message_id', 'municipality_id']).where('id', '=', kemerovoIncident).executeTakeFirstOrThrow();
    expect(incident).toMatchObject({ state: 'accepted', municipality_id: db.demo.municipalities.Kemerovo });
    const message = await db.db.selectFrom('message').select(['status', 'category_id', 'open_source', 'executor_id']).where('id', '=', incident.message_id!).executeTakeFirstOrThrow();
    expect(message).toMatchObject({ status: 'in_work', category_id: pothole, open_source: true });
    expect(message.executor_id).not.toBeNull();
    // The card links to the message it became.
    await curator.getByRole('link', { name: ru('card.title', { id: incident.message_id }) }).click();
    await curator.getByRole('heading', { name: ru('card.title', { id: incident.message_id }) }).waitFor();

    // A monitored page's post is answered by hand: once the answer is approved, the curator records
    // the URL of the reply they posted under it.
    const messageId = incident.message_id!;
    const { answer } = await draftAnswer(db.db, { messageId, kind: 'final', resolution: 'solved', text: 'Яму заделают до 10 декабря.', actor: { kind: 'staff', staffId: world.staff.moderator } }, now);
    await approveAnswer(db.db, { answerId: answer.id, actor: { kind: 'staff', staffId: world.staff.curator } }, now);
    await curator.reload();
    await curator.getByLabel(ru('act.published_reply')).fill('https://vk.com/wall-1_101?reply=555');
    await curator.getByRole('button', { name: ru('act.save') }).click();
    await curator.getByRole('link', { name: 'https://vk.com/wall-1_101?reply=555' }).waitFor();
    expect(await db.db.selectFrom('message').select('published_reply_url').where('id', '=', messageId).executeTakeFirstOrThrow()).toEqual({
      published_reply_url: 'https://vk.com/wall-1_101?reply=555',
    });
    expect(await seriousViolations(curator)).toEqual([]);

    // An item that needs no answer is dismissed with a reason.
    await curator.goto(`${harness.url}/console#/incident/${noiseIncident}`);
    await curator.getByLabel(ru('incidents.reason')).fill('Поздравление, ответа не требует');
    await curator.getByRole('button', { name: ru('incidents.dismiss') }).click();
    await curator
      .getByRole('status')
      .filter({ hasText: ru('act.done') })
      .waitFor();
    const dismissed = await db.db.selectFrom('incident').select(['state', 'dismiss_reason', 'message_id']).where('id', '=', noiseIncident).executeTakeFirstOrThrow();
    expect(dismissed).toEqual({ state: 'dismissed', dismiss_reason: 'Поздравление, ответа не требует', message_id: null });

    // The directories of a curator: their municipality's executors and staff, nothing of Belovo.
    await curator.getByRole('link', { name: ru('nav.directories') }).click();
    await curator.getByRole('heading', { name: ru('directories.executors') }).waitFor();
    const directories = await curator.locator('main').textContent();
    expect(directories).toContain('Модератор (Кемерово)');
    expect(directories).not.toContain('(Белово)');
    expect(directories).not.toContain('Беловский');

    // On a phone the pages fit the screen's width (no sideways scrolling).
    await curator.setViewportSize({ width: 390, height: 844 });
    for (const hash of ['#/incidents', `#/incident/${kemerovoIncident}`, '#/polls', '#/directories', '#/audit', '#/news', '#/contests', '#/kpi', '#/comments']) {
      await curator.goto(`${harness.url}/console${hash}`);
      await curator.getByRole('heading', { level: 1 }).waitFor();
      await curator.waitForLoadState('networkidle');
      expect(await sidewaysOverflow(curator), hash).toBeLessThanOrEqual(0);
    }
    await curator.goto(`${harness.url}/console#/incidents`);
    await curator.getByRole('heading', { name: ru('incidents.title') }).waitFor();
    await curator.screenshot({ path: path.join(ARTIFACTS, 'console-incidents-phone.png'), fullPage: true });
    await curator.context().close();
  }, 120_000);

  it('a moderator creates and publishes a poll and sees its results; Kemerovo never sees the Belovo poll', async () => {
    const moderator = await signIn(world.staff.moderator);
    await moderator.getByRole('link', { name: ru('nav.polls') }).click();
    await moderator.getByRole('heading', { name: ru('polls.title') }).waitFor();
    expect(await moderator.locator('main').textContent()).not.toContain('Беловский');
    expect(await seriousViolations(moderator)).toEqual([]);
    await moderator.goto(`${harness.url}/console#/poll/${belovoPoll}`);
    await moderator
      .getByRole('status')
      .filter({ hasText: ru('error.not_found') })
      .waitFor();
    expect(await moderator.locator('main').textContent()).not.toContain('Беловский');

    await moderator.goto(`${harness.url}/console#/polls`);
    await moderator.getByRole('link', { name: ru('polls.create') }).click();
    await moderator.getByRole('heading', { name: ru('polls.create') }).waitFor();
    await moderator.getByLabel(ru('polls.name')).fill('Какой сквер благоустроить в 2027 году');
    // Local time of the municipality (the browser's zone is Asia/Novokuznetsk): 10:00 = 03:00 UTC.
    await moderator.getByLabel(ru('polls.starts')).fill('2026-12-01T10:00');
    await moderator.getByLabel(ru('polls.ends')).fill('2026-12-08T10:00');
    await moderator.getByLabel(ru('polls.question')).fill('Какой сквер?');
    await moderator.getByLabel(ru('polls.options')).fill('Сквер Волкова\nСквер Победы\n');
    expect(await seriousViolations(moderator)).toEqual([]);
    await moderator.getByRole('button', { name: ru('polls.save') }).click();
    await moderator.getByRole('heading', { name: 'Какой сквер благоустроить в 2027 году' }).waitFor();
    const row = await db.db.selectFrom('poll').select(['id', 'state', 'municipality_id', 'starts_at']).where('title', '=', 'Какой сквер благоустроить в 2027 году').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'draft', municipality_id: db.demo.municipalities.Kemerovo, starts_at: now });
    await moderator.getByRole('button', { name: ru('polls.publish') }).click();
    await moderator.getByRole('heading', { name: ru('polls.results') }).waitFor();
    expect((await getPoll(db.db, row.id)).state).toBe('published');

    // A resident votes in the bot's way; the results page counts the ballot.
    const poll = await getPoll(db.db, row.id);
    const voter = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo, now });
    const question = poll.questions[0]!;
    await castBallot(db.db, { pollId: poll.id, residentId: voter, channel: 'tg', answers: [{ questionId: question.id, optionIds: [question.options[1]!.id] }] }, new Date(now.getTime() + 60_000));
    await moderator.reload();
    const results = moderator.getByRole('table', { name: 'Какой сквер?' });
    await results.getByRole('row', { name: /Сквер Победы\s*1\s*100/ }).waitFor();
    expect(await seriousViolations(moderator)).toEqual([]);
    await moderator.screenshot({ path: path.join(ARTIFACTS, 'console-poll-results.png') });

    // Closed early, its results published, then the decision recorded (KPI 13); the voter is told.
    await moderator.getByRole('button', { name: ru('polls.close') }).click();
    await moderator.getByRole('button', { name: ru('polls.publish_results') }).click();
    await moderator.getByText(ru('polls.states.results_published')).waitFor();
    expect((await getPoll(db.db, row.id)).state).toBe('results_published');
    // A date still to come (today is 1 December in Kemerovo) is refused at the date field, in Russian; nobody is told.
    await moderator.getByLabel(ru('polls.decided_on')).fill('2026-12-09');
    await moderator.getByLabel(ru('polls.decided_by')).fill('Глава города');
    await moderator.getByLabel(ru('polls.decision_text')).fill('Благоустроим сквер Победы в 2027 году.');
    expect(await seriousViolations(moderator)).toEqual([]);
    await moderator.getByRole('button', { name: ru('polls.record_decision') }).click();
    const notFuture = ru('error.field', { field: ru('polls.decided_on'), problem: ru('error.problem.not_future') });
    await moderator.getByRole('status').filter({ hasText: notFuture }).waitFor();
    expect(await moderator.getByLabel(ru('polls.decided_on')).evaluate((el) => (el as unknown as { validationMessage: string }).validationMessage)).toBe(notFuture);
    expect(await db.db.selectFrom('poll_decision').select('id').where('poll_id', '=', row.id).execute()).toEqual([]);
    await moderator.getByLabel(ru('polls.decided_on')).fill('2026-12-01');
    await moderator.getByRole('button', { name: ru('polls.record_decision') }).click();
    await moderator.getByText(ru('polls.decision_recorded', { voters: 1 })).waitFor();
    const decision = await db.db.selectFrom('poll_decision').select(['text', 'decided_by', 'decided_on']).where('poll_id', '=', row.id).executeTakeFirstOrThrow();
    expect(decision).toMatchObject({ text: 'Благоустроим сквер Победы в 2027 году.', decided_by: 'Глава города' });
    await moderator.context().close();
  }, 120_000);

  it('an operator reads the directories, the audit log, the direct line and retries a dead outbox row', async () => {
    const operator = await signIn(await operatorId(db.db));
    expect(await navOf(operator)).toEqual(
      ['queue', 'incidents', 'polls', 'direct-lines', 'news', 'events', 'broadcasts', 'contests', 'kpi', 'comments', 'directories', 'audit', 'outbox', 'jobs', 'sessions', 'map'].map((p) =>
        ru(`nav.${p}`),
      ),
    );
    await operator.getByRole('link', { name: ru('nav.directories') }).click();
    await operator.getByRole('heading', { name: ru('directories.municipalities') }).waitFor();
    expect(await operator.locator('main').textContent()).toContain('Беловский городской округ');
    expect(await seriousViolations(operator)).toEqual([]);

    await operator.getByRole('link', { name: ru('nav.audit') }).click();
    // The curator's triage above (the tests of this file run in order, on one database).
    await operator.getByRole('cell', { name: 'incident.accept' }).waitFor();
    // Who did it, by name: the curator accepted the item.
    await operator.getByRole('row').filter({ hasText: 'incident.accept' }).getByRole('cell', { name: 'Куратор (Кемерово)' }).waitFor();
    expect(await seriousViolations(operator)).toEqual([]);
    // The filter by action, and a long list read page by page (100 a page).
    await db.db
      .insertInto('audit_log')
      .values(
        Array.from({ length: 120 }, (_, i) => ({
          staff_id: null,
          api_key_id: null,
          request_id: null,
          action: 'test.entry',
          entity: 'test',
          entity_id: String(i),
          municipality_id: null,
          data: '{}',
          created_at: now,
        })),
      )
      .execute();
    await operator.getByLabel(ru('audit.action')).fill('test.entry');
    await operator.getByRole('button', { name: ru('audit.filter') }).click();
    await operator.getByRole('cell', { name: 'test 119' }).waitFor();
    expect(await operator.locator('tbody tr').count()).toBe(100);
    expect(await operator.getByRole('cell', { name: 'incident.accept' }).count()).toBe(0);
    await operator.getByRole('button', { name: ru('list.more') }).click();
    await operator.getByRole('cell', { name: 'test 0', exact: true }).waitFor();
    expect(await operator.locator('tbody tr').count()).toBe(120);
    expect(await operator.getByRole('button', { name: ru('list.more') }).count()).toBe(0);

    await operator.getByRole('link', { name: ru('nav.direct-lines') }).click();
    await operator.getByRole('link', { name: 'Прямая линия с главой города' }).click();
    await operator.getByRole('heading', { name: ru('direct_lines.questions_of', { id: directLine }) }).waitFor();
    expect(await seriousViolations(operator)).toEqual([]);
    await operator.getByLabel(ru('direct_lines.answer')).fill('Ремонт улицы Терешковой начнётся в мае.');
    await operator.getByRole('button', { name: ru('direct_lines.send') }).click();
    await operator
      .getByRole('status')
      .filter({ hasText: ru('act.done') })
      .waitFor();
    const answered = await db.db.selectFrom('direct_line_question').select(['answer_text', 'selected']).where('direct_line_id', '=', directLine).executeTakeFirstOrThrow();
    expect(answered).toMatchObject({ answer_text: 'Ремонт улицы Терешковой начнётся в мае.', selected: true });
    await operator.getByText('Ремонт улицы Терешковой начнётся в мае.').waitFor();

    // A new campaign (an operator names the municipality).
    await operator.getByRole('link', { name: ru('direct_lines.back') }).click();
    await operator.getByRole('link', { name: ru('direct_lines.create') }).click();
    await operator.getByLabel(ru('incidents.municipality')).selectOption(String(db.demo.municipalities.Kemerovo));
    await operator.getByLabel(ru('direct_lines.name')).fill('Прямая линия по ЖКХ');
    await operator.getByLabel(ru('direct_lines.head')).fill('Глава города');
    await operator.getByLabel(ru('direct_lines.collect_from')).fill('2026-12-14T09:00');
    await operator.getByLabel(ru('direct_lines.collect_to')).fill('2026-12-20T18:00');
    await operator.getByLabel(ru('direct_lines.broadcast_on')).fill('2026-12-22');
    expect(await seriousViolations(operator)).toEqual([]);
    await operator.getByRole('button', { name: ru('direct_lines.save') }).click();
    await operator.getByRole('link', { name: 'Прямая линия по ЖКХ' }).waitFor();
    const created = await db.db.selectFrom('direct_line').select(['municipality_id', 'collect_from', 'broadcast_on']).where('title', '=', 'Прямая линия по ЖКХ').executeTakeFirstOrThrow();
    expect(created).toMatchObject({ municipality_id: db.demo.municipalities.Kemerovo, collect_from: new Date('2026-12-14T02:00:00Z') });

    const last = await db.db.selectFrom('outbox').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
    await db.db.updateTable('outbox').set({ state: 'dead', attempts: 4, last_error: 'Forbidden: bot was blocked by the user' }).where('id', '=', last.id).execute();
    await operator.getByRole('link', { name: ru('nav.outbox') }).click();
    await operator.getByRole('heading', { name: ru('outbox.title') }).waitFor();
    expect(await seriousViolations(operator)).toEqual([]);
    await operator.getByRole('button', { name: `${ru('outbox.retry')} ${last.id}` }).click();
    await operator
      .getByRole('status')
      .filter({ hasText: ru('act.done') })
      .waitFor();
    expect((await db.db.selectFrom('outbox').select('state').where('id', '=', last.id).executeTakeFirstOrThrow()).state).toBe('pending');
    await operator.context().close();
  }, 120_000);
  it('a responsible official and a curator see the 16 KPIs, pick a month, download the report and see the rating', async () => {
    const responsibleId = (await createStaff(db.db, { fullName: 'Ответственный (Кемерово)', role: 'responsible', municipalityId: db.demo.municipalities.Kemerovo })).id;
    const responsible = await signIn(responsibleId);
    // The browser on the server's clock: the picker's month is the server's running month.
    await responsible.clock.setFixedTime(now);
    expect(await navOf(responsible)).toEqual(['queue', 'polls', 'direct-lines', 'news', 'events', 'contests', 'kpi', 'sessions', 'map'].map((p) => ru(`nav.${p}`)));
    await responsible.getByRole('link', { name: ru('nav.kpi'), exact: true }).click();
    await responsible.getByRole('heading', { name: ru('kpi.title') }).waitFor();
    // The picker starts at the running month in Kuzbass (the server's clock, 2026-12-01 10:00 local).
    const month = 'декабрь 2026';
    const thisMonth = responsible.getByRole('table', { name: ru('kpi.indicators', { period: month }) });
    await thisMonth.waitFor();
    expect(await thisMonth.getByRole('row').count()).toBe(17); // the header and the 16 indicators
    await responsible.getByRole('heading', { name: ru('kpi.rating') }).waitFor();
    expect(await seriousViolations(responsible)).toEqual([]);
    await responsible.context().close();

    const curator = await signIn(world.staff.curator);
    await curator.clock.setFixedTime(now);
    await curator.getByRole('link', { name: ru('nav.kpi'), exact: true }).click();
    await curator.getByRole('table', { name: ru('kpi.indicators', { period: month }) }).waitFor();
    // Where the browser has no month picker (Firefox, desktop Safari: a text box), the field says its
    // format, and a month typed another way is refused at the field instead of doing nothing.
    await curator.locator('#period').evaluate((input) => {
      (input as unknown as { type: string }).type = 'text';
    });
    expect(await curator.getByLabel(ru('kpi.period')).getAttribute('placeholder')).toBe(ru('kpi.period_format'));
    await curator.getByLabel(ru('kpi.period')).fill('11.2026');
    await curator.getByRole('button', { name: ru('kpi.show') }).click();
    expect(await curator.locator('#period:invalid').count()).toBe(1);
    // The browser's refusal bubble shows the field's title under "Please match the requested format".
    expect(await curator.getByLabel(ru('kpi.period')).getAttribute('title')).toBe(ru('kpi.period_format'));
    await curator.getByRole('table', { name: ru('kpi.indicators', { period: month }) }).waitFor();
    await curator.getByLabel(ru('kpi.period')).fill('2026-11');
    await curator.getByRole('button', { name: ru('kpi.show') }).click();
    const november = curator.getByRole('table', { name: ru('kpi.indicators', { period: 'ноябрь 2026' }) });
    await november.waitFor();
    expect(await november.getByRole('row').count()).toBe(17);
    // Every status shown is one of the four, in Russian.
    const statuses = await november.locator('tbody tr td:nth-child(5)').allTextContents();
    const known = [...['met', 'on_track', 'at_risk', 'missed'].map((s) => ru(`kpi.statuses.${s}`)), ru('kpi.unavailable')];
    for (const status of statuses) expect(known).toContain(status);
    // The chart (Chart.js served from node_modules under the page's CSP) drew on its canvas, without errors.
    const errors: string[] = [];
    curator.on('pageerror', (e) => errors.push(String(e)));
    curator.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const chart = curator.getByRole('img', { name: ru('kpi.chart') });
    await chart.waitFor();
    // biome-ignore lint/suspicious/noExplicitAny: the page's canvas, typed without the DOM lib
    const drawn = await chart.evaluate((canvas: any) => ({
      width: canvas.width as number,
      colours: new Set(canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data).size as number,
    }));
    expect(drawn.width).toBeGreaterThan(100);
    expect(drawn.colours).toBeGreaterThan(10);
    expect(errors).toEqual([]);
    await curator.screenshot({ path: path.join(ARTIFACTS, 'console-kpi.png'), fullPage: true });
    // The report's links carry the session cookie (a same-origin GET).
    const xlsx = await curator.getByRole('link', { name: ru('kpi.download_xlsx'), exact: true }).getAttribute('href');
    expect(xlsx).toBe(`/api/v1/reports/monthly?municipalityId=${db.demo.municipalities.Kemerovo}&period=2026-11&format=xlsx&lang=ru`);
    const file = await curator.context().request.get(`${harness.url}${xlsx}`);
    expect(file.status()).toBe(200);
    expect(file.headers()['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect((await file.body()).subarray(0, 2).toString('latin1')).toBe('PK');
    const csv = await curator.context().request.get(`${harness.url}${await curator.getByRole('link', { name: ru('kpi.download_csv'), exact: true }).getAttribute('href')}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toContain('text/csv');
    expect(await seriousViolations(curator)).toEqual([]);
    await curator.context().close();
  }, 120_000);

  it('a moderator hides a comment with a reason and replies to another; Kemerovo never sees a Belovo comment', async () => {
    const news = async (municipalityId: number, title: string) => {
      const item = await createNews(db.db, { municipalityId, title, body: 'Текст новости', categoryId: null, mediaIds: [], link: null, pollId: null, publishAt: null, staffId: null }, now);
      return (await publishNews(db.db, item.id, now, null)).id;
    };
    const kemerovoNews = await news(db.demo.municipalities.Kemerovo, 'Новость Кемерова');
    const belovoNews = await news(db.demo.municipalities.Belovo, 'Новость Белова');
    const author = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo, now });
    const belovoAuthor = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Belovo, now });
    const rude = await addComment(
      db.db,
      { residentId: author, residentMunicipalityId: db.demo.municipalities.Kemerovo, target: { kind: 'news', id: kemerovoNews }, text: 'Грубый комментарий с оскорблениями' },
      now,
    );
    const question = await addComment(
      db.db,
      { residentId: author, residentMunicipalityId: db.demo.municipalities.Kemerovo, target: { kind: 'news', id: kemerovoNews }, text: 'Когда начнут ремонт?' },
      now,
    );
    await addComment(db.db, { residentId: belovoAuthor, residentMunicipalityId: db.demo.municipalities.Belovo, target: { kind: 'news', id: belovoNews }, text: 'Беловский комментарий' }, now);

    const moderator = await signIn(world.staff.moderator);
    await moderator.getByRole('link', { name: ru('nav.comments'), exact: true }).click();
    await moderator.getByRole('heading', { name: ru('comments.title') }).waitFor();
    await moderator.getByLabel(ru('comments.state')).selectOption('published');
    await moderator.getByRole('button', { name: ru('comments.show') }).click();
    await moderator.getByText('Грубый комментарий с оскорблениями').waitFor();
    expect(await moderator.getByText('Беловский комментарий').count()).toBe(0);
    expect(await seriousViolations(moderator)).toEqual([]);

    await moderator.getByLabel(`${ru('comments.reason')} ${rude.id}`, { exact: true }).fill('Оскорбления');
    await moderator.getByRole('button', { name: `${ru('comments.hide')} ${rude.id}`, exact: true }).click();
    await moderator
      .getByRole('status')
      .filter({ hasText: ru('act.done') })
      .waitFor();
    const hidden = await db.db.selectFrom('item_comment').select(['state', 'hidden_reason']).where('id', '=', rude.id).executeTakeFirstOrThrow();
    expect(hidden).toEqual({ state: 'hidden', hidden_reason: 'Оскорбления' });
    await moderator.getByText('Грубый комментарий с оскорблениями').waitFor({ state: 'detached' });

    await moderator.getByLabel(`${ru('comments.reply')} ${question.id}`, { exact: true }).fill('Ремонт начнётся весной.');
    await moderator.getByRole('button', { name: `${ru('comments.send')} ${question.id}`, exact: true }).click();
    await moderator.getByText(`${ru('comments.reply')}: Ремонт начнётся весной.`).waitFor();
    const replied = await db.db.selectFrom('item_comment').select('reply_text').where('id', '=', question.id).executeTakeFirstOrThrow();
    expect(replied.reply_text).toBe('Ремонт начнётся весной.');
    const audited = await db.db.selectFrom('audit_log').select('action').where('entity', '=', 'item_comment').orderBy('id').execute();
    expect(audited.map((a) => a.action)).toEqual(['item_comment.hide', 'item_comment.reply']);

    // The hidden list shows it with its reason.
    await moderator.getByLabel(ru('comments.state')).selectOption('hidden');
    await moderator.getByRole('button', { name: ru('comments.show') }).click();
    await moderator.getByText(`${ru('comments.hidden_reason')}: Оскорбления`).waitFor();
    await moderator.screenshot({ path: path.join(ARTIFACTS, 'console-comments.png'), fullPage: true });
    expect(await seriousViolations(moderator)).toEqual([]);
    await moderator.context().close();
  }, 120_000);
  it('a moderator writes a news item as a draft and publishes it; Kemerovo never sees Belovo news', async () => {
    const moderator = await signIn(world.staff.moderator);
    await moderator.getByRole('link', { name: ru('nav.news'), exact: true }).click();
    await moderator.getByRole('heading', { name: ru('news.title') }).waitFor();
    await moderator.getByText('Новость Кемерова').waitFor(); // from the comments test
    expect(await moderator.getByText('Новость Белова').count()).toBe(0);
    await moderator.getByRole('link', { name: ru('news.create') }).click();
    await moderator.getByLabel(ru('news.name')).fill('Ремонт дорог в декабре');
    await moderator.getByLabel(ru('news.body'), { exact: true }).fill('С 5 декабря ремонтируют проспект Ленина.');
    expect(await seriousViolations(moderator)).toEqual([]);
    await moderator.getByRole('button', { name: ru('news.save') }).click();
    await moderator.getByText('Ремонт дорог в декабре').waitFor();
    const draft = await db.db.selectFrom('news_item').select(['id', 'state', 'municipality_id']).where('title', '=', 'Ремонт дорог в декабре').executeTakeFirstOrThrow();
    expect(draft).toMatchObject({ state: 'draft', municipality_id: db.demo.municipalities.Kemerovo });
    expect(await seriousViolations(moderator)).toEqual([]);
    await moderator.getByRole('button', { name: `${ru('news.publish')} ${draft.id}`, exact: true }).click();
    await moderator.getByRole('button', { name: `${ru('news.archive')} ${draft.id}`, exact: true }).waitFor();
    expect((await db.db.selectFrom('news_item').select('state').where('id', '=', draft.id).executeTakeFirstOrThrow()).state).toBe('published');
    const audited = await db.db.selectFrom('audit_log').select('action').where('entity', '=', 'news_item').where('entity_id', '=', String(draft.id)).orderBy('id').execute();
    expect(audited.map((a) => a.action)).toEqual(['news.create', 'news.publish']);
    await moderator.screenshot({ path: path.join(ARTIFACTS, 'console-news.png'), fullPage: true });
    await moderator.context().close();
  }, 120_000);
  it('a curator accepts and rejects contest entries and runs the draw; Kemerovo never sees a Belovo contest', async () => {
    const day = (d: number) => new Date(Date.UTC(2026, 11, d, 0, 0));
    const contest = await createContest(
      db.db,
      {
        municipalityId: world.kemerovo,
        createdByStaffId: null,
        title: 'Зимний двор',
        organiser: 'Администрация г. Кемерово',
        terms: 'Фото двора зимой',
        topic: 'Зима',
        prizes: 'Сертификат',
        drawingFormat: 'random_draw',
        winnersCount: 1,
        entryKind: 'photo',
        entriesFrom: day(2),
        entriesTo: day(10),
        votingFrom: day(10),
        votingTo: day(15),
        resultsOn: day(16),
      },
      now,
    );
    await publishContest(db.db, contest.id, now, null);
    await advanceContests(db.db, day(3)); // entries open, the draw's seed committed
    const entries: number[] = [];
    for (const caption of ['Снежная горка во дворе', 'Реклама магазина']) {
      const author = await registeredResident(db.db, { municipalityId: world.kemerovo, now });
      const media = await db.db
        .insertInto('media')
        .values({
          sha256: caption.length.toString(16).padStart(64, String(entries.length)),
          mime: 'image/jpeg',
          kind: 'image',
          size_bytes: 100,
          municipality_id: world.kemerovo,
          created_by_staff_id: null,
          origin: 'tg',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      entries.push(
        (await db.db.transaction().execute((trx) => submitEntry(trx, { contestId: contest.id, residentId: author, channel: 'tg', mediaId: media.id, mediaKind: 'photo', caption }, day(3)))).id,
      );
    }
    await createContest(db.db, { municipalityId: db.demo.municipalities.Belovo, createdByStaffId: null, title: 'Беловский конкурс' }, now);
    // Entries have closed by the test's clock.
    await db.db
      .updateTable('contest')
      .set({ entries_to: new Date(now.getTime() - 3_600_000) })
      .where('id', '=', contest.id)
      .execute();

    const curator = await signIn(world.staff.curator);
    await curator.getByRole('link', { name: ru('nav.contests'), exact: true }).click();
    await curator.getByRole('link', { name: 'Зимний двор' }).waitFor();
    expect(await curator.getByText('Беловский конкурс').count()).toBe(0);
    expect(await seriousViolations(curator)).toEqual([]);
    await curator.getByRole('link', { name: 'Зимний двор' }).click();
    await curator.getByRole('heading', { name: 'Зимний двор' }).waitFor();
    await curator.getByText('Снежная горка во дворе').first().waitFor();
    await curator.getByRole('button', { name: `${ru('contests.accept')} ${entries[0]}`, exact: true }).click();
    await curator.getByText(ru('contests.entry_states.accepted')).waitFor();
    await curator.getByLabel(`${ru('contests.reject_reason')} ${entries[1]}`, { exact: true }).fill('Реклама, не по теме');
    await curator.getByRole('button', { name: `${ru('contests.reject')} ${entries[1]}`, exact: true }).click();
    await curator.getByText(`${ru('contests.reject_reason')}: Реклама, не по теме`).waitFor();
    const states = await db.db.selectFrom('contest_entry').select(['id', 'state', 'reject_reason']).where('contest_id', '=', contest.id).orderBy('id').execute();
    expect(states).toEqual([
      { id: entries[0], state: 'accepted', reject_reason: null },
      { id: entries[1], state: 'rejected', reject_reason: 'Реклама, не по теме' },
    ]);
    expect(await seriousViolations(curator)).toEqual([]);
    await curator.getByRole('button', { name: ru('contests.draw'), exact: true }).click();
    await curator.getByText(ru('contests.seed')).waitFor();
    const drawn = await db.db.selectFrom('contest').select(['state', 'drawn_at']).where('id', '=', contest.id).executeTakeFirstOrThrow();
    expect(drawn.drawn_at).not.toBeNull();
    expect(drawn.state).toBe('winners_chosen');
    await curator.getByText(ru('contests.place', { place: 1 })).waitFor();
    await curator.screenshot({ path: path.join(ARTIFACTS, 'console-contest.png'), fullPage: true });
    await curator.context().close();
  }, 120_000);
});
