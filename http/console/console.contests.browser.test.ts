import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { advanceContests, createContest, moderateEntry, publishContest, submitEntry } from '../../core/contests/contests.ts';
import { createDirectLine } from '../../core/polls/direct-line.ts';
import { consoleTestPerFile, ru, sidewaysOverflow } from '../../test/console-browser.ts';
import { registeredResident } from '../../test/residents.ts';
import { operatorId } from '../../test/staff.ts';

/**
 * Contests officials could only list in the console: a new contest saved as a draft, its
 * correction and publication, and a jury's winners — each mistake said at its field in Russian.
 */
const HOUR = 3_600_000;
const start = new Date('2026-12-01T03:00:00.000Z');
let now = start;

const world = consoleTestPerFile({ clock: () => now });

/** The browser's own message for an invalid field (what its bubble says). */
const bubble = (page: Page, label: string) => page.getByLabel(label, { exact: true }).evaluate((el) => (el as unknown as { validationMessage: string }).validationMessage);
const field = (page: Page, name: string) => page.getByLabel(ru(`contests.field.${name}`), { exact: true });

/** A published jury contest of Kemerovo's for photos, taking entries at `at` for an hour more (voting two days, results on the third). */
async function juryContestTakingEntries(title: string, terms: string, winnersCount: number, at: Date) {
  const db = world.db.db;
  const contest = await createContest(
    db,
    {
      municipalityId: world.kemerovo,
      createdByStaffId: null,
      title,
      organiser: 'Администрация г. Кемерово',
      terms,
      topic: 'Зима',
      prizes: 'Сертификат',
      drawingFormat: 'jury',
      winnersCount,
      entryKind: 'photo',
      entriesFrom: new Date(at.getTime() - 24 * HOUR),
      entriesTo: new Date(at.getTime() + HOUR),
      votingFrom: new Date(at.getTime() + HOUR),
      votingTo: new Date(at.getTime() + 48 * HOUR),
      resultsOn: new Date(at.getTime() + 72 * HOUR),
    },
    at,
  );
  await publishContest(db, contest.id, at, null);
  await advanceContests(db, at);
  return contest;
}

/** A new Kemerovo resident's photo entry (its image a media row with this hash), submitted at `at`. */
async function photoEntry(contestId: number, sha256: string, caption: string, at: Date) {
  const db = world.db.db;
  const author = await registeredResident(db, { municipalityId: world.kemerovo, now: at });
  const media = await db
    .insertInto('media')
    .values({ sha256, mime: 'image/jpeg', kind: 'image', size_bytes: 100, municipality_id: world.kemerovo, created_by_staff_id: null, origin: 'tg' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return db.transaction().execute((trx) => submitEntry(trx, { contestId, residentId: author, channel: 'tg', mediaId: media.id, mediaKind: 'photo', caption }, at));
}

describe('contests in the console', () => {
  it('a curator saves a new contest as a draft (dates out of order and over a month refused in Russian), completes it and publishes it', async () => {
    const db = world.db.db;
    const curator = await world.signIn(world.staff.curator);
    await curator.getByRole('link', { name: ru('nav.contests'), exact: true }).click();
    await curator.getByRole('link', { name: ru('contests.new') }).click();
    await curator.getByRole('heading', { name: ru('contests.new') }).waitFor();
    await field(curator, 'title').fill('Зимний двор');
    await field(curator, 'entriesFrom').fill('2026-12-05T10:00');
    await field(curator, 'entriesTo').fill('2026-12-04T10:00');
    await curator.getByRole('button', { name: ru('contests.save_draft') }).click();
    expect(await bubble(curator, ru('contests.field.entriesTo'))).toBe(ru('contests.check.after', { field: ru('contests.field.entriesFrom') }));
    await field(curator, 'entriesTo').fill('2026-12-15T10:00');
    await field(curator, 'resultsOn').fill('2027-01-20T10:00');
    await curator.getByRole('button', { name: ru('contests.save_draft') }).click();
    expect(await bubble(curator, ru('contests.field.resultsOn'))).toMatch(/^От начала приёма работ до итогов — не больше месяца: не позже /);
    expect(await db.selectFrom('contest').select('id').where('title', '=', 'Зимний двор').execute()).toEqual([]);

    await field(curator, 'resultsOn').fill('2026-12-30T10:00');
    await curator.getByRole('button', { name: ru('contests.save_draft') }).click();
    await curator.getByRole('heading', { name: 'Зимний двор' }).waitFor();
    await curator.getByText(ru('contests.saved')).waitFor();
    const draft = await db.selectFrom('contest').selectAll().where('title', '=', 'Зимний двор').executeTakeFirstOrThrow();
    // Local times of Novokuznetsk (UTC+7) stored as instants.
    expect({ state: draft.state, municipality: draft.municipality_id, entriesFrom: draft.entries_from?.toISOString(), organiser: draft.organiser }).toEqual({
      state: 'draft',
      municipality: world.kemerovo,
      entriesFrom: '2026-12-05T03:00:00.000Z',
      organiser: null,
    });

    // Publication needs every attribute: the missing ones are named in Russian, nothing changes.
    await curator.getByRole('button', { name: ru('contests.publish') }).click();
    await curator
      .getByRole('status')
      .filter({ hasText: ru('contests.field.organiser') })
      .waitFor();
    expect((await db.selectFrom('contest').select('state').where('id', '=', draft.id).executeTakeFirstOrThrow()).state).toBe('draft');

    await field(curator, 'organiser').fill('Администрация г. Кемерово');
    await field(curator, 'topic').fill('Зима');
    await field(curator, 'terms').fill('Фото украшенного двора');
    await field(curator, 'prizes').fill('Сертификат');
    await field(curator, 'drawingFormat').selectOption('jury');
    await field(curator, 'winnersCount').fill('2');
    await field(curator, 'entryKind').selectOption('photo');
    await field(curator, 'votingFrom').fill('2026-12-16T10:00');
    await field(curator, 'votingTo').fill('2026-12-20T10:00');
    await curator.getByRole('button', { name: ru('contests.save_draft') }).click();
    await curator.getByText(ru('contests.publish_hint')).waitFor();
    const saved = await db.selectFrom('contest').select(['organiser', 'winners_count', 'drawing_format', 'title']).where('id', '=', draft.id).executeTakeFirstOrThrow();
    expect(saved).toEqual({ organiser: 'Администрация г. Кемерово', winners_count: 2, drawing_format: 'jury', title: 'Зимний двор' });

    await curator.getByRole('button', { name: ru('contests.publish') }).click();
    await curator.getByText(ru('contests.states.published'), { exact: true }).waitFor();
    expect((await db.selectFrom('contest').select('state').where('id', '=', draft.id).executeTakeFirstOrThrow()).state).toBe('published');
    // A published contest's terms are a promise: no draft form any more.
    expect(await curator.getByRole('button', { name: ru('contests.save_draft') }).count()).toBe(0);
    expect(await world.seriousViolations(curator)).toEqual([]);
    await curator.context().close();
  }, 90_000);

  it("a curator sets a video contest's media limits (a file's size, a video's length): out of range refused in Russian, saved, cleared", async () => {
    const db = world.db.db;
    const curator = await world.signIn(world.staff.curator);
    await curator.goto(`${world.harness.url}/console#/contests/new`);
    await curator.getByRole('heading', { name: ru('contests.new') }).waitFor();
    await field(curator, 'title').fill('Видео о зиме');
    await field(curator, 'entryKind').selectOption('video');
    await field(curator, 'maxSizeMb').fill('5000');
    await field(curator, 'maxDurationSeconds').fill('90');
    const save = () => curator.getByRole('button', { name: ru('contests.save_draft') }).click();
    await save();
    expect(await bubble(curator, ru('contests.field.maxSizeMb'))).toBe(ru('contests.check.range', { min: 1, max: 2000 }));
    await curator
      .getByRole('status')
      .filter({ hasText: ru('contests.check.fields') })
      .waitFor();
    await field(curator, 'maxSizeMb').fill('50');
    await field(curator, 'maxDurationSeconds').fill('0');
    await save();
    expect(await bubble(curator, ru('contests.field.maxDurationSeconds'))).toBe(ru('contests.check.range', { min: 1, max: 36000 }));
    // A fraction is no whole number of seconds; nor is a winners count over 100 taken.
    await field(curator, 'maxDurationSeconds').fill('1.5');
    await save();
    expect(await bubble(curator, ru('contests.field.maxDurationSeconds'))).toBe(ru('contests.check.range', { min: 1, max: 36000 }));
    await field(curator, 'maxDurationSeconds').fill('90');
    await field(curator, 'winnersCount').fill('150');
    await save();
    expect(await bubble(curator, ru('contests.field.winnersCount'))).toBe(ru('contests.check.range', { min: 1, max: 100 }));
    expect(await db.selectFrom('contest').select('id').where('title', '=', 'Видео о зиме').execute()).toEqual([]);
    // What was typed stays.
    expect(await field(curator, 'maxSizeMb').inputValue()).toBe('50');

    await field(curator, 'winnersCount').fill('3');
    // A date typed in part is said so, not dropped as if empty.
    await field(curator, 'entriesFrom').focus();
    await curator.keyboard.type('05');
    await save();
    expect(await bubble(curator, ru('contests.field.entriesFrom'))).toBe(ru('contests.check.partial'));
    await field(curator, 'entriesFrom').fill('');
    await save();
    await curator.getByRole('heading', { name: 'Видео о зиме' }).waitFor();
    const draft = await db.selectFrom('contest').select(['id', 'max_size_mb', 'max_duration_seconds', 'winners_count', 'entry_kind']).where('title', '=', 'Видео о зиме').executeTakeFirstOrThrow();
    expect(draft).toEqual({ id: draft.id, max_size_mb: 50, max_duration_seconds: 90, winners_count: 3, entry_kind: 'video' });
    // The draft's form shows the limits saved; one cleared is no limit (null), the other changed.
    expect(await field(curator, 'maxSizeMb').inputValue()).toBe('50');
    expect(await field(curator, 'maxDurationSeconds').inputValue()).toBe('90');
    await field(curator, 'maxSizeMb').fill('');
    await field(curator, 'maxDurationSeconds').fill('36001');
    await save();
    expect(await bubble(curator, ru('contests.field.maxDurationSeconds'))).toBe(ru('contests.check.range', { min: 1, max: 36000 }));
    await field(curator, 'maxDurationSeconds').fill('120');
    await save();
    await curator.getByText(ru('act.done')).waitFor();
    await expect
      .poll(() => db.selectFrom('contest').select(['max_size_mb', 'max_duration_seconds']).where('id', '=', draft.id).executeTakeFirstOrThrow())
      .toEqual({ max_size_mb: null, max_duration_seconds: 120 });
    await curator.context().close();
  }, 90_000);

  it('a draft whose plain end dates mean the end of the day (23:59:59.999) keeps them when another field is saved; its form shows 23:59', async () => {
    const db = world.db.db;
    // What the API stores for entriesTo "2026-12-19" and votingTo "2026-12-26" in Kemerovo (UTC+7).
    const entriesTo = new Date('2026-12-19T16:59:59.999Z');
    const votingTo = new Date('2026-12-26T16:59:59.999Z');
    const contest = await createContest(db, { municipalityId: world.kemerovo, createdByStaffId: null, title: 'До конца дня', entriesTo, votingTo }, start);
    const curator = await world.signIn(world.staff.curator);
    await curator.goto(`${world.harness.url}/console#/contest/${contest.id}`);
    await curator.getByRole('heading', { name: 'До конца дня' }).waitFor();
    expect(await field(curator, 'entriesTo').inputValue()).toBe('2026-12-19T23:59');
    await field(curator, 'title').fill('До конца дня включительно');
    await curator.getByRole('button', { name: ru('contests.save_draft') }).click();
    await curator.getByRole('heading', { name: 'До конца дня включительно' }).waitFor();
    const saved = await db.selectFrom('contest').select(['entries_to', 'voting_to']).where('id', '=', contest.id).executeTakeFirstOrThrow();
    expect(saved).toEqual({ entries_to: entriesTo, voting_to: votingTo });
    // A time typed by hand is taken as typed.
    await field(curator, 'entriesTo').fill('2026-12-19T18:00');
    await curator.getByRole('button', { name: ru('contests.save_draft') }).click();
    await expect
      .poll(async () => (await db.selectFrom('contest').select('entries_to').where('id', '=', contest.id).executeTakeFirstOrThrow()).entries_to?.toISOString())
      .toBe('2026-12-19T11:00:00.000Z');
    await curator.context().close();
  }, 60_000);

  it("a curator names a jury contest's winners place by place (an entry twice refused in Russian); a moderator may not", async () => {
    const db = world.db.db;
    const contest = await juryContestTakingEntries('Лучший снеговик', 'Фото снеговика', 2, start);
    const entries: number[] = [];
    for (let i = 0; i < 3; i++) {
      const entry = await photoEntry(contest.id, i.toString(16).padStart(64, 'b'), `Снеговик ${i + 1}`, start);
      entries.push(entry.id);
    }
    for (const entryId of entries.slice(0, 2)) await db.transaction().execute((trx) => moderateEntry(trx, { contestId: contest.id, entryId, decision: 'accept', staffId: world.staff.curator }, start));
    // Entries have closed.
    now = new Date(start.getTime() + 2 * HOUR);

    const moderator = await world.signIn(world.staff.moderator);
    await moderator.goto(`${world.harness.url}/console#/contest/${contest.id}`);
    await moderator.getByRole('heading', { name: 'Лучший снеговик' }).waitFor();
    await moderator.getByText('Снеговик 1', { exact: true }).waitFor();
    expect(await moderator.getByRole('heading', { name: ru('contests.jury') }).count()).toBe(0);
    await moderator.getByRole('link', { name: ru('contests.back') }).click();
    await moderator.getByRole('heading', { name: ru('contests.title') }).waitFor();
    expect(await moderator.getByRole('link', { name: ru('contests.new') }).count()).toBe(0);
    await moderator.context().close();

    const curator = await world.signIn(world.staff.curator);
    await curator.goto(`${world.harness.url}/console#/contest/${contest.id}`);
    await curator.getByRole('heading', { name: ru('contests.jury') }).waitFor();
    const place = (n: number) => curator.getByLabel(ru('contests.place_n', { place: n }), { exact: true });
    // The pending entry is not offered.
    expect(await place(1).locator('option').count()).toBe(3);
    await place(1).selectOption(String(entries[1]));
    await place(2).selectOption(String(entries[1]));
    await curator.getByRole('button', { name: ru('contests.choose_winners') }).click();
    expect(await bubble(curator, ru('contests.place_n', { place: 2 }))).toBe(ru('contests.check.twice'));
    await place(2).selectOption(String(entries[0]));
    await curator.getByRole('button', { name: ru('contests.choose_winners') }).click();
    await curator.getByText(ru('contests.states.winners_chosen'), { exact: true }).waitFor();
    const places = await db.selectFrom('contest_entry').select(['id', 'winner_place']).where('contest_id', '=', contest.id).orderBy('id').execute();
    expect(places).toEqual([
      { id: entries[0], winner_place: 2 },
      { id: entries[1], winner_place: 1 },
      { id: entries[2], winner_place: null },
    ]);
    // The card reloads the contest and its accepted entries apart: the state may show before the choice does.
    await expect.poll(() => place(1).inputValue()).toBe(String(entries[1]));
    await curator.context().close();
  }, 90_000);

  it("a jury contest's winner may be any accepted entry, past the entries API's page of 100", async () => {
    const db = world.db.db;
    const at = now;
    const contest = await juryContestTakingEntries('Большой конкурс', 'Фото зимнего двора', 1, at);
    // 102 entries, the first one rejected: 101 accepted ones, the last past the first page of 100.
    const entries: number[] = [];
    for (let i = 0; i < 102; i++) {
      const entry = await photoEntry(contest.id, i.toString(16).padStart(64, 'c'), `Двор ${i + 1}`, at);
      const decision = i === 0 ? 'reject' : 'accept';
      await db.transaction().execute((trx) => moderateEntry(trx, { contestId: contest.id, entryId: entry.id, decision, reason: 'Не по теме', staffId: world.staff.curator }, at));
      entries.push(entry.id);
    }
    const last = entries[entries.length - 1]!;
    now = new Date(at.getTime() + 2 * HOUR);

    const curator = await world.signIn(world.staff.curator);
    await curator.goto(`${world.harness.url}/console#/contest/${contest.id}`);
    const place = curator.getByLabel(ru('contests.place_n', { place: 1 }), { exact: true });
    await place.waitFor();
    // Every accepted entry and "—"; the rejected one is not offered.
    expect(await place.locator('option').count()).toBe(102);
    expect(await place.locator(`option[value="${entries[0]}"]`).count()).toBe(0);
    await place.selectOption(String(last));
    await curator.getByRole('button', { name: ru('contests.choose_winners') }).click();
    await curator.getByText(ru('contests.states.winners_chosen'), { exact: true }).waitFor();
    const winners = await db.selectFrom('contest_entry').select(['id', 'winner_place']).where('contest_id', '=', contest.id).where('winner_place', 'is not', null).execute();
    expect(winners).toEqual([{ id: last, winner_place: 1 }]);
    // Reloaded: the winner past the first page is shown chosen.
    await expect.poll(() => place.inputValue()).toBe(String(last));
    await curator.context().close();
  }, 120_000);

  it('a curator withdraws a contest and calls off a direct line, each with a reason, which the card and the list then show', async () => {
    const db = world.db.db;
    const contest = await createContest(
      db,
      {
        municipalityId: world.kemerovo,
        createdByStaffId: null,
        title: 'Отзываемая фотовыставка',
        organiser: 'Администрация г. Кемерово',
        terms: 'Фото',
        topic: 'Зима',
        prizes: 'Сертификат',
        drawingFormat: 'jury',
        winnersCount: 1,
        entryKind: 'photo',
        entriesFrom: new Date(now.getTime() - 24 * HOUR),
        entriesTo: new Date(now.getTime() + 24 * HOUR),
        votingFrom: new Date(now.getTime() + 24 * HOUR),
        votingTo: new Date(now.getTime() + 48 * HOUR),
        resultsOn: new Date(now.getTime() + 72 * HOUR),
      },
      now,
    );
    await publishContest(db, contest.id, now, null);
    const line = await createDirectLine(
      db,
      {
        municipalityId: world.kemerovo,
        title: 'Линия по ошибке',
        headName: 'Глава',
        collectFrom: new Date(now.getTime() + 24 * HOUR),
        collectTo: new Date(now.getTime() + 72 * HOUR),
        broadcastOn: '2026-12-30',
      },
      null,
      now,
    );

    const curator = await world.signIn(world.staff.curator);
    await curator.goto(`${world.harness.url}/console#/contest/${contest.id}`);
    await curator.getByRole('heading', { name: 'Отзываемая фотовыставка' }).waitFor();
    await curator.getByLabel(ru('contests.withdraw_reason'), { exact: true }).fill('Спонсор отказался от призов');
    await curator.getByRole('button', { name: ru('contests.withdraw') }).click();
    await curator.getByText(`${ru('contests.states.withdrawn')} (Спонсор отказался от призов)`, { exact: true }).waitFor();
    expect(await db.selectFrom('contest').select(['state', 'withdrawn_reason']).where('id', '=', contest.id).executeTakeFirstOrThrow()).toEqual({
      state: 'withdrawn',
      withdrawn_reason: 'Спонсор отказался от призов',
    });

    await curator.goto(`${world.harness.url}/console#/direct-lines`);
    await curator.getByLabel(`${ru('direct_lines.withdraw_reason')} ${line.id}`, { exact: true }).fill('Глава в командировке');
    await curator.getByRole('button', { name: `${ru('direct_lines.withdraw')} ${line.id}` }).click();
    await curator.getByText(`(Глава в командировке)`).waitFor();
    expect(await db.selectFrom('direct_line').select('withdrawn_reason').where('id', '=', line.id).executeTakeFirstOrThrow()).toEqual({ withdrawn_reason: 'Глава в командировке' });
    await curator.context().close();
  }, 90_000);

  it('the new pages fit a 390 px phone screen and axe finds no serious violation', async () => {
    const operator = await world.signIn(await operatorId(world.db.db), { width: 390, height: 844 });
    const curator = await world.signIn(world.staff.curator, { width: 390, height: 844 });
    const draft = await createContest(world.db.db, { municipalityId: world.kemerovo, createdByStaffId: null, title: 'Конкурс для телефона' }, now);
    const pages: [Page, string, string][] = [
      [curator, '#/contests/new', ru('contests.new')],
      [operator, '#/directories/new-staff', ru('staff_card.new')],
      [operator, `#/staff/${world.staff.moderator}`, ru('staff_card.settings')],
      [curator, `#/contest/${draft.id}`, ru('contests.edit')],
    ];
    for (const [page, hash, heading] of pages) {
      await page.goto(`${world.harness.url}/console${hash}`);
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      expect(await sidewaysOverflow(page), hash).toBe(0);
      expect(await world.seriousViolations(page), hash).toEqual([]);
    }
    for (const page of [operator, curator]) await page.context().close();
  }, 90_000);
});
