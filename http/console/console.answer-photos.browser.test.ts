import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fileMessage } from '../../core/messages/filing.service.ts';
import { draftAnswer, returnAnswer } from '../../core/messages/answers.service.ts';
import { acceptMessage } from '../../core/messages/moderation.service.ts';
import { recordAnswerCopies } from '../../core/messages/answer-photos.ts';
import { storeMedia } from '../../core/media/media.repository.ts';
import { createDiskMediaStore } from '../../core/media/store.ts';
import { newChat, type Chat } from '../../test/bots/chats.ts';
import { ARTIFACTS, consoleTestPerFile, ru } from '../../test/console-browser.ts';
import { jpegBytes, mp4Bytes } from '../../test/media/files.ts';
import { eventually } from '../../test/outbox.ts';
import { categoryId, KEMEROVO_CENTER, registeredResident } from '../../test/residents.ts';

/**
 * Photos with an official's answer in the web console, in Chromium against the whole app with its
 * own outbox sender: the executor chooses files in the answer form (each uploaded through
 * POST /api/v1/media), sees them as thumbnails with a count, removes one, is told clearly of a
 * file that is too large, not a photo, or over the limit, and sends the answer: it is saved with
 * the photos (the API lists them) and the resident's Telegram chat gets them with the answer.
 */
const MAX_IMAGE_BYTES = 100 * 1024;
/** A real 1×1 PNG (it decodes, so the thumbnail shows). */
const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const now = new Date('2026-12-01T03:00:00.000Z');

let resident: Chat;
let messageId = 0;

// Media go to the harness's own data folder (DATA_DIR/media), removed when it closes.
const world = consoleTestPerFile({ clock: () => now, outbox: 'all', env: { MEDIA_MAX_IMAGE_BYTES: String(MAX_IMAGE_BYTES) } });
beforeAll(async () => {
  const { db, harness } = world;
  // The answer goes to the resident at once (no curator's approval), so the photos' delivery is seen here.
  await db.db.updateTable('municipality').set({ answers_need_approval: false }).where('id', '=', db.demo.municipalities.Kemerovo).execute();
  resident = newChat(harness, 'tg', 'Житель');
  const residentId = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo, externalId: resident.externalId, now });
  const { message } = await fileMessage(
    db.db,
    { residentId, categoryId: await categoryId(db.db, 'roads.pothole'), text: 'Яма у школы на Весенней', point: KEMEROVO_CENTER, address: 'ул. Весенняя, 5', channel: 'tg' },
    now,
  );
  messageId = message.id;
  const { executor_id } = await db.db.selectFrom('staff').select('executor_id').where('id', '=', world.staff.executor).executeTakeFirstOrThrow();
  await acceptMessage(db.db, { messageId, executorId: executor_id!, actor: { kind: 'staff', staffId: world.staff.moderator } }, now);
}, 120_000);

const mediaCount = async () =>
  Number(
    (
      await world.db.db
        .selectFrom('media')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const jpeg = (name: string, seed: number, size = 2048) => ({ name, mimeType: 'image/jpeg', buffer: Buffer.from(jpegBytes(size, seed)) });

/** A Kemerovo resident's message about a pothole, accepted into work for the demo executor. */
async function acceptedMessage(text: string) {
  const { db } = world;
  const residentId = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo, now });
  const { message } = await fileMessage(db.db, { residentId, categoryId: await categoryId(db.db, 'roads.pothole'), text, point: KEMEROVO_CENTER, channel: 'tg' }, now);
  const { executor_id } = await db.db.selectFrom('staff').select('executor_id').where('id', '=', world.staff.executor).executeTakeFirstOrThrow();
  await acceptMessage(db.db, { messageId: message.id, executorId: executor_id!, actor: { kind: 'staff', staffId: world.staff.moderator } }, now);
  return message;
}

/** Kemerovo's answers wait for a curator's approval (so that one can be returned), or go out at once. */
const needApproval = async (on: boolean): Promise<void> => {
  await world.db.db.updateTable('municipality').set({ answers_need_approval: on }).where('id', '=', world.db.demo.municipalities.Kemerovo).execute();
};

/**
 * The executor's final answer on `messageId`, sent in the Telegram bot with the photo `fileId`
 * (and `mediaIds` attached through the API), whose copy failed once and waits for a retry an hour
 * away, so the app's copier leaves it alone; the curator returned it with `remark`.
 */
async function returnedWithPhotoBeingCopied(messageId: number, options: { fileId: string; remark: string; mediaIds?: number[]; copyError?: string }) {
  const { db } = world;
  const { answer } = await draftAnswer(
    db.db,
    {
      messageId,
      kind: 'final',
      resolution: 'solved',
      text: 'Яма заделана',
      ...(options.mediaIds && { mediaIds: options.mediaIds }),
      photos: { channel: 'tg', refs: [{ fileId: options.fileId }] },
      actor: { kind: 'staff', staffId: world.staff.executor },
    },
    now,
  );
  await db.db
    .updateTable('answer_photo')
    .set({ copy_due_at: new Date(now.getTime() + 3_600_000), copy_attempts: 1, ...(options.copyError && { copy_error: options.copyError }) })
    .where('answer_id', '=', answer.id)
    .execute();
  await returnAnswer(db.db, { answerId: answer.id, remark: options.remark, actor: { kind: 'staff', staffId: world.staff.curator } }, now);
  return answer;
}

/** The executor's card of `messageId` once it says that one bot photo is still being copied, with the revise form's photo field. */
async function correctionWhileCopying(messageId: number) {
  const executor = await world.signIn(world.staff.executor);
  await executor.goto(`${world.harness.url}/console#/message/${messageId}`);
  await executor.getByText(ru('media.revise_copying', { count: 1 })).waitFor();
  return { executor, field: executor.getByRole('group', { name: ru('media.revise_photos') }) };
}

/** Sends the revise form and waits for the status line saying `said`. */
async function sendRevision(executor: Page, said: string) {
  await executor.getByRole('button', { name: ru('act.revise') }).click();
  await executor.getByRole('status').filter({ hasText: said }).waitFor();
}

describe('photos with an answer in the console', () => {
  it('the executor attaches photos (thumbnails, count, removal, clear refusals, the limit) and sends the answer: saved with them, the resident gets them', async () => {
    const { db, harness } = world;
    const executor = await world.signIn(world.staff.executor);
    await executor.goto(`${harness.url}/console#/message/${messageId}`);
    await executor.getByRole('heading', { name: ru('card.title', { id: messageId }) }).waitFor();
    const field = executor.getByRole('group', { name: ru('media.answer_photos') });
    await field.getByText(ru('media.photos_count', { n: 0, max: 10 })).waitFor();
    expect(await world.seriousViolations(executor)).toEqual([]);
    const input = executor.getByLabel(ru('media.add_photos'));

    // Four files at once: two photos are attached; one too large and a video are each named with why.
    const before = await mediaCount();
    await input.setInputFiles([
      jpeg('yama-1.jpg', 1),
      { name: 'yama-2.png', mimeType: 'image/png', buffer: PNG_1X1 },
      jpeg('huge.jpg', 3, MAX_IMAGE_BYTES + 1),
      { name: 'clip.mp4', mimeType: 'video/mp4', buffer: Buffer.from(mp4Bytes()) },
    ]);
    await field.getByText(ru('media.photos_count', { n: 2, max: 10 })).waitFor();
    const alert = field.getByRole('alert');
    await alert.getByText(ru('media.file_refused', { name: 'huge.jpg', problem: ru('media.too_large', { max: '100 KB' }) })).waitFor();
    await alert.getByText(ru('media.file_refused', { name: 'clip.mp4', problem: ru('media.image_only') })).waitFor();
    expect(await field.getByRole('img').count()).toBe(2);
    // The video never left the browser, the large photo was refused by the API: two files stored.
    expect(await mediaCount()).toBe(before + 2);
    // A video named as a photo is refused by its bytes, not attached.
    await input.setInputFiles({ name: 'disguised.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(mp4Bytes(700)) });
    await alert.getByText(ru('media.file_refused', { name: 'disguised.jpg', problem: ru('media.image_only') })).waitFor();
    await field.getByText(ru('media.photos_count', { n: 2, max: 10 })).waitFor();

    // Removed before sending: it does not go with the answer.
    await field.getByRole('button', { name: ru('media.remove_n', { n: 1 }) }).click();
    await field.getByText(ru('media.photos_count', { n: 1, max: 10 })).waitFor();
    await input.setInputFiles(jpeg('yama-3.jpg', 4));
    await field.getByText(ru('media.photos_count', { n: 2, max: 10 })).waitFor();

    // More than the answer's limit of 10 is refused before anything is uploaded.
    const stored = await mediaCount();
    await input.setInputFiles(Array.from({ length: 9 }, (_, i) => jpeg(`extra-${i}.jpg`, 10 + i)));
    await field
      .getByRole('alert')
      .getByText(ru('media.photos_over', { max: 10, left: 8 }))
      .waitFor();
    expect(await mediaCount()).toBe(stored);
    await field.getByText(ru('media.photos_count', { n: 2, max: 10 })).waitFor();
    // Eight more fill it: the input gives way to a line saying so.
    await input.setInputFiles(Array.from({ length: 8 }, (_, i) => jpeg(`more-${i}.jpg`, 30 + i)));
    await field.getByText(ru('media.photos_count', { n: 10, max: 10 })).waitFor();
    await field.getByText(ru('media.photos_full', { max: 10 })).waitFor();
    expect(await executor.getByLabel(ru('media.add_photos')).count()).toBe(0);
    for (let n = 10; n > 3; n--) await field.getByRole('button', { name: ru('media.remove_n', { n }) }).click();
    await field.getByText(ru('media.photos_count', { n: 3, max: 10 })).waitFor();
    await executor.screenshot({ path: path.join(ARTIFACTS, 'console-answer-photos.png'), fullPage: true });

    await executor.getByLabel(ru('act.answer_kind')).selectOption('final_solved');
    // An answer the API refuses (its text only spaces) saves nothing, and the photos stay chosen.
    await executor.getByLabel(ru('act.answer_text')).fill('   ');
    await executor.getByRole('button', { name: ru('act.send') }).click();
    await executor
      .getByRole('status')
      .filter({ hasText: ru('error.code.TEXT_EMPTY') })
      .waitFor();
    expect(await db.db.selectFrom('answer').select('id').where('message_id', '=', messageId).execute()).toEqual([]);
    await field.getByText(ru('media.photos_count', { n: 3, max: 10 })).waitFor();
    // A refusal naming the photos (the API's 400 for mediaIds, faked here once) marks the file input
    // and says why; removing the photo answers it, so the form sends again.
    await executor.getByLabel(ru('act.answer_text')).fill('Яму заделали, фото после ремонта прилагаем.');
    await executor.route(
      '**/api/v1/messages/*/answers',
      (route) =>
        route.fulfill({
          status: 400,
          contentType: 'application/problem+json',
          body: JSON.stringify({ type: 'about:blank', title: 'Bad Request', status: 400, code: 'VALIDATION', details: { field: 'mediaIds', problem: 'photos only', id: 1 } }),
        }),
      { times: 1 },
    );
    await executor.getByRole('button', { name: ru('act.send') }).click();
    await executor
      .getByRole('status')
      .filter({ hasText: ru('error.field', { field: ru('media.add_photos'), problem: ru('error.problem.image') }) })
      .waitFor();
    await field.getByRole('button', { name: ru('media.remove_n', { n: 3 }) }).click();
    await field.getByText(ru('media.photos_count', { n: 2, max: 10 })).waitFor();
    const chosen = (await field.getByRole('img').evaluateAll((images) => images.map((img) => (img as unknown as { getAttribute(name: string): string }).getAttribute('src')))).map((src) =>
      Number(src.split('/').pop()),
    );
    expect(chosen).toHaveLength(2);
    await executor.getByRole('button', { name: ru('act.send') }).click();
    await executor
      .getByRole('status')
      .filter({ hasText: ru('act.done') })
      .waitFor();
    const answer = await db.db.selectFrom('answer').selectAll().where('message_id', '=', messageId).executeTakeFirstOrThrow();
    expect(answer).toMatchObject({ kind: 'final', resolution: 'solved', media_ids: chosen });
    // Read through the API, as the card does: the answer lists its photos; the card shows them.
    const card = (await executor.evaluate(async (id) => (await fetch(`/api/v1/messages/${id}`, { credentials: 'same-origin' })).json(), messageId)) as { answers: { mediaIds: number[] }[] };
    expect(card.answers.map((a) => a.mediaIds)).toEqual([chosen]);
    await executor.getByText(ru('media.photos_attached', { n: 2 })).waitFor();

    // The resident's chat gets the two photos (uploaded to Telegram now) and the answer.
    harness.app.kickOutbox();
    const toResident = () => harness.fake.calls.filter((c) => String(c.params.chat_id) === resident.externalId);
    await eventually(async () => toResident().some((c) => c.method === 'sendMessage' && String(c.params.text).includes('Яму заделали')), 15_000, "the resident's answer");
    await eventually(
      async () =>
        toResident()
          .filter((c) => c.method === 'sendMediaGroup')
          .flatMap((c) => c.params.media as unknown[]).length === 2,
      15_000,
      "the answer's photos",
    );
    await executor.context().close();
  }, 120_000);

  describe('after the curator returned the answer', () => {
    // Approval is on for these (a curator returns the answer), off again for the others, as beforeAll set it.
    beforeEach(() => needApproval(true));
    afterEach(() => needApproval(false));

    it('a returned answer is corrected with a photo of the result: the revise form takes photos as the answer form does', async () => {
      const { db, harness } = world;
      const message = await acceptedMessage('Яма во дворе');
      const { answer } = await draftAnswer(db.db, { messageId: message.id, kind: 'final', resolution: 'solved', text: 'Яма заделана', actor: { kind: 'staff', staffId: world.staff.executor } }, now);
      await returnAnswer(db.db, { answerId: answer.id, remark: 'Приложите фото после ремонта', actor: { kind: 'staff', staffId: world.staff.curator } }, now);

      const executor = await world.signIn(world.staff.executor);
      await executor.goto(`${harness.url}/console#/message/${message.id}`);
      await executor.getByText(ru('answer.remark', { remark: 'Приложите фото после ремонта' })).waitFor();
      const field = executor.getByRole('group', { name: ru('media.revise_photos') });
      await field.getByText(ru('media.photos_count', { n: 0, max: 10 })).waitFor();
      await field.getByLabel(ru('media.add_photos')).setInputFiles([jpeg('after-1.jpg', 61), jpeg('after-2.jpg', 62)]);
      await field.getByText(ru('media.photos_count', { n: 2, max: 10 })).waitFor();
      await field.getByRole('button', { name: ru('media.remove_n', { n: 2 }) }).click();
      await field.getByText(ru('media.photos_count', { n: 1, max: 10 })).waitFor();
      expect(await world.seriousViolations(executor)).toEqual([]);
      await executor.getByLabel(ru('act.revise_text')).fill('Яма заделана, фото после ремонта');
      await sendRevision(executor, ru('act.done'));
      const revised = await db.db.selectFrom('answer').select(['state', 'text', 'media_ids']).where('id', '=', answer.id).executeTakeFirstOrThrow();
      expect(revised).toMatchObject({ state: 'draft', text: 'Яма заделана, фото после ремонта' });
      expect(revised.media_ids).toHaveLength(1);
      await executor.context().close();
    }, 60_000);

    it('a bot photo still being copied stays through a correction in the console: the form says so and leaves room for it', async () => {
      const { db } = world;
      const message = await acceptedMessage('Яма у подъезда');
      const answer = await returnedWithPhotoBeingCopied(message.id, { fileId: 'tg-photo-pending', copyError: 'Telegram getFile timed out', remark: 'Уточните подъезд' });

      const { executor, field } = await correctionWhileCopying(message.id);
      await field.getByText(ru('media.photos_count', { n: 0, max: 9 })).waitFor();
      await executor.getByLabel(ru('act.revise_text')).fill('Яма у второго подъезда заделана');
      await sendRevision(executor, ru('act.done'));
      expect(await db.db.selectFrom('answer').select(['state', 'text']).where('id', '=', answer.id).executeTakeFirstOrThrow()).toEqual({ state: 'draft', text: 'Яма у второго подъезда заделана' });
      // The photo is still the answer's, waiting for its copy.
      expect(await db.db.selectFrom('answer_photo').select(['file_id', 'media_id']).where('answer_id', '=', answer.id).execute()).toEqual([{ file_id: 'tg-photo-pending', media_id: null }]);
      await executor.context().close();
    }, 60_000);

    it('a copy that lands while the correction is being typed: the revision is refused, the form reads the answer again (copy added, text and removal kept), and the next send keeps the photo', async () => {
      const { db } = world;
      const message = await acceptedMessage('Яма у арки');
      const store = createDiskMediaStore(path.join(world.harness.dataDir, 'media'));
      const limits = { maxImageBytes: MAX_IMAGE_BYTES, maxVideoBytes: MAX_IMAGE_BYTES };
      // One photo attached through the API (to be taken off), one sent in the Telegram bot and still being copied (the test lands its copy by hand).
      const attached = await storeMedia(db.db, store, { bytes: jpegBytes(2048, 81), municipalityId: world.kemerovo, origin: 'upload', limits });
      const answer = await returnedWithPhotoBeingCopied(message.id, { fileId: 'tg-photo-late', mediaIds: [attached.id], remark: 'Уберите старое фото' });

      const { executor, field } = await correctionWhileCopying(message.id);
      await field.getByText(ru('media.photos_count', { n: 1, max: 9 })).waitFor();
      await field.getByRole('button', { name: ru('media.remove_n', { n: 1 }) }).click();
      await field.getByText(ru('media.photos_count', { n: 0, max: 9 })).waitFor();
      await executor.getByLabel(ru('act.revise_text')).fill('Яма у арки заделана');

      // Meanwhile the copier's download lands.
      const copy = await storeMedia(db.db, store, { bytes: jpegBytes(2048, 82), municipalityId: world.kemerovo, origin: 'tg', limits });
      const [photo] = await db.db.selectFrom('answer_photo').select('id').where('answer_id', '=', answer.id).execute();
      await recordAnswerCopies(db.db, answer.id, [{ photoId: photo!.id, mediaId: copy.id }]);

      // The list the page made could not name the copy: refused, nothing revised, the page says why.
      await sendRevision(executor, ru('media.revise_changed'));
      expect(await db.db.selectFrom('answer').select(['state', 'text', 'media_ids']).where('id', '=', answer.id).executeTakeFirstOrThrow()).toEqual({
        state: 'returned',
        text: 'Яма заделана',
        media_ids: [attached.id, copy.id],
      });
      // Read again: the copy is in the form (no longer counted as being copied), the removed photo stays removed, the typed text stays.
      await field.getByText(ru('media.photos_count', { n: 1, max: 10 })).waitFor();
      expect(await executor.getByText(ru('media.revise_copying', { count: 1 })).count()).toBe(0);
      expect(
        await field.getByRole('img').evaluateAll((images) => images.map((img) => Number((img as unknown as { getAttribute(name: string): string }).getAttribute('src').split('/').pop()))),
      ).toEqual([copy.id]);
      expect(await executor.getByLabel(ru('act.revise_text')).inputValue()).toBe('Яма у арки заделана');
      expect(await world.seriousViolations(executor)).toEqual([]);

      await sendRevision(executor, ru('act.done'));
      expect(await db.db.selectFrom('answer').select(['state', 'text', 'media_ids']).where('id', '=', answer.id).executeTakeFirstOrThrow()).toEqual({
        state: 'draft',
        text: 'Яма у арки заделана',
        media_ids: [copy.id],
      });
      // The bot's photo is still the answer's, with its copy: its file id goes to Telegram, the copy to VK.
      expect(await db.db.selectFrom('answer_photo').select(['file_id', 'media_id']).where('answer_id', '=', answer.id).execute()).toEqual([{ file_id: 'tg-photo-late', media_id: copy.id }]);
      await executor.context().close();
    }, 60_000);
  });

  it('a session that ended while photos are chosen returns to the sign-in form, as every other request does', async () => {
    const { db } = world;
    const message = await acceptedMessage('Сломана скамейка');
    const executor = await world.signIn(world.staff.executor);
    await executor.goto(`${world.harness.url}/console#/message/${message.id}`);
    await executor.getByRole('heading', { name: ru('card.title', { id: message.id }) }).waitFor();
    await db.db.updateTable('api_key').set({ revoked_at: now }).where('staff_id', '=', world.staff.executor).where('kind', '=', 'session').execute();
    await executor.getByLabel(ru('media.add_photos')).setInputFiles(jpeg('bench.jpg', 50));
    await executor.getByRole('heading', { name: ru('sign_in.title') }).waitFor();
    await executor.getByText(ru('error.session_ended')).waitFor();
    await executor.context().close();
  }, 60_000);
});
