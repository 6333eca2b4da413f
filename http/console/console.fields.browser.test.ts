import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { consoleTestPerFile, ru } from '../../test/console-browser.ts';
import { KEMEROVO_CENTER } from '../../test/residents.ts';

/**
 * The API's field refusals came to the console in English ("The request is invalid: json.link: an
 * http(s) URL."): now the field is marked and named by its label, the problem said in Russian.
 */
const now = new Date('2026-12-01T03:00:00.000Z');

const world = consoleTestPerFile({ clock: () => now });

const bubble = (page: Page, label: string) => page.getByLabel(label, { exact: true }).evaluate((el) => (el as unknown as { validationMessage: string }).validationMessage);
const notice = (page: Page) => page.getByRole('status').textContent();
const said = (field: string, problem: string, params?: Record<string, unknown>) => ru('error.field', { field: ru(field), problem: ru(`error.problem.${problem}`, params) });

/** A moderator's new poll form, filled in (one question, 10 to 17 December), not yet saved. */
async function newPoll(name: string, question: string, options: string): Promise<Page> {
  const moderator = await world.signIn(world.staff.moderator);
  await moderator.goto(`${world.harness.url}/console#/polls/new`);
  await moderator.getByRole('heading', { name: ru('polls.create') }).waitFor();
  await moderator.getByLabel(ru('polls.name')).fill(name);
  await moderator.getByLabel(ru('polls.starts')).fill('2026-12-10T09:00');
  await moderator.getByLabel(ru('polls.ends')).fill('2026-12-17T18:00');
  await moderator.getByLabel(ru('polls.question')).fill(question);
  await moderator.getByLabel(ru('polls.options')).fill(options);
  return moderator;
}

describe('field refusals in the console', () => {
  it('a news item with a javascript: link is refused at the link, in Russian; a blank title of a draft too', async () => {
    const db = world.db.db;
    const moderator = await world.signIn(world.staff.moderator);
    await moderator.goto(`${world.harness.url}/console#/news/new`);
    await moderator.getByRole('heading', { name: ru('news.create') }).waitFor();
    await moderator.getByLabel(ru('news.name')).fill('Ремонт моста');
    await moderator.getByLabel(ru('news.body')).fill('Мост закрыт до пятницы.');
    await moderator.getByLabel(ru('news.link')).fill('javascript:alert(1)');
    await moderator.getByRole('button', { name: ru('news.save') }).click();
    await moderator.getByRole('status').waitFor();
    const expected = said('news.link', 'url');
    expect(await notice(moderator)).toBe(ru('error.generic', { detail: expected }));
    expect(await bubble(moderator, ru('news.link'))).toBe(expected);
    expect(await notice(moderator)).not.toMatch(/json|invalid|http\(s\)/i);
    expect(await db.selectFrom('news_item').select('id').where('title', '=', 'Ремонт моста').execute()).toEqual([]);

    await moderator.getByLabel(ru('news.link')).fill('https://kemerovo.ru/most');
    await moderator.getByRole('button', { name: ru('news.save') }).click();
    await moderator.getByRole('heading', { name: ru('news.title') }).waitFor();
    const item = await db.selectFrom('news_item').select(['id', 'link']).where('title', '=', 'Ремонт моста').executeTakeFirstOrThrow();
    expect(item.link).toBe('https://kemerovo.ru/most');

    // The draft's card: a title of spaces passes the browser's `required`, the API refuses it.
    await moderator.goto(`${world.harness.url}/console#/news-item/${item.id}`);
    await moderator.getByLabel(ru('news.name')).fill('   ');
    await moderator.getByRole('button', { name: ru('act.save') }).click();
    await moderator.getByRole('status').waitFor();
    expect(await notice(moderator)).toBe(ru('error.generic', { detail: said('news.name', 'empty') }));
    expect((await db.selectFrom('news_item').select('title').where('id', '=', item.id).executeTakeFirstOrThrow()).title).toBe('Ремонт моста');
    await moderator.context().close();
  }, 60_000);

  it('an event that ends before it starts is refused at its end, naming the start, in Russian', async () => {
    const moderator = await world.signIn(world.staff.moderator);
    await moderator.goto(`${world.harness.url}/console#/events/new`);
    await moderator.getByRole('heading', { name: ru('events.create') }).waitFor();
    await moderator.getByLabel(ru('events.name')).fill('Ёлка на площади');
    await moderator.getByLabel(ru('events.starts')).fill('2026-12-20T18:00');
    await moderator.getByLabel(ru('events.ends')).fill('2026-12-20T17:00');
    await moderator.getByLabel(ru('events.venue'), { exact: true }).fill('Площадь Советов');
    await moderator.getByLabel(ru('events.address')).fill('пр. Советский, 62');
    await moderator.getByLabel(ru('events.lat')).fill(String(KEMEROVO_CENTER.lat));
    await moderator.getByLabel(ru('events.lon')).fill(String(KEMEROVO_CENTER.lon));
    await moderator.getByRole('button', { name: ru('events.save') }).click();
    await moderator.getByRole('status').waitFor();
    const expected = said('events.ends', 'after', { field: ru('events.starts') });
    expect(await notice(moderator)).toBe(ru('error.generic', { detail: expected }));
    expect(await bubble(moderator, ru('events.ends'))).toBe(expected);
    expect(await world.db.db.selectFrom('afisha_event').select('id').where('title', '=', 'Ёлка на площади').execute()).toEqual([]);
    // What was typed stays.
    expect(await moderator.getByLabel(ru('events.starts')).inputValue()).toBe('2026-12-20T18:00');
    await moderator.context().close();
  }, 60_000);

  it('a new poll titled with spaces is refused at its title in Russian, and what was typed stays', async () => {
    const moderator = await newPoll('   ', 'Где поставить ёлку?', 'У фонтана\nНа площади');
    await moderator.getByRole('button', { name: ru('polls.save') }).click();
    await moderator.getByRole('status').waitFor();
    const expected = said('polls.name', 'empty');
    expect(await notice(moderator)).toBe(ru('error.generic', { detail: expected }));
    expect(await bubble(moderator, ru('polls.name'))).toBe(expected);
    expect(await moderator.getByLabel(ru('polls.starts')).inputValue()).toBe('2026-12-10T09:00');
    expect(await moderator.getByLabel(ru('polls.options')).inputValue()).toBe('У фонтана\nНа площади');
    await moderator.context().close();
  }, 60_000);

  it('a direct line collecting past its broadcast day, or only in the past, is refused at its end in Russian, saying why', async () => {
    const curator = await world.signIn(world.staff.curator);
    const fill = async (from: string, to: string, on: string) => {
      await curator.goto(`${world.harness.url}/console#/direct-lines/new`);
      await curator.getByLabel(ru('direct_lines.name')).fill('Прямая линия с главой');
      await curator.getByLabel(ru('direct_lines.head')).fill('Глава города');
      await curator.getByLabel(ru('direct_lines.collect_from')).fill(from);
      await curator.getByLabel(ru('direct_lines.collect_to')).fill(to);
      await curator.getByLabel(ru('direct_lines.broadcast_on')).fill(on);
      await curator.getByRole('button', { name: ru('direct_lines.save') }).click();
      await curator.getByRole('status').waitFor();
    };
    await fill('2026-12-10T10:00', '2026-12-15T10:00', '2026-12-12');
    const late = said('direct_lines.collect_to', 'by', { field: ru('direct_lines.broadcast_on') });
    expect(await notice(curator)).toBe(ru('error.generic', { detail: late }));
    expect(await bubble(curator, ru('direct_lines.collect_to'))).toBe(late);
    await fill('2026-11-10T10:00', '2026-11-15T10:00', '2026-11-20');
    await expect.poll(() => notice(curator)).toBe(ru('error.generic', { detail: said('direct_lines.collect_to', 'past') }));
    expect(await world.db.db.selectFrom('direct_line').select('id').where('title', '=', 'Прямая линия с главой').execute()).toEqual([]);
    await curator.context().close();
  }, 60_000);

  it("a poll option longer than the API's 100 characters is refused at the options field, in Russian", async () => {
    const options = `У фонтана\n${'На площади у нового торгового центра, '.repeat(3)}`;
    const moderator = await newPoll('Ёлка во дворе', 'Где поставить ёлку?', options);
    await moderator.getByRole('button', { name: ru('polls.save') }).click();
    await moderator.getByRole('status').waitFor();
    // The API names `questions.0.options.1`: the form's options field.
    const expected = said('polls.options', 'too_long', { max: 100 });
    expect(await notice(moderator)).toBe(ru('error.generic', { detail: expected }));
    expect(await bubble(moderator, ru('polls.options'))).toBe(expected);
    expect(await moderator.getByLabel(ru('polls.options')).inputValue()).toBe(options);
    expect(await world.db.db.selectFrom('poll').select('id').where('title', '=', 'Ёлка во дворе').execute()).toEqual([]);
    await moderator.context().close();
  }, 60_000);

  it("a refusal naming a field the form has not (or of no form) is said in Russian: a known field by its name, another by the API's", async () => {
    const moderator = await newPoll('Каток', 'Где залить каток?', 'В парке\nВо дворе');
    // What the API answers for fields no console form has (a schema error, then a domain one).
    const answers = [
      {
        status: 400,
        code: 'VALIDATION',
        detail: 'The request is invalid: json.municipalityId: Too small: expected number to be >0.',
        errors: [{ in: 'json', path: 'municipalityId', message: 'Too small: expected number to be >0' }],
      },
      { status: 400, code: 'VALIDATION', detail: 'The request is invalid: see `errors` or `details` for the field and the problem.', details: { field: 'quorumShare', problem: 'must not be empty' } },
    ];
    await moderator.route('**/api/v1/polls', (request) => request.fulfill({ status: 400, contentType: 'application/problem+json', body: JSON.stringify(answers.shift()) }));
    const save = () => moderator.getByRole('button', { name: ru('polls.save') }).click();
    await save();
    await moderator.getByRole('status').waitFor();
    expect(await notice(moderator)).toBe(ru('error.generic', { detail: ru('error.field', { field: ru('error.fields.municipalityId'), problem: ru('error.problem.range') }) }));
    await save();
    await moderator.getByRole('status').filter({ hasText: 'quorumShare' }).waitFor();
    expect(await notice(moderator)).toBe(ru('error.generic', { detail: ru('error.field', { field: 'quorumShare', problem: ru('error.problem.empty') }) }));
    expect(await notice(moderator)).not.toMatch(/invalid|must|Too small/i);
    // What was typed stays.
    expect(await moderator.getByLabel(ru('polls.options')).inputValue()).toBe('В парке\nВо дворе');

    // A list's load refused for a query parameter, past any form: said in Russian too.
    await moderator.unroute('**/api/v1/polls');
    const refused = {
      status: 400,
      code: 'VALIDATION',
      detail: 'The request is invalid: query.limit: Too big: expected number to be <=100.',
      errors: [{ in: 'query', path: 'limit', message: 'Too big: expected number to be <=100' }],
    };
    await moderator.route('**/api/v1/polls', (request) => request.fulfill({ status: 400, contentType: 'application/problem+json', body: JSON.stringify(refused) }));
    await moderator.getByRole('link', { name: ru('nav.polls'), exact: true }).click();
    await moderator.getByRole('status').filter({ hasText: 'limit' }).waitFor();
    expect(await notice(moderator)).toBe(ru('error.generic', { detail: ru('error.field', { field: 'limit', problem: ru('error.problem.range') }) }));
    await moderator.context().close();
  }, 60_000);
});
