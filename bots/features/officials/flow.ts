import { authorizeAlertAction } from '../../../core/alerts/authorize.ts';
import { draftAnswer, MAX_ANSWER_PHOTOS, returnAnswer, reviseAnswer } from '../../../core/messages/answers.service.ts';
import type { AnswerPhotoRef } from '../../../core/messages/answer-photos.ts';
import type { AnswerKind, Resolution } from '../../../core/messages/message.table.ts';
import { MAX_TEXT_LENGTH, validText } from '../../../core/messages/text.ts';
import { unlinkIdentity } from '../../../core/staff/link-codes.ts';
import { button, literalButton } from '../../dialogs/buttons.ts';
import { end, goto, num, stay, str, type Flow, type Outcome, type StepContext, type StepData, type StepInput } from '../../dialogs/flow.ts';
import { excerpt } from '../../dialogs/format.ts';
import { requireOfficial } from '../../dialogs/staff.ts';
import { local, type Button, type View } from '../../dialogs/view.ts';
import { authorizeCommentReply } from '../../../core/alerts/authorize-comment.ts';
import { addStaffComment } from '../../../core/messages/feedback.service.ts';
import { authorizeAnswerTap, kindText } from './alert-buttons.ts';
import { authorizeModeration, moderatedAlready } from './moderation.ts';
import { acceptMessage, changeCategory, rejectMessage, reopenMessage } from '../../../core/messages/moderation.service.ts';
import { authorizeReopen, reopenedAlready } from './reopen.ts';
import { listCategories, titleIn } from '../../../core/categories/category.repository.ts';
import { auditBotAction } from './audit.ts';
import { listRows, pageOf, pageSizeFor } from '../../dialogs/paging.ts';

const CANCEL: Button = button('x', 'dialog.cancel');
/** Rejection reasons offered on the moderation card; a typed reason works too. */
const REJECT_REASONS: readonly string[] = ['not_competence', 'no_details', 'abuse'];
/** Buttons of a list step's page (fewer in VK, so the page, its pager and Cancel are one keyboard). */
const MAX_CHOICES = 8;
const choicesPerPage = (c: StepContext) => pageSizeFor(c.from.channel, MAX_CHOICES, { fixedButtons: 1, fixedRows: 1 });
const KINDS: readonly AnswerKind[] = ['intermediate', 'final', 'clarification'];

function answerKind(c: StepContext): AnswerKind {
  const kind = str(c.data, 'kind');
  return KINDS.includes(kind as AnswerKind) ? (kind as AnswerKind) : 'intermediate';
}

function resolutionOf(c: StepContext): Resolution | null {
  const r = str(c.data, 'resolution');
  return r === 'solved' || r === 'explained' ? r : null;
}

/** Photos the executor sent for the answer in this dialog: the messenger's file ids (copied after the answer is saved). */
function photosOf(data: StepData): AnswerPhotoRef[] {
  return Array.isArray(data.photos) ? (data.photos as AnswerPhotoRef[]) : [];
}

/** How many more photos this answer may take: a revised answer keeps the photos it has (unless "Without photos" dropped them). */
const photoRoom = (c: StepContext) => MAX_ANSWER_PHOTOS - (num(c.data, 'photosBefore') ?? 0);

/** "Without photos" was pressed: the answer goes with none of its photos, a revised answer's earlier ones included. */
const WITHOUT_PHOTOS = 'withoutPhotos';

type PhotoInput = Extract<StepInput, { kind: 'photo' }>;

/**
 * A photo for the answer: kept (a repeat of one kept, by the messenger's unique id, is not added
 * twice), or refused past the limit with a clear word. `photos` is what the answer then has.
 */
function keepPhoto(c: StepContext, input: PhotoInput): { photos: AnswerPhotoRef[]; over: boolean } {
  const photos = photosOf(c.data);
  if (input.fileUniqueId && photos.some((p) => p.fileUniqueId === input.fileUniqueId)) return { photos, over: false };
  if (photos.length >= photoRoom(c)) return { photos, over: true };
  return { photos: [...photos, { fileId: input.fileId, fileUniqueId: input.fileUniqueId ?? null, ...(input.file?.url && { url: input.file.url }) }], over: false };
}

const limitView = (): View => ({ key: 'official.photos_limit', params: { max: MAX_ANSWER_PHOTOS } });
/** "N of 10": the answer's photos, those a revised answer had included. */
const photoCount = (c: StepContext, photos: AnswerPhotoRef[]) => ({ count: (num(c.data, 'photosBefore') ?? 0) + photos.length, max: MAX_ANSWER_PHOTOS });

/** The check's buttons; "Without photos" while the answer has any (a revised answer's earlier ones count). */
function confirmKeyboard(c: StepContext, photos: AnswerPhotoRef[]): View['keyboard'] {
  const any = photoCount(c, photos).count > 0;
  return {
    kind: 'inline',
    rows: [[button('ok', 'official.send')], ...(any ? [[button('np', 'official.remove_photos')]] : []), [button('ed', 'official.edit'), CANCEL]],
  };
}

/** "Without photos": those sent in this dialog and, in a revision, those the answer had (dropped when it is sent). */
function withoutPhotos(c: StepContext): Outcome {
  const earlier = (num(c.data, 'photosBefore') ?? 0) > 0;
  return stay({
    data: { photos: [], ...(num(c.data, 'reviseId') && { photosBefore: 0, [WITHOUT_PHOTOS]: true }) },
    say: [{ key: earlier ? 'official.photos_removed_all' : 'official.photos_removed' }],
    reprompt: true,
  });
}

/** The executor's answer as they will send it: kind, the outcome of a final answer, the text, the photos. */
function previewView(c: StepContext): View {
  const resolution = resolutionOf(c);
  const photos = photosOf(c.data);
  return {
    key: 'official.confirm',
    params: { kind: kindText(answerKind(c)), messageId: num(c.data, 'messageId'), text: excerpt(str(c.data, 'text') ?? '', 3000) },
    lines: [
      ...(resolution ? [{ key: 'official.confirm_resolution', params: { resolution: local(`official.resolution_${resolution}`) } }] : []),
      // A revision's earlier photos count: the check says the answer has them.
      photoCount(c, photos).count > 0 ? { key: 'official.confirm_photos', params: photoCount(c, photos) } : { key: 'official.confirm_photos_hint', params: { max: photoRoom(c) } },
    ],
    keyboard: confirmKeyboard(c, photos),
  };
}

/** The running line of the answer's photos (View `slot`): an album or a VK message's photos get it once, with their final count. */
const PHOTOS_SLOT = 'answer_photos';

/**
 * A photo kept for the answer (`key`: its count line, `keyboard(photos)` under it), or refused past
 * the limit. Every photo of an album (a VK message) answers with the same running line, so the album
 * gets one: the count, and the limit's word when some of it did not fit (`albumOver`: that album).
 */
function photoLine(c: StepContext, input: PhotoInput, key: string, keyboard: (photos: AnswerPhotoRef[]) => View['keyboard']): Outcome {
  const { photos, over } = keepPhoto(c, input);
  const batch = input.album ?? (input.alongside ? 'vk' : undefined);
  const overBefore = batch !== undefined && c.data.albumOver === batch;
  const added: View = { key, params: photoCount(c, photos), keyboard: keyboard(photos), slot: PHOTOS_SLOT };
  if (!over && !overBefore) return stay({ data: { photos, albumOver: null }, say: [added] });
  const refused: View = { ...limitView(), keyboard: keyboard(photos), slot: PHOTOS_SLOT };
  const say = batch === undefined ? [refused] : [{ ...added, keyboard: undefined }, refused];
  return stay({ data: { photos, albumOver: batch ?? null }, say });
}

/**
 * What officials do in the bot after an alert button (./alert-buttons.ts):
 * the executor writes an answer (final: solved or explained first), checks it and sends it —
 * to the curator where the municipality requires approval, else straight to the author; the
 * curator writes the remark of a returned answer. /unlink removes this account's link. Every
 * step checks the link and the rights again, since time passes between the taps.
 */
export const officialFlow: Flow = {
  name: 'official',
  first: 'unlink',
  needsRegistration: false,
  asStaff: true,
  steps: {
    resolution: {
      accepts: ['button'],
      wrongInput: 'dialog.use_buttons',
      prompt: (c) => [
        {
          key: 'official.choose_resolution',
          params: { messageId: num(c.data, 'messageId') },
          keyboard: { kind: 'inline', rows: [[button('s', 'official.resolution_solved'), button('e', 'official.resolution_explained')], [CANCEL]] },
        },
      ],
      next(_c, input) {
        if (input.kind === 'button' && input.action === 's') return goto('text', { data: { resolution: 'solved' } });
        if (input.kind === 'button' && input.action === 'e') return goto('text', { data: { resolution: 'explained' } });
        return stay({ reprompt: true });
      },
    },
    text: {
      accepts: ['text', 'photo'],
      wrongInput: 'official.send_text',
      prompt: (c) => [
        {
          key: 'official.write_text',
          params: { kind: kindText(answerKind(c)), messageId: num(c.data, 'messageId'), max: MAX_TEXT_LENGTH },
          lines: num(c.data, 'reviseId') ? [{ key: 'official.revise_remark', params: { remark: str(c.data, 'remark') ?? '' } }] : [],
          keyboard: { kind: 'inline', rows: [[CANCEL]] },
        },
      ],
      next(c, input) {
        if (input.kind !== 'photo') return goto('confirm', { data: { text: validText(input.kind === 'text' ? input.text : '') } });
        // A photo with a caption is the answer's text and its first photo; a photo alone is kept and the text still asked for.
        const caption = input.caption?.trim() ? validText(input.caption) : undefined;
        if (caption === undefined) return photoLine(c, input, 'official.photo_kept_text', () => ({ kind: 'inline', rows: [[CANCEL]] }));
        const { photos, over } = keepPhoto(c, input);
        return goto('confirm', { data: { text: caption, photos }, say: over ? [limitView()] : [] });
      },
    },
    confirm: {
      accepts: ['button', 'photo'],
      wrongInput: 'dialog.use_buttons',
      prompt: (c) => [previewView(c)],
      async next(c, input) {
        if (input.kind === 'photo') return photoLine(c, input, 'official.photo_added', (photos) => confirmKeyboard(c, photos));
        if (input.kind === 'button' && input.action === 'np') return withoutPhotos(c);
        if (input.kind === 'button' && input.action === 'ed') return goto('text');
        if (input.kind !== 'button' || input.action !== 'ok') return stay({ reprompt: true });
        const staff = await requireOfficial(c);
        const messageId = num(c.data, 'messageId')!;
        const kind = answerKind(c);
        // Handed to another executor while the answer was being written: said so, nothing drafted.
        const handedOn = await authorizeAnswerTap(c, staff.staffId, { action: 'answer', kind, messageId });
        if (handedOn) return end([handedOn], false);
        const actor = { kind: 'staff' as const, staffId: staff.staffId };
        const text = str(c.data, 'text') ?? '';
        const reviseId = num(c.data, 'reviseId');
        const refs = photosOf(c.data);
        // The photos go with the answer as this messenger's file ids; the copier copies them afterwards, outside this turn.
        const photos = refs.length > 0 ? { channel: c.from.channel, refs } : undefined;
        const answer = reviseId
          ? await reviseAnswer(
              c.db,
              // "Without photos": an empty list drops the answer's earlier photos (the bot's and the API's); those sent after it are added.
              { answerId: reviseId, text, resolution: resolutionOf(c) ?? undefined, actor, photos, ...(c.data[WITHOUT_PHOTOS] === true && { withoutPhotos: true }) },
              c.now,
            )
          : (await draftAnswer(c.db, { messageId, kind, resolution: resolutionOf(c), text, actor, photos }, c.now)).answer;
        await auditBotAction(c, staff.staffId, {
          action: reviseId ? 'answer.revise' : 'answer.draft',
          entity: 'answer',
          entityId: answer.id,
          municipalityId: null,
          messageId,
          data: { kind, resolution: resolutionOf(c), state: answer.state, ...(refs.length > 0 && { photos: refs.length }) },
        });
        const key = answer.state === 'draft' ? 'official.sent_for_approval' : 'official.sent_to_author';
        const lines = refs.length > 0 ? [{ key: 'official.sent_photos', params: { count: refs.length } }] : [];
        return end([{ key, params: { kind: kindText(kind), messageId }, lines }], false);
      },
    },
    remark: {
      accepts: ['text'],
      wrongInput: 'official.send_text',
      prompt: (c) => [{ key: 'official.write_remark', params: { messageId: num(c.data, 'messageId') }, keyboard: { kind: 'inline', rows: [[CANCEL]] } }],
      async next(c, input) {
        const staff = await requireOfficial(c);
        const answerId = num(c.data, 'answerId')!;
        await authorizeAlertAction(c.db, staff.staffId, { action: 'return', answerId });
        const remark = validText(input.kind === 'text' ? input.text : '', 'remark');
        const answer = await returnAnswer(c.db, { answerId, remark, actor: { kind: 'staff', staffId: staff.staffId } }, c.now);
        await auditBotAction(c, staff.staffId, { action: 'answer.return', entity: 'answer', entityId: answer.id, municipalityId: null, messageId: answer.messageId });
        return end([{ key: 'official.returned', params: { messageId: answer.messageId } }], false);
      },
    },
    mod_executor: {
      accepts: ['button'],
      wrongInput: 'dialog.use_buttons',
      async prompt(c) {
        const messageId = num(c.data, 'messageId')!;
        const message = await c.db.selectFrom('message').select('municipality_id').where('id', '=', messageId).executeTakeFirstOrThrow();
        const executors = await c.db
          .selectFrom('executor')
          .select(['id', 'name'])
          .where('active', '=', true)
          .where((eb) => eb.or([eb('municipality_id', '=', message.municipality_id), eb('municipality_id', 'is', null)]))
          .orderBy('municipality_id')
          .orderBy('id')
          .execute();
        const { items, page, pages } = pageOf(executors, num(c.data, 'page') ?? 0, choicesPerPage(c));
        const rows = listRows(
          items.map((e) => literalButton(`e${e.id}`, excerpt(e.name, 40))),
          page,
          pages,
        );
        return [{ key: 'official.choose_executor', params: { messageId }, keyboard: { kind: 'inline', rows: [...rows, [CANCEL]] } }];
      },
      async next(c, input) {
        const executorId = input.kind === 'button' && /^e\d+$/.test(input.action) ? Number(input.action.slice(1)) : undefined;
        if (executorId === undefined) return stay({ reprompt: true });
        const staff = await requireOfficial(c);
        const messageId = num(c.data, 'messageId')!;
        await authorizeModeration(c.db, staff.staffId, messageId);
        // Someone else moderated it while this list was open.
        const done = await moderatedAlready(c, messageId, 'accept');
        if (done) return end([done], false);
        const accepted = await acceptMessage(c.db, { messageId, executorId, actor: { kind: 'staff', staffId: staff.staffId } }, c.now);
        await auditBotAction(c, staff.staffId, {
          action: 'message.accept',
          entity: 'message',
          entityId: messageId,
          municipalityId: accepted.municipalityId,
          messageId,
          data: { executorId, routed: false },
        });
        const executor = await c.db.selectFrom('executor').select('name').where('id', '=', executorId).executeTakeFirstOrThrow();
        return end([{ key: 'official.accepted', params: { messageId, executor: executor.name } }], false);
      },
    },
    mod_reject: {
      accepts: ['button', 'text'],
      wrongInput: 'official.send_text',
      prompt: (c) => [
        {
          key: 'official.choose_reject_reason',
          params: { messageId: num(c.data, 'messageId') },
          keyboard: { kind: 'inline', rows: [...REJECT_REASONS.map((r) => [button(r, `official.reject_button_${r}`)]), [CANCEL]] },
        },
      ],
      async next(c, input) {
        const staff = await requireOfficial(c);
        const messageId = num(c.data, 'messageId')!;
        let reason: string;
        if (input.kind === 'button') {
          if (!REJECT_REASONS.includes(input.action)) return stay({ reprompt: true });
          // The resident reads the reason: in the resident's language, from the list's own texts.
          const author = await c.db.selectFrom('message').innerJoin('resident', 'resident.id', 'message.author_id').select('resident.language').where('message.id', '=', messageId).executeTakeFirst();
          reason = c.t(author?.language ?? 'ru', `official.reject_reason_${input.action}`);
        } else {
          reason = validText(input.kind === 'text' ? input.text : '', 'reason');
        }
        await authorizeModeration(c.db, staff.staffId, messageId);
        const done = await moderatedAlready(c, messageId, 'reject');
        if (done) return end([done], false);
        const rejected = await rejectMessage(c.db, { messageId, reason, actor: { kind: 'staff', staffId: staff.staffId } }, c.now);
        await auditBotAction(c, staff.staffId, {
          action: 'message.reject',
          entity: 'message',
          entityId: messageId,
          municipalityId: rejected.municipalityId,
          messageId,
          data: { listed: input.kind === 'button' },
        });
        return end([{ key: 'official.rejected', params: { messageId } }], false);
      },
    },
    mod_category: {
      accepts: ['button'],
      wrongInput: 'dialog.use_buttons',
      async prompt(c) {
        const messageId = num(c.data, 'messageId')!;
        const message = await c.db
          .selectFrom('message')
          .innerJoin('category', 'category.id', 'message.category_id')
          .select(['category.sector_id', 'message.category_id'])
          .where('message.id', '=', messageId)
          .executeTakeFirstOrThrow();
        const categories = (await listCategories(c.db, { sectorId: message.sector_id, activeOnly: true })).filter((x) => x.id !== message.category_id);
        const { items, page, pages } = pageOf(categories, num(c.data, 'page') ?? 0, choicesPerPage(c));
        const rows = listRows(
          items.map((x) => literalButton(`k${x.id}`, excerpt(titleIn(x, c.language), 40))),
          page,
          pages,
        );
        return [{ key: 'official.choose_category', params: { messageId }, keyboard: { kind: 'inline', rows: [...rows, [CANCEL]] } }];
      },
      async next(c, input) {
        const categoryId = input.kind === 'button' && /^k\d+$/.test(input.action) ? Number(input.action.slice(1)) : undefined;
        if (categoryId === undefined) return stay({ reprompt: true });
        const staff = await requireOfficial(c);
        const messageId = num(c.data, 'messageId')!;
        await authorizeModeration(c.db, staff.staffId, messageId);
        const done = await moderatedAlready(c, messageId, 'change_category');
        if (done) return end([done], false);
        const before = await c.db.selectFrom('message').select('category_id').where('id', '=', messageId).executeTakeFirstOrThrow();
        const changed = await changeCategory(c.db, { messageId, categoryId, actor: { kind: 'staff', staffId: staff.staffId } }, c.now);
        await auditBotAction(c, staff.staffId, {
          action: 'message.change_category',
          entity: 'message',
          entityId: messageId,
          municipalityId: changed.municipalityId,
          messageId,
          data: { from: before.category_id, to: categoryId },
        });
        const category = await c.db.selectFrom('category').select(['title_ru', 'title_en']).where('id', '=', categoryId).executeTakeFirstOrThrow();
        return end([{ key: 'official.category_changed', params: { messageId, category: c.language === 'en' ? category.title_en : category.title_ru } }], false);
      },
    },
    reopen_reason: {
      accepts: ['text'],
      wrongInput: 'official.send_text',
      prompt: (c) => [{ key: 'official.write_reopen_reason', params: { messageId: num(c.data, 'messageId') }, keyboard: { kind: 'inline', rows: [[CANCEL]] } }],
      async next(c, input) {
        const staff = await requireOfficial(c);
        const messageId = num(c.data, 'messageId')!;
        await authorizeReopen(c.db, staff.staffId, messageId);
        // Another curator put it back in work while this one was typing the reason.
        const done = await reopenedAlready(c, messageId);
        if (done) return end([done], false);
        const reason = validText(input.kind === 'text' ? input.text : '', 'reason');
        const reopened = await reopenMessage(c.db, { messageId, reason, actor: { kind: 'staff', staffId: staff.staffId } }, c.now);
        await auditBotAction(c, staff.staffId, { action: 'message.reopen', entity: 'message', entityId: messageId, municipalityId: reopened.municipalityId, messageId, data: { reason } });
        return end([{ key: 'official.reopened', params: { messageId } }], false);
      },
    },
    comment_reply: {
      accepts: ['text'],
      wrongInput: 'official.send_text',
      prompt: (c) => [{ key: 'official.write_comment_reply', params: { messageId: num(c.data, 'messageId'), max: MAX_TEXT_LENGTH }, keyboard: { kind: 'inline', rows: [[CANCEL]] } }],
      async next(c, input) {
        const staff = await requireOfficial(c);
        const commentId = num(c.data, 'commentId')!;
        const { messageId } = await authorizeCommentReply(c.db, staff.staffId, commentId);
        const text = validText(input.kind === 'text' ? input.text : '');
        const reply = await addStaffComment(c.db, { staffId: staff.staffId, messageId, text, replyToId: commentId }, c.now);
        await auditBotAction(c, staff.staffId, { action: 'comment.create', entity: 'comment', entityId: reply.id, municipalityId: null, messageId, data: { replyToId: commentId } });
        return end([{ key: 'official.comment_replied', params: { messageId } }], false);
      },
    },
    unlink: {
      accepts: ['button'],
      wrongInput: 'dialog.use_buttons',
      prompt: () => [{ key: 'official.unlink_confirm', keyboard: { kind: 'inline', rows: [[button('yes', 'official.unlink_yes')], [button('no', 'official.unlink_no')]] } }],
      async next(c, input) {
        if (input.kind === 'button' && input.action === 'no') return end([{ key: 'official.unlink_kept' }], false);
        if (input.kind !== 'button' || input.action !== 'yes') return stay({ reprompt: true });
        const unlinked = await unlinkIdentity(c.db, c.from.channel, c.from.externalId);
        if (unlinked !== null) {
          const staff = await c.db.selectFrom('staff').select('municipality_id').where('id', '=', unlinked).executeTakeFirst();
          await auditBotAction(c, unlinked, { action: 'staff.unlink', entity: 'staff', entityId: unlinked, municipalityId: staff?.municipality_id ?? null, data: { removed: true } });
        }
        return end([{ key: unlinked === null ? 'official.not_linked_account' : 'official.unlinked' }], false);
      },
    },
  },
};
