import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEvent } from '../../core/news/events.service.ts';
import { eventDraft } from '../../test/event-draft.ts';
import { createNews } from '../../core/news/news.service.ts';
import type { BotHarness } from '../../test/bots/harness.ts';
import { ARTIFACTS, consoleTestPerFile, ru, sidewaysOverflow } from '../../test/console-browser.ts';
import type { TestDatabase } from '../../test/database.ts';
import { jpegBytes, mp4Bytes } from '../../test/media/files.ts';
import { KEMEROVO_CENTER } from '../../test/residents.ts';

/**
 * «Афиша» and media uploads in the web console, in Chromium: a moderator writes an event as a draft
 * and publishes it, attaches a photo to a news draft and to an event through the file input, and
 * gets a clear refusal for a file that is not an image or is too large; Kemerovo never sees Belovo.
 */
/** A real 1×1 PNG (it decodes, so the thumbnail's naturalWidth proves the bytes came back). */
const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const MAX_IMAGE_BYTES = 100 * 1024;

let db: TestDatabase;
let harness: BotHarness;
const now = new Date('2026-12-01T03:00:00.000Z');
let belovoEvent = 0;

/** An event of 6 December, 17:00–19:00 in Kemerovo's time, at a venue at `point` of its municipality. */
const eventAt = (municipalityId: number, title: string, point: { lat: number; lon: number }) =>
  eventDraft({ municipalityId, title, startsAt: new Date('2026-12-06T10:00:00.000Z'), venue: { name: 'Дворец культуры', address: 'ул. Центральная, 1', ...point } });

/** A news draft of Kemerovo's written through core, with these photos (media ids). */
const kemerovoNewsDraft = (title: string, body: string, mediaIds: number[] = []) =>
  createNews(db.db, { municipalityId: db.demo.municipalities.Kemerovo, title, body, categoryId: null, mediaIds, link: null, pollId: null, publishAt: null, staffId: null }, now);

// Media go to the harness's own data folder (DATA_DIR/media), removed when it closes.
const world = consoleTestPerFile({ clock: () => now, env: { MEDIA_MAX_IMAGE_BYTES: String(MAX_IMAGE_BYTES) } });
beforeAll(async () => {
  ({ db, harness } = world);
  belovoEvent = (await createEvent(db.db, eventAt(db.demo.municipalities.Belovo, 'Беловский концерт', { lat: 54.4166, lon: 86.2975 }), now)).id;
}, 120_000);

const signIn = (staffId: number, viewport?: { width: number; height: number }) => world.signIn(staffId, viewport);
const seriousViolations = (page: Page) => world.seriousViolations(page);
const mediaIdsOf = async (newsId: number) => (await db.db.selectFrom('news_item').select('media_ids').where('id', '=', newsId).executeTakeFirstOrThrow()).media_ids as number[];
const mediaCount = async () =>
  Number(
    (
      await db.db
        .selectFrom('media')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('«Афиша» and media uploads in the console', () => {
  it('a moderator writes an event as a draft and publishes it; it is in the list; the page is accessible', async () => {
    const moderator = await signIn(world.staff.moderator);
    await moderator.getByRole('link', { name: ru('nav.events'), exact: true }).click();
    await moderator.getByRole('heading', { name: ru('events.title') }).waitFor();
    await moderator.getByRole('link', { name: ru('events.create') }).click();
    await moderator.getByRole('heading', { name: ru('events.create') }).waitFor();
    await moderator.getByLabel(ru('events.kind')).selectOption('sport');
    await moderator.getByLabel(ru('events.name')).fill('Лыжная гонка «Кузбасская лыжня»');
    await moderator.getByLabel(ru('events.description')).fill('Массовый старт для всех возрастов.');
    await moderator.getByLabel(ru('events.starts')).fill('2026-12-05T11:00');
    await moderator.getByLabel(ru('events.ends')).fill('2026-12-05T14:00');
    await moderator.getByLabel(ru('events.venue'), { exact: true }).fill('Лыжная база «Кедровка»');
    await moderator.getByLabel(ru('events.address')).fill('ул. Лыжная, 1');
    await moderator.getByLabel(ru('events.age_limit')).fill('6');
    // A venue in Belovo is refused at the field, in Russian; nothing is saved.
    await moderator.getByLabel(ru('events.lat')).fill('54.4166');
    await moderator.getByLabel(ru('events.lon')).fill('86.2975');
    await moderator.getByRole('button', { name: ru('events.save') }).click();
    const outside = ru('error.field', { field: ru('events.lat'), problem: ru('error.problem.outside') });
    await moderator.getByRole('status').filter({ hasText: outside }).waitFor();
    expect(await moderator.getByLabel(ru('events.lat')).evaluate((el) => (el as unknown as { validationMessage: string }).validationMessage)).toBe(outside);
    expect(await db.db.selectFrom('afisha_event').select('id').where('title', '=', 'Лыжная гонка «Кузбасская лыжня»').execute()).toEqual([]);
    // What was typed stays in the form.
    expect(await moderator.getByLabel(ru('events.name')).inputValue()).toBe('Лыжная гонка «Кузбасская лыжня»');
    expect(await moderator.getByLabel(ru('events.starts')).inputValue()).toBe('2026-12-05T11:00');
    await moderator.getByLabel(ru('events.lat')).fill(String(KEMEROVO_CENTER.lat));
    await moderator.getByLabel(ru('events.lon')).fill(String(KEMEROVO_CENTER.lon));
    expect(await seriousViolations(moderator)).toEqual([]);
    await moderator.getByRole('button', { name: ru('events.save') }).click();
    await moderator.getByRole('heading', { name: ru('events.title') }).waitFor();
    await moderator.locator('main').getByText('Лыжная гонка «Кузбасская лыжня»').waitFor();

    const draft = await db.db.selectFrom('afisha_event').selectAll().where('title', '=', 'Лыжная гонка «Кузбасская лыжня»').executeTakeFirstOrThrow();
    expect(draft).toMatchObject({ state: 'draft', kind: 'sport', municipality_id: db.demo.municipalities.Kemerovo, venue_name: 'Лыжная база «Кедровка»', age_limit: 6, price: null });
    // The form's times are Kemerovo's local time (UTC+7).
    expect(draft.starts_at.toISOString()).toBe('2026-12-05T04:00:00.000Z');
    expect(draft.ends_at.toISOString()).toBe('2026-12-05T07:00:00.000Z');

    await moderator.getByRole('button', { name: `${ru('events.publish')} ${draft.id}`, exact: true }).click();
    await moderator
      .getByRole('status')
      .filter({ hasText: ru('act.done') })
      .waitFor();
    const row = moderator.getByRole('row').filter({ hasText: 'Лыжная гонка «Кузбасская лыжня»' });
    await row.getByText(ru('events.states.published')).waitFor();
    expect(await row.getByRole('button').count()).toBe(0);
    expect((await db.db.selectFrom('afisha_event').select('state').where('id', '=', draft.id).executeTakeFirstOrThrow()).state).toBe('published');
    const audited = await db.db.selectFrom('audit_log').select('action').where('entity', '=', 'afisha_event').where('entity_id', '=', String(draft.id)).orderBy('id').execute();
    expect(audited.map((a) => a.action)).toEqual(['event.create', 'event.publish']);
    // The state filter lists the published event and not under drafts.
    await moderator.getByLabel(ru('events.state')).selectOption('draft');
    await moderator.getByText(ru('queue.empty')).waitFor();
    await moderator.getByLabel(ru('events.state')).selectOption('published');
    await moderator.locator('main').getByText('Лыжная гонка «Кузбасская лыжня»').waitFor();
    expect(await seriousViolations(moderator)).toEqual([]);
    await moderator.screenshot({ path: path.join(ARTIFACTS, 'console-events.png'), fullPage: true });
    await moderator.context().close();
  }, 90_000);

  it('a moderator attaches a photo to a news draft through the file input: the media row is linked and shown', async () => {
    const item = await kemerovoNewsDraft('Субботник в сквере', 'Приглашаем на субботник.');
    const moderator = await signIn(world.staff.moderator);
    await moderator.getByRole('link', { name: ru('nav.news'), exact: true }).click();
    await moderator.getByRole('link', { name: 'Субботник в сквере' }).click();
    await moderator.getByRole('heading', { name: 'Субботник в сквере' }).waitFor();
    await moderator.getByText(ru('media.none')).waitFor();
    await moderator.getByLabel(ru('media.add')).setInputFiles({ name: 'subbotnik.png', mimeType: 'image/png', buffer: PNG_1X1 });
    const thumb = moderator.getByRole('img', { name: ru('media.item', { n: 1 }) });
    await thumb.waitFor();
    // The thumbnail is the stored file itself, read back through GET /api/v1/media/{id}.
    await expect.poll(() => thumb.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(1);

    const ids = await mediaIdsOf(item.id);
    expect(ids).toHaveLength(1);
    const media = await db.db.selectFrom('media').selectAll().where('id', '=', ids[0]!).executeTakeFirstOrThrow();
    expect(media).toMatchObject({ kind: 'image', mime: 'image/png', municipality_id: db.demo.municipalities.Kemerovo, created_by_staff_id: world.staff.moderator, origin: 'upload' });
    const audited = await db.db.selectFrom('audit_log').select('action').where('entity', '=', 'news_item').where('entity_id', '=', String(item.id)).execute();
    expect(audited.map((a) => a.action)).toEqual(['news.update']);

    // A second photo joins the first (a real JPEG header, distinct bytes).
    await moderator.getByLabel(ru('media.add')).setInputFiles({ name: 'second.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(jpegBytes(2048, 7)) });
    await moderator.getByRole('button', { name: ru('media.remove_n', { n: 2 }) }).waitFor();
    expect(await mediaIdsOf(item.id)).toHaveLength(2);
    expect((await mediaIdsOf(item.id))[0]).toBe(ids[0]);
    expect(await seriousViolations(moderator)).toEqual([]);
    await moderator.screenshot({ path: path.join(ARTIFACTS, 'console-news-media.png'), fullPage: true });

    // Removing the first leaves the second.
    const second = (await mediaIdsOf(item.id))[1];
    await moderator.getByRole('button', { name: ru('media.remove_n', { n: 1 }) }).click();
    await expect.poll(() => mediaIdsOf(item.id)).toEqual([second]);

    // The new item's form takes photos too: they are sent with the draft.
    await moderator.goto(`${harness.url}/console#/news/new`);
    await moderator.getByLabel(ru('news.name')).fill('Фотоотчёт с ярмарки');
    await moderator.getByLabel(ru('news.body'), { exact: true }).fill('Как прошла ярмарка выходного дня.');
    await moderator.getByLabel(ru('media.add')).setInputFiles({ name: 'fair.png', mimeType: 'image/png', buffer: PNG_1X1 });
    await moderator.getByRole('img', { name: ru('media.item', { n: 1 }) }).waitFor();
    await moderator.getByRole('button', { name: ru('news.save') }).click();
    await moderator.getByRole('heading', { name: ru('news.title') }).waitFor();
    await moderator
      .getByRole('row')
      .filter({ hasText: 'Фотоотчёт с ярмарки' })
      .getByText(ru('media.count', { n: 1 }))
      .waitFor();
    const created = await db.db.selectFrom('news_item').select(['state', 'media_ids']).where('title', '=', 'Фотоотчёт с ярмарки').executeTakeFirstOrThrow();
    expect(created.state).toBe('draft');
    const attached = created.media_ids as number[];
    expect(attached).toHaveLength(1);
    expect(await db.db.selectFrom('media').select(['mime', 'sha256', 'municipality_id']).where('id', '=', attached[0]!).executeTakeFirstOrThrow()).toEqual({
      mime: 'image/png',
      sha256: media.sha256,
      municipality_id: db.demo.municipalities.Kemerovo,
    });
    await moderator.context().close();
  }, 90_000);

  it('a file that is not an image, or one too large, is refused with a clear text and nothing is attached', async () => {
    const item = await kemerovoNewsDraft('Ёлка на площади', 'Открытие ёлки.');
    const moderator = await signIn(world.staff.moderator);
    await moderator.goto(`${harness.url}/console#/news-item/${item.id}`);
    await moderator.getByRole('heading', { name: 'Ёлка на площади' }).waitFor();
    const before = await mediaCount();

    // Text named .jpg: the API sniffs the bytes (415 MEDIA_UNSUPPORTED_TYPE).
    await moderator.getByLabel(ru('media.add')).setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('это не фотография, а текст\n'.repeat(20)) });
    await moderator
      .getByRole('alert')
      .filter({ hasText: ru('media.unsupported') })
      .waitFor();
    expect(await mediaIdsOf(item.id)).toEqual([]);
    expect(await mediaCount()).toBe(before);

    // A real JPEG over MEDIA_MAX_IMAGE_BYTES (413 MEDIA_TOO_LARGE, its limit named).
    await moderator.getByLabel(ru('media.add')).setInputFiles({ name: 'big.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(jpegBytes(MAX_IMAGE_BYTES + 1)) });
    await moderator
      .getByRole('alert')
      .filter({ hasText: ru('media.too_large', { max: '100 KB' }) })
      .waitFor();
    expect(await mediaIdsOf(item.id)).toEqual([]);
    expect(await mediaCount()).toBe(before);

    // A video with photos is refused before anything is uploaded; a video alone is attached.
    await moderator.getByLabel(ru('media.add')).setInputFiles([
      { name: 'a.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(jpegBytes(1024, 3)) },
      { name: 'clip.mp4', mimeType: 'video/mp4', buffer: Buffer.from(mp4Bytes()) },
    ]);
    await moderator
      .getByRole('alert')
      .filter({ hasText: ru('media.video_alone') })
      .waitFor();
    expect(await mediaCount()).toBe(before);
    await moderator.getByLabel(ru('media.add')).setInputFiles({ name: 'clip.mp4', mimeType: 'video/mp4', buffer: Buffer.from(mp4Bytes()) });
    await moderator.getByText(ru('media.full', { max: 10 })).waitFor();
    const [video] = await mediaIdsOf(item.id);
    expect((await db.db.selectFrom('media').select('kind').where('id', '=', video!).executeTakeFirstOrThrow()).kind).toBe('video');

    // Nine photos attached: two more would be eleven, refused before uploading.
    const photos = [];
    for (let i = 0; i < 9; i++) {
      const row = { sha256: `${i}`.padStart(64, 'a'), mime: 'image/jpeg', kind: 'image' as const, size_bytes: 100, municipality_id: db.demo.municipalities.Kemerovo, origin: 'upload' as const };
      photos.push((await db.db.insertInto('media').values(row).returning('id').executeTakeFirstOrThrow()).id);
    }
    const album = await kemerovoNewsDraft('Фотоальбом', 'Девять фото.', photos);
    await moderator.goto(`${harness.url}/console#/news-item/${album.id}`);
    await moderator.getByRole('heading', { name: 'Фотоальбом' }).waitFor();
    const many = await mediaCount();
    await moderator.getByLabel(ru('media.add')).setInputFiles([
      { name: '10.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(jpegBytes(1024, 10)) },
      { name: '11.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(jpegBytes(1024, 11)) },
    ]);
    await moderator
      .getByRole('alert')
      .filter({ hasText: ru('media.over_limit', { max: 10 }) })
      .waitFor();
    expect(await mediaCount()).toBe(many);
    expect(await mediaIdsOf(album.id)).toEqual(photos);
    await moderator.context().close();
  }, 90_000);

  it("an event draft gets a photo (not a video) on its card; Kemerovo never sees Belovo's event; pages fit a phone", async () => {
    const draft = await createEvent(db.db, eventAt(db.demo.municipalities.Kemerovo, 'Концерт хора', KEMEROVO_CENTER), now);
    const moderator = await signIn(world.staff.moderator, { width: 390, height: 844 });
    await moderator.goto(`${harness.url}/console#/event/${draft.id}`);
    await moderator.getByRole('heading', { name: 'Концерт хора' }).waitFor();
    // The edit form shows the times in Kemerovo's zone.
    expect(await moderator.getByLabel(ru('events.starts')).inputValue()).toBe('2026-12-06T17:00');
    const before = await mediaCount();
    await moderator.getByLabel(ru('media.add_photo')).setInputFiles({ name: 'clip.mp4', mimeType: 'video/mp4', buffer: Buffer.from(mp4Bytes(600)) });
    await moderator
      .getByRole('alert')
      .filter({ hasText: ru('media.image_only') })
      .waitFor();
    expect(await mediaCount()).toBe(before);
    await moderator.getByLabel(ru('media.add_photo')).setInputFiles({ name: 'choir.png', mimeType: 'image/png', buffer: PNG_1X1 });
    await moderator.getByRole('img', { name: ru('media.item', { n: 1 }) }).waitFor();
    const photo = (await db.db.selectFrom('afisha_event').select('photo_media_id').where('id', '=', draft.id).executeTakeFirstOrThrow()).photo_media_id;
    expect(photo).not.toBeNull();
    // Editing sends only what changed.
    await moderator.getByLabel(ru('events.price')).fill('300 ₽');
    await moderator.getByRole('button', { name: ru('act.save') }).click();
    await moderator
      .getByRole('status')
      .filter({ hasText: ru('act.done') })
      .waitFor();
    const saved = await db.db.selectFrom('afisha_event').select(['price', 'photo_media_id', 'starts_at']).where('id', '=', draft.id).executeTakeFirstOrThrow();
    expect(saved).toMatchObject({ price: '300 ₽', photo_media_id: photo });
    expect(saved.starts_at.toISOString()).toBe('2026-12-06T10:00:00.000Z');
    const edits = await db.db
      .selectFrom('audit_log')
      .select('data')
      .where('entity', '=', 'afisha_event')
      .where('entity_id', '=', String(draft.id))
      .where('action', '=', 'event.update')
      .orderBy('id')
      .execute();
    expect(edits.map((e) => (e.data as { changed: string[] }).changed)).toEqual([['photoMediaId'], ['price']]);
    expect(await sidewaysOverflow(moderator)).toBeLessThanOrEqual(0);
    expect(await seriousViolations(moderator)).toEqual([]);
    await moderator.screenshot({ path: path.join(ARTIFACTS, 'console-event-phone.png'), fullPage: true });

    // Kemerovo's list has no Belovo event, in any state; its card by URL is the API's 404.
    for (const hash of ['#/events', '#/events/new', `#/news`]) {
      await moderator.goto(`${harness.url}/console${hash}`);
      await moderator.getByRole('heading', { level: 1 }).waitFor();
      await moderator.waitForLoadState('networkidle');
      expect(await sidewaysOverflow(moderator), hash).toBeLessThanOrEqual(0);
    }
    await moderator.goto(`${harness.url}/console#/events`);
    await moderator.locator('main').getByText('Концерт хора').waitFor();
    expect(await moderator.locator('main').textContent()).not.toContain('Беловский концерт');
    await moderator.goto(`${harness.url}/console#/event/${belovoEvent}`);
    await moderator
      .getByRole('status')
      .filter({ hasText: ru('error.not_found') })
      .waitFor();
    expect(await moderator.locator('body').textContent()).not.toContain('Беловский концерт');

    // Cancelling with a reason: the card then offers no edit, upload or action.
    await moderator.goto(`${harness.url}/console#/event/${draft.id}`);
    await moderator.getByLabel(ru('events.cancel_reason')).fill('Болезнь солистов');
    await moderator.getByRole('button', { name: ru('events.cancel') }).click();
    await moderator.getByText(`${ru('events.states.cancelled')} (Болезнь солистов)`).waitFor();
    expect(await db.db.selectFrom('afisha_event').select(['state', 'cancel_reason']).where('id', '=', draft.id).executeTakeFirstOrThrow()).toEqual({
      state: 'cancelled',
      cancel_reason: 'Болезнь солистов',
    });
    expect(await moderator.locator('main input, main button').count()).toBe(0);
    await moderator.context().close();
  }, 90_000);

  it("a session that ended while a news draft's photo is chosen returns to the sign-in form, as every other request does", async () => {
    const item = await createNews(
      db.db,
      {
        municipalityId: db.demo.municipalities.Kemerovo,
        title: 'Ярмарка выходного дня',
        body: 'Ярмарка на площади.',
        categoryId: null,
        mediaIds: [],
        link: null,
        pollId: null,
        publishAt: null,
        staffId: null,
      },
      now,
    );
    const moderator = await signIn(world.staff.moderator);
    await moderator.goto(`${harness.url}/console#/news-item/${item.id}`);
    await moderator.getByRole('heading', { name: 'Ярмарка выходного дня' }).waitFor();
    await db.db.updateTable('api_key').set({ revoked_at: now }).where('staff_id', '=', world.staff.moderator).where('kind', '=', 'session').execute();
    await moderator.getByLabel(ru('media.add')).setInputFiles({ name: 'fair.png', mimeType: 'image/png', buffer: PNG_1X1 });
    await moderator.getByRole('heading', { name: ru('sign_in.title') }).waitFor();
    await moderator.getByText(ru('error.session_ended')).waitFor();
    expect(await mediaIdsOf(item.id)).toEqual([]);
    await moderator.context().close();
  }, 60_000);

  it('an executor reads «Афиша» but has nothing to write, publish or upload', async () => {
    const published = await db.db.selectFrom('afisha_event').select('id').where('title', '=', 'Лыжная гонка «Кузбасская лыжня»').executeTakeFirstOrThrow();
    const executor = await signIn(world.staff.executor);
    await executor.getByRole('link', { name: ru('nav.events'), exact: true }).click();
    await executor.locator('main').getByText('Лыжная гонка «Кузбасская лыжня»').waitFor();
    expect(await executor.getByRole('link', { name: ru('events.create') }).count()).toBe(0);
    expect(await executor.locator('main').getByRole('button').count()).toBe(0);
    await executor.goto(`${harness.url}/console#/event/${published.id}`);
    await executor.getByRole('heading', { name: 'Лыжная гонка «Кузбасская лыжня»' }).waitFor();
    expect(await executor.locator('main input, main button').count()).toBe(0);
    expect(await seriousViolations(executor)).toEqual([]);
    await executor.context().close();
  }, 60_000);
});
