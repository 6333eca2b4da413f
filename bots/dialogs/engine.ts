import { sql } from 'kysely';
import { parseActionId } from '../../core/dialogs/action-id.ts';
import type { Db, Language } from '../../core/db/types.ts';
import { recordStartPayload } from '../../core/inbound/start-payload.repository.ts';
import { touchQuery, touchResident, type TouchQuery } from '../../core/residents/resident.repository.ts';
import type { Translate } from '../i18n.ts';
import { isActionButtonId, readStamped, stampId } from './buttons.ts';
import { MENU_PAGE, mainMenu } from './menu.ts';
import { domainErrorView } from './errors.ts';
import { BATCH_PHOTOS_NOT_TAKEN, stay, stepOf, type Flow, type FlowName, type Outcome, type StepContext, type StepData, type StepInput } from './flow.ts';
import { freeTextAnswer, idleFlow, liveOffer } from './idle.ts';
import { ATTACHMENTS_NOT_TAKEN } from './input.ts';
import type { DialogInput } from './input.ts';
import { PAGE_ACTION } from './paging.ts';
import { isRegistered, registrationRequired } from './registration-check.ts';
import { IDLE_FLOW, MENU_TAG, type Features } from './registry.ts';
import { linkedOfficial } from './staff.ts';
import { IDLE, lockState, MAX_LAST_TEXT, saveState, type DialogState, type LastTap, type LastText } from './state.ts';
import { writeWatch } from '../../core/db/write-watch.ts';
import { withdrawHeldReply } from '../outbox/reply.ts';
import { storableText } from '../../core/text/unsafe-text.ts';
import type { View } from './view.ts';

export interface DialogDeps {
  t: Translate;
  /** The registered bot features (bots/features/registry.ts through createRegistry). */
  features: Features;
}

/** What one input produced: the views to send (in order) and the language to render them in. */
export interface DialogTurn {
  views: View[];
  language: Language;
  /** Absent when the turn erased the account (consent withdrawn): the answer goes to the chat, linked to nobody. */
  residentId?: number;
  /** The turn would have kept the resident's messenger name, which the input did not carry (StepContext.nameWanted). */
  nameWanted?: true;
}

interface Position {
  flow: FlowName;
  step: string;
  data: StepData;
}
interface Decision {
  views: View[];
  /** Where the dialog is afterwards; absent means unchanged. */
  to?: Position;
  /** A part of a Telegram album said not taken (a video among its photos): the album's running lines held for its next photo stay held. */
  keepsAlbumLine?: true;
}

const CANCEL_ACTION = 'x';

/**
 * Saves the turn's state instead of saveState (same meaning: false when the row is gone), e.g. in
 * one statement with the turn's reply (bots/outbox/reply.ts queueReplySavingState). `holdMs`: the
 * reply answers what may be the first pieces of a split text: it is held back that long, so that the
 * next piece can take it back (withdrawHeldReply) and answer the whole text instead.
 */
export type SaveTurn = (state: DialogState, turn: { views: View[]; language: Language; residentId: number; holdMs?: number }) => Promise<boolean>;

/** What the caller of runDialog did already in its transaction, and how the turn is saved. */
export interface TurnOptions {
  /** The state the caller locked (bots/inbound.ts, with the update's dedupe row). */
  locked?: DialogState;
  /** The turn's touch of the resident, compiled by dialogTouch and sent with the lock. */
  touch?: TouchQuery;
  /** Used instead of saveState. */
  save?: SaveTurn;
}

/** The resident's touch a turn starts with (runDialog's first statement after the lock), compiled ahead to send with the lock. */
export function dialogTouch(db: Db, input: DialogInput, now: Date): TouchQuery {
  return touchQuery(db, contactOf(input), now);
}

/**
 * Who wrote, for touchResident. A first contact starts in the messenger's UI language (English or
 * else Russian), so the hints before the language is chosen are readable; the resident chooses it then.
 */
const contactOf = ({ identity: from }: DialogInput) => ({
  channel: from.channel,
  externalId: from.externalId,
  chatId: from.chatId,
  username: from.username,
  ...(from.languageCode?.toLowerCase().startsWith('en') && { language: 'en' as const }),
});

/**
 * Runs one input through the dialogs inside the caller's transaction: loads (and locks) the
 * state, applies commands, global buttons or the current step, saves the new state and returns
 * the views. Domain errors become `errors.<CODE>` answers and are rolled back to a savepoint, so
 * nothing is half-saved; any other error propagates and the caller rolls everything back.
 */
export async function runDialog(db: Db, input: DialogInput, deps: DialogDeps, now: Date, options: TurnOptions = {}): Promise<DialogTurn> {
  const { identity: from } = input;
  const { locked, save } = options;
  // The state row lock comes first: two updates of one chat (an album's photos, a first contact
  // delivered twice at once) serialise here before the resident is created or changed.
  const state = locked ?? (await lockState(db, from.channel, from.externalId));
  const { resident, identity, consented } = await touchResident(db, contactOf(input), now, options.touch);
  const piece = pieceOf(state.lastText, input);
  // The answer to the text so far, still held back (not sent): this piece answers the whole text instead.
  // So is the answer to a first piece taken with nothing but the dialog's move (its next step's
  // prompt): the whole text is answered instead, and the resident never sees the next step asked.
  const withdrawn = piece?.answered || piece?.before ? await withdrawHeldReply(db, from.channel, from.chatId) : undefined;
  // A piece of a split text is answered as the whole text so far, where its first piece was answered.
  const resumed: DialogState = piece?.before ? { ...state, ...piece.before } : state;
  // An input of another batch (a new album or VK message, anything else sent): the last batch's count of photos not taken is over.
  const base = continuesBatch(resumed.data, input) ? resumed : withoutBatchCount(resumed);
  const turnInput: DialogInput = piece && input.kind === 'text' ? { ...input, text: joinPieces(piece.text, input.text) } : input;
  const position = { flow: base.flow, step: base.step };
  const c: StepContext = {
    db,
    now,
    ...(turnInput.sentAt !== undefined && { sentAt: new Date(turnInput.sentAt * 1000) }),
    t: deps.t,
    resident,
    identity,
    from,
    language: resident.language,
    data: { ...base.data },
    features: deps.features,
    position,
    registration: { registered: resident.registeredAt !== null, consented },
    ...(liveOffer(state.offer, now) && { offer: state.offer }),
  };
  // Steps see the transaction through a watch that forgets the registration read above at the
  // first statement that may change it (core/db/write-watch.ts), and tells whether the turn may have written.
  let wrote = false;
  c.db = db.withPlugin(
    writeWatch(() => {
      delete c.registration;
      wrote = true;
    }),
  );
  // Before the guard: error texts of an official's action are in the official's language too.
  if (isStaffInput(deps.features, base, turnInput)) await linkedOfficial(c);

  const decision =
    piece && !piece.before
      ? await restOfTakenText(c, state, piece)
      : await guarded(
          db,
          c,
          () => decide(c, base, turnInput),
          async (error) => {
            // Rolled back to the savepoint: nothing of the step is left.
            wrote = false;
            const refused = refusedAtScreen(c, base, turnInput, error);
            if (refused) return refused;
            const again = await guarded(db, c, () => promptAt(c, base), async () => ({ views: [], to: { ...IDLE, data: {} } }));
            return { views: [error, ...again.views], to: again.to };
          },
        );

  const to = decision.to ?? { flow: base.flow, step: base.step, data: base.data };
  const moved = to.flow !== state.flow || to.step !== state.step;
  const version = moved ? state.version + 1 : state.version;
  // A text offered (or taken) changes what the chat keeps, as data does.
  const untouched = !wrote && to.flow === base.flow && to.step === base.step && JSON.stringify(to.data) === JSON.stringify(base.data) && c.offer === liveOffer(state.offer, now);
  // The text's earlier pieces were answered already (and that answer is out) and this one changed
  // nothing: one answer for the whole text.
  const said = piece?.answered && untouched && !withdrawn ? [] : decision.views;
  // VK's numbered options of a step whose answer is a written text are listed to be chosen with «№».
  const typedText = from.channel === 'vk' && said.some((v) => v.keyboard?.kind === 'inline') && (await takesTypedText(c, to));
  // A Telegram album's running lines name it: a line of it sent already is edited by the later one (View `album`).
  const album = input.kind === 'photo' ? input.album : undefined;
  const marked = said.map((view) => (album !== undefined && view.slot !== undefined ? { ...view, album } : view));
  const views = marked.map((view) => stampButtons(typedText && view.keyboard?.kind === 'inline' ? { ...view, typedText: true } : view, version));
  // The withdrawn answer's removal of a reply keyboard was never sent: this answer carries it.
  // A dialog still at the step that showed it (an edit, a forward or a rating answered on the side) keeps it.
  const replyKeyboard = settleReplyKeyboard(views, state.replyKeyboard || withdrawn?.removedKeyboard === true, !moved && to.flow !== IDLE_FLOW);
  const lastTap = tapAfter(turnInput, state, moved, now);
  // A Telegram album's photo answered only with running lines (View `slot`): held back for the album's next photo.
  const albumLine = input.kind === 'photo' && input.album !== undefined && save !== undefined && to.flow !== IDLE_FLOW && views.length > 0 && views.every((v) => v.slot !== undefined);
  // The line held for the photo before is out of date whatever comes now: the album's next photo
  // says it again, a press or a text moves on (Send pressed at once: the line never follows "sent").
  // A video of the album, not taken, says only that: the album's lines stay held for its next photo.
  const keepHeld = decision.keepsAlbumLine === true && state.data[ALBUM_LINE_HELD] === true;
  if (save && state.data[ALBUM_LINE_HELD] === true && !keepHeld) await withdrawHeldReply(db, from.channel, from.chatId, { runningLines: true });
  const { [ALBUM_LINE_HELD]: _held, ...toData } = to.data;
  const next: DialogState = {
    ...to,
    data: albumLine || keepHeld ? { ...toData, [ALBUM_LINE_HELD]: true } : toData,
    version,
    replyKeyboard,
    ...(c.offer && { offer: c.offer }),
    ...(turnInput.kind === 'text' && { lastText: lastTextAfter(turnInput, input, base, piece, { wrote, untouched }) }),
    ...(lastTap && { lastTap }),
  };
  // A piece long enough to be followed by another, refused or taken with nothing but the dialog's
  // move (which the next piece takes back): its answer waits for that piece.
  const hold = input.kind === 'text' && input.sentAt !== undefined && input.text.length >= SPLIT_PIECE_MIN && (untouched || !wrote) && !(piece && !piece.before) && views.length > 0;
  const holdMs = hold ? SPLIT_GAP_SECONDS * 1000 : albumLine ? ALBUM_GAP_MS : undefined;
  const kept = save
    ? await save(next, { views, language: c.language, residentId: c.resident.id, ...(holdMs !== undefined && { holdMs }) })
    : await saveState(db, from.channel, from.externalId, next, now);
  return { views, language: c.language, ...(kept && { residentId: c.resident.id }), ...(kept && c.nameWanted && { nameWanted: true }) };
}

/**
 * A split text. Telegram and VK clients send a text over 4096 characters as several messages at
 * the same moment; none of them is the resident's answer on its own. A text is a piece of the one
 * before it when both came in the same second (their messages' `date`), or within
 * SPLIT_GAP_SECONDS of a piece that was answered without being taken (a refusal: "too long"), and
 * one of the two is long enough to be a piece the messenger cut (SPLIT_PIECE_MIN): two short texts
 * sent in one second, or a short text just after a refused one, are two answers.
 * Every limit a text step has is below 4096 characters, so the whole text is refused: once, with
 * the step's own answer (its limit and the whole text's length), and the step stays. That answer,
 * when it is to a piece long enough to be followed by another, is held back SPLIT_GAP_SECONDS
 * (SaveTurn `holdMs`): the next piece, arriving meanwhile, withdraws it and answers the text with
 * all its pieces so far; a piece arriving after it went out gets no answer of its own.
 */
const SPLIT_GAP_SECONDS = 2;

/**
 * The shortest piece a messenger is taken to have cut from a longer text. Every piece but the last
 * is cut near the limit: Telegram at 4096 UTF-16 code units, a little earlier to end at a word or
 * line; VK's limit is 4096 characters too, and its clients may cut at a paragraph, further back.
 * 3000 leaves room for any such cut (a paragraph of over 1000 characters is rare) while a text a
 * person types in one go, or two sent in one second, stays far below it. Of two neighbouring pieces
 * one is always a cut piece: the earlier one, or, when the pieces are handled out of order (the
 * short tail first), the later one.
 */
export const SPLIT_PIECE_MIN = 3000;

/**
 * The step's button whose tap moved the dialog (its stamped id), kept while the dialog stays at
 * the version it moved to: the same tap again within DOUBLE_TAP_MS is a double tap (decide answers it quietly).
 */
function tapAfter(input: DialogInput, state: DialogState, moved: boolean, now: Date): LastTap | undefined {
  if (!moved) return state.lastTap;
  return input.kind === 'button' && !isActionButtonId(input.data) ? { id: input.data, at: now.getTime() } : undefined;
}

/**
 * How long after a tap that moved the dialog the same tap is taken for a double tap (or the same
 * press delivered late) rather than a tap on an old keyboard, which is answered "out of date".
 */
const DOUBLE_TAP_MS = 60_000;

const isDoubleTap = (data: string, state: DialogState, now: Date) => state.lastTap?.id === data && now.getTime() - state.lastTap.at <= DOUBLE_TAP_MS;

/** The last text, when `input` is its next piece. */
function pieceOf(last: LastText | undefined, input: DialogInput): LastText | undefined {
  if (!last || input.kind !== 'text' || input.sentAt === undefined) return undefined;
  if ((last.piece ?? 0) < SPLIT_PIECE_MIN && input.text.length < SPLIT_PIECE_MIN) return undefined;
  if (input.sentAt === last.at) return last;
  return last.answered && Math.abs(input.sentAt - last.at) <= SPLIT_GAP_SECONDS ? last : undefined;
}

/** The pieces as one text: a messenger cuts between lines or words, a newline keeps them apart. */
const joinPieces = (before: string, piece: string) => `${before}\n${piece}`.slice(0, MAX_LAST_TEXT);

/**
 * What the next text may continue: this one (with its earlier pieces), the length of the piece
 * `received` (this input's own text), where the dialog was before it while nothing but the
 * dialog's position changed, and whether it was answered without being taken.
 */
function lastTextAfter(
  input: Extract<DialogInput, { kind: 'text' }>,
  received: DialogInput,
  base: DialogState,
  piece: LastText | undefined,
  turn: { wrote: boolean; untouched: boolean },
): LastText | undefined {
  if (input.sentAt === undefined) return undefined;
  // Kept in the state's jsonb: made storable (the step itself refused a NUL or a lone surrogate in it).
  const text = storableText(input.text.slice(0, MAX_LAST_TEXT));
  const at = { at: input.sentAt, text, piece: received.kind === 'text' ? received.text.length : 0 };
  // A piece after one taken with effects: its notice was said (restOfTakenText), later pieces get none.
  if (piece && !piece.before) return { ...at, answered: true };
  const before = piece?.before ?? { flow: base.flow, step: base.step, data: base.data };
  return { ...at, ...(!turn.wrote && { before }), answered: turn.untouched };
}

/**
 * A piece of a text whose first piece was taken with effects that cannot be undone (a comment
 * posted, an answer sent): not taken on its own; the resident is told once that only the first
 * part was, and sees the current step again.
 */
async function restOfTakenText(c: StepContext, state: DialogState, piece: LastText): Promise<Decision> {
  if (piece.answered) return { views: [] };
  return { views: [{ key: 'dialog.split_text_rest' }, ...(await currentStepAgain(c, state))] };
}

async function decide(c: StepContext, state: DialogState, input: DialogInput): Promise<Decision> {
  if (input.kind === 'other' && input.what === 'edited') return { views: [{ key: 'dialog.edited_ignored' }] };
  // Forwarded with a text of the resident's own (a VK message): the text was answered, the rest is only not taken.
  if (input.kind === 'other' && input.what === 'forwarded') return { views: [{ key: input.alongside ? ATTACHMENTS_NOT_TAKEN : 'dialog.forwarded_not_accepted' }] };
  // Between flows a command or a button starts something else: what idle's data carried from the
  // input before (a clarification reply's photos still coming, bots/dialogs/idle.ts) is over.
  if (state.flow === IDLE_FLOW && (input.kind === 'command' || input.kind === 'button')) c.data = {};
  if (input.kind === 'command') return onCommand(c, state, input.command, input.payload);
  // A number typed for VK's numbered options where the step's answer is a written text: that text,
  // unless marked as an option («№2», as such a step lists them).
  if (input.kind === 'button' && input.typed !== undefined && !input.typed.includes('№') && (await takesTypedText(c, state))) {
    return decide(c, state, { identity: input.identity, kind: 'text', text: input.typed, ...(input.sentAt !== undefined && { sentAt: input.sentAt }) });
  }

  let stepInput: StepInput;
  if (input.kind === 'button') {
    const tapped = parseActionId(input.data);
    if (tapped) return onAction(c, state, tapped.tag, tapped.args);
    const stamped = readStamped(input.data, state.version);
    // The very tap that moved the dialog here, again (a double tap, or a second press delivered
    // after the step advanced): already done; the press is answered, nothing said, nothing done twice.
    if (stamped === 'stale' && isDoubleTap(input.data, state, c.now)) return { views: [] };
    if (stamped === 'stale') return outdated(c, state);
    stepInput = { kind: 'button', action: stamped.action, identity: input.identity };
  } else {
    stepInput = input;
  }

  const flow = flowOf(c, state.flow);
  const step = flow ? stepOf(flow, state.step) : undefined;
  // A position a newer release no longer has: start over rather than guess.
  if (!flow || !step) return end(c, [{ key: 'dialog.outdated' }], true);
  if (flow.needsRegistration && !(await isRegistered(c))) return end(c, [await registrationRequired(c)], true);

  if (stepInput.kind === 'button' && stepInput.action === CANCEL_ACTION) return end(c, [{ key: 'dialog.cancelled' }], true);
  if (stepInput.kind === 'button' && stepInput.action.startsWith(`${PAGE_ACTION}:`)) {
    return apply(c, state, { kind: 'stay', data: { page: Number(stepInput.action.slice(PAGE_ACTION.length + 1)) || 0 }, reprompt: 'edit' });
  }
  // A command's word typed («Меню», «Отмена»; Command.words): that command, as between flows (VK
  // has no command menu: residents type them), unless the step takes a written text as its answer
  // and the command does not end flows (Command.endsFlow) — a description may well be «Помощь».
  const word = stepInput.kind === 'text' ? c.features.commandWord(stepInput.text) : undefined;
  if (word && (word.endsFlow || !(await takesTypedText(c, state)))) return onCommand(c, state, word.name, undefined);
  // A text sent with a point: where a place is asked, the point (the next input) answers alone.
  if (stepInput.kind === 'text' && stepInput.placeFollows && step.accepts.includes('location')) return { views: [] };
  // A Telegram photo with a caption where only a text is taken (a comment, a complaint, an answer):
  // the caption is the answer, as a VK message's text is when a photo comes with it, and the photo is said not taken.
  if (stepInput.kind === 'photo' && !input.alongside && stepInput.caption?.trim() && !step.accepts.includes('photo') && step.accepts.includes('text')) {
    const answered = await decide(c, state, { identity: input.identity, kind: 'text', text: stepInput.caption });
    return { ...answered, views: [...answered.views, { key: ATTACHMENTS_NOT_TAKEN }] };
  }
  if (!step.accepts.includes(stepInput.kind)) {
    // A photo of an album or a VK message the dialog had the earlier parts of (past the fifth, at
    // the summary the fifth led to): the flow's answer, when it has one (a line for the photos past its limit).
    const batchPhoto = stepInput.kind === 'photo' && continuesBatch(state.data, input) ? flow.batchPhoto?.(c, stepInput) : undefined;
    if (batchPhoto) return apply(c, state, batchPhoto);
    // A video among an album's photos the dialog had: one word for the album, as for a VK message's other parts.
    if (stepInput.kind === 'other' && stepInput.album !== undefined && state.data[ALBUM] === stepInput.album) return albumPartNotTaken(state, stepInput.album);
    // The message's first part was answered already (its screen shown): only a word about the rest.
    if (input.alongside) return { views: [{ key: ATTACHMENTS_NOT_TAKEN }] };
    if (stepInput.kind === 'photo' && stepInput.album) return albumPhotoNotTaken(c, state, step, stepInput.album);
    const taken = stepInput.kind === 'text' && (await isRegistered(c)) ? await freeTextAnswer(c, stepInput.text) : undefined;
    // Stays where it was, with the step's data the feature may have noted (a courtesy held, my-messages).
    if (taken) return apply(c, state, stay({ say: taken }));
    const hint = typeof step.wrongInput === 'function' ? step.wrongInput(c) : (step.wrongInput ?? 'dialog.hint');
    return { views: [{ key: hint }, ...(await step.prompt(c))] };
  }
  const invalid = await step.validate?.(c, stepInput);
  if (invalid) return { views: [{ key: invalid.key, params: invalid.params }, ...(await step.prompt(c))] };
  const decision = await apply(c, state, await step.next(c, stepInput));
  return stepInput.kind === 'photo' && stepInput.album ? withAlbum(decision, state, { [ALBUM]: stepInput.album }) : decision;
}

/**
 * How long the running line answering a Telegram album's photo is held back (View `slot`): the
 * album's photos come as updates of their own within a second or so, each taking back the line
 * before it, so the album is answered once, with its final count, a moment after its last photo.
 */
const ALBUM_GAP_MS = 1500;

/** StepData key: this turn's reply is an album's running line, held back (ALBUM_GAP_MS) for its next photo. */
const ALBUM_LINE_HELD = 'albumLineHeld';

/** The Telegram album whose photos the dialog has had (StepData keys): its photos come one update each. */
const ALBUM = 'album';
/** The album whose photos past the step's taking were answered already. */
const ALBUM_ANSWERED = 'albumAnswered';

/**
 * Whether `input` continues the batch the dialog had the input before from (its data `data`): a
 * later part of a VK message (`alongside`), or the next photo of the Telegram album whose photos
 * came last. Anything else starts another batch (Flow `batchPhoto`, BATCH_PHOTOS_NOT_TAKEN).
 */
function continuesBatch(data: StepData, input: DialogInput): boolean {
  const album = input.kind === 'photo' || input.kind === 'other' ? input.album : undefined;
  return input.alongside === true || (album !== undefined && data[ALBUM] === album);
}

/**
 * A part of a Telegram album the dialog had the photos of that is no photo (a video) at a step that
 * does not take it: "the other attachments were not taken", once for the album, as for a VK
 * message's parts; the album's line held for its next photo (a count, the photos past the limit) stays held.
 */
function albumPartNotTaken(state: DialogState, album: string): Decision {
  const said = state.data[ALBUM_ANSWERED] === album;
  return { ...withAlbum({ views: said ? [] : [{ key: ATTACHMENTS_NOT_TAKEN }] }, state, { [ALBUM_ANSWERED]: album }), keepsAlbumLine: true };
}

/** The dialog without the last batch's count of photos not taken (BATCH_PHOTOS_NOT_TAKEN). */
function withoutBatchCount(state: DialogState): DialogState {
  if (!Object.hasOwn(state.data, BATCH_PHOTOS_NOT_TAKEN)) return state;
  const { [BATCH_PHOTOS_NOT_TAKEN]: _over, ...data } = state.data;
  return { ...state, data };
}

/** The dialog's position after `decision`, with `album` in its data (not between flows: idle keeps no data). */
function withAlbum(decision: Decision, state: DialogState, album: StepData): Decision {
  const to = decision.to ?? { flow: state.flow, step: state.step, data: state.data };
  return to.flow === IDLE_FLOW ? decision : { ...decision, to: { ...to, data: { ...to.data, ...album } } };
}

/**
 * A photo of a Telegram album at a step that takes no photo (the summary after the fifth photo of
 * seven, a comment): the album's first such photo gets one line when earlier photos of it were
 * taken ("the other attachments were not taken", as a VK message's extra parts), else the step's
 * hint and screen; the album's later photos get nothing, so the screen is not sent once per photo.
 */
async function albumPhotoNotTaken(c: StepContext, state: DialogState, step: NonNullable<ReturnType<typeof stepOf>>, album: string): Promise<Decision> {
  if (state.data[ALBUM_ANSWERED] === album) return { views: [] };
  const answered = withAlbum({ views: [] }, state, { [ALBUM]: album, [ALBUM_ANSWERED]: album });
  if (state.data[ALBUM] === album) return { ...answered, views: [{ key: ATTACHMENTS_NOT_TAKEN }] };
  const hint = typeof step.wrongInput === 'function' ? step.wrongInput(c) : (step.wrongInput ?? 'dialog.hint');
  return { ...answered, views: [{ key: hint }, ...(await step.prompt(c))] };
}

/** `/start <payload>` goes to the deep link of its prefix (recorded first); any other command to the feature declaring it. */
async function onCommand(c: StepContext, state: DialogState, name: string, payload: string | undefined): Promise<Decision> {
  if (name === 'start' && payload) {
    const found = c.features.deepLink(payload);
    // A payload that is a credential (a one-time code) is recorded by its prefix only.
    const recordable = found?.link.secret ? found.link.prefix : payload;
    await recordStartPayload(c.db, { channel: c.from.channel, externalId: c.from.externalId, payload: recordable }, c.now);
    if (found) return draftNotice(c, state, await apply(c, state, await found.link.open(c, found.rest)));
  }
  const command = c.features.command(name);
  if (!command) return { views: [{ key: 'dialog.unknown_command' }, ...(await currentStepAgain(c, state))] };
  return draftNotice(c, state, await apply(c, state, keepStepShown(c, state, await command.run(c, payload))));
}

/**
 * A command or a button from another message (the main menu, a notification's) that takes the
 * dialog out of a flow holding a draft (Flow.draft: a message being filed), or starts the flow
 * over: the resident is told first that the draft was discarded, never left to find it gone. A
 * cancel (/cancel) says so itself.
 */
function draftNotice(c: StepContext, state: DialogState, decision: Decision): Decision {
  const flow = state.flow === IDLE_FLOW ? undefined : c.features.flow(state.flow);
  const draft = flow?.draft?.(state.data);
  const to = decision.to;
  if (!flow || !draft || !to || decision.views.some((v) => v.key === 'dialog.cancelled')) return decision;
  if (to.flow === state.flow && flow.draft?.(to.data) !== undefined) return decision;
  return { ...decision, views: [{ key: draft }, ...decision.views] };
}

/**
 * A command that leaves the dialog where it is (/help, /language …) in the middle of a flow: the
 * current step is shown again after its answer, with its keyboard (a location button the answer
 * would otherwise take away), so the resident sees what the bot still waits for.
 */
function keepStepShown(c: StepContext, state: DialogState, outcome: Outcome): Outcome {
  if (state.flow === IDLE_FLOW || outcome.kind !== 'stay' || outcome.reprompt) return outcome;
  return leftScreen(c, state, outcome) ?? { ...outcome, reprompt: true };
}

/**
 * A plain answer (no data, no prompt) given while the dialog shows a screen step (Step.screen): the
 * screen is left for idle, the answer said; undefined for any other outcome or step.
 */
function leftScreen(c: StepContext, state: DialogState, outcome: Outcome): Outcome | undefined {
  if (outcome.kind !== 'stay' || outcome.reprompt || outcome.data) return undefined;
  const flow = state.flow === IDLE_FLOW ? undefined : flowOf(c, state.flow);
  return flow && stepOf(flow, state.step)?.screen ? { kind: 'end', say: outcome.say ?? [], menu: false } : undefined;
}

/**
 * A refusal (a domain error) of an action button or a command while the dialog shows a screen
 * (Step.screen: a list, a gallery): said alone, as the button's or the command's plain answer
 * would be (leftScreen), not followed by the screen again — a second vote in a contest's gallery
 * is "you have voted already", not that and the list of contests once more. A command leaves the
 * screen; an action button leaves the dialog where it is, so the screen's buttons keep working.
 */
function refusedAtScreen(c: StepContext, state: DialogState, input: DialogInput, error: View): Decision | undefined {
  const flow = state.flow === IDLE_FLOW ? undefined : flowOf(c, state.flow);
  if (!flow || !stepOf(flow, state.step)?.screen) return undefined;
  if (input.kind === 'command') return { views: [error], to: { ...IDLE, data: {} } };
  if (input.kind === 'button' && parseActionId(input.data)) return { views: [error] };
  return undefined;
}

/** The current step's prompt when the dialog is inside a flow; nothing between flows. */
async function currentStepAgain(c: StepContext, state: DialogState): Promise<View[]> {
  return state.flow === IDLE_FLOW ? [] : (await promptAt(c, state)).views;
}

/** An action button: the main menu's entries (`!m:<id>`) or a feature's tag; an unknown or malformed one is out of date. */
async function onAction(c: StepContext, state: DialogState, tag: string, args: readonly string[]): Promise<Decision> {
  if (tag === MENU_TAG) {
    if (args.length === 2 && args[0] === MENU_PAGE && /^\d{1,2}$/.test(args[1]!)) {
      return (await isRegistered(c)) ? { views: [{ ...(await mainMenu(c, Number(args[1]))), edit: true }] } : outdated(c, state);
    }
    const entry = args.length === 1 ? c.features.menuEntry(args[0]!) : undefined;
    // A main-menu entry's plain answer leaves a screen (the resident went elsewhere); other action
    // buttons (a rating, a toggle) leave the dialog where it is, so the screen's own buttons keep working.
    if (!entry) return outdated(c, state);
    const outcome = await entry.run(c);
    return draftNotice(c, state, await apply(c, state, leftScreen(c, state, outcome) ?? outcome));
  }
  const handler = c.features.action(tag);
  const value = handler?.decode(args);
  if (!handler || value === undefined) return outdated(c, state);
  return draftNotice(c, state, await apply(c, state, await handler.run(c, value)));
}

/** Whether the step at `position` takes a written text as its answer (Step.textAnswer), judged with its data. */
async function takesTypedText(c: StepContext, position: Pick<Position, 'flow' | 'step' | 'data'>): Promise<boolean> {
  const flow = position.flow === IDLE_FLOW ? undefined : flowOf(c, position.flow);
  const step = flow ? stepOf(flow, position.step) : undefined;
  if (!step?.textAnswer || !step.accepts.includes('text')) return false;
  if (step.textAnswer === true) return true;
  const data = c.data;
  c.data = { ...position.data };
  try {
    return await step.textAnswer(c);
  } finally {
    c.data = data;
  }
}

/** "This menu is out of date", then the current step again. */
async function outdated(c: StepContext, state: DialogState): Promise<Decision> {
  return { views: [{ key: 'dialog.outdated' }, ...(await promptAt(c, state)).views] };
}

const flowOf = (c: StepContext, name: FlowName): Flow | undefined => (name === IDLE_FLOW ? idleFlow : c.features.flow(name));

/**
 * Whether this input is a staff member's business (an action, command or flow declared `asStaff`):
 * then the whole turn, error texts included, is rendered in the official's language.
 */
function isStaffInput(features: Features, state: Pick<DialogState, 'flow'>, input: DialogInput): boolean {
  if (features.flow(state.flow)?.asStaff) return true;
  if (input.kind === 'command') return features.command(input.command)?.asStaff === true;
  if (input.kind !== 'button') return false;
  const tapped = parseActionId(input.data);
  return tapped !== null && features.action(tapped.tag)?.asStaff === true;
}

async function apply(c: StepContext, state: DialogState, outcome: Outcome): Promise<Decision> {
  const say = outcome.say ?? [];
  if (outcome.kind === 'end') return end(c, say, outcome.menu ?? true);
  if (outcome.kind === 'enter') {
    const flow = flowOf(c, outcome.flow);
    if (!flow) throw new Error(`no flow "${outcome.flow}" is registered`);
    // The dialog stays where it was: inside a flow (an unfinished registration) its step is shown again.
    if (flow.needsRegistration && !(await isRegistered(c))) {
      const registering = flowOf(c, state.flow)?.registers === true;
      return { views: [await registrationRequired(c, registering), ...(await currentStepAgain(c, state))] };
    }
    return apply(c, state, { kind: 'goto', flow: flow.name, step: outcome.step ?? flow.first, data: outcome.data ?? {}, say });
  }
  if (outcome.kind === 'stay') {
    const to: Position = { flow: state.flow, step: state.step, data: { ...c.data, ...outcome.data } };
    if (!outcome.reprompt) return { views: say, to };
    const prompt = (await promptAt(c, to)).views;
    if (outcome.reprompt !== 'edit') return { views: [...say, ...prompt], to };
    const list = prompt.filter((v) => v.keyboard?.kind === 'inline').at(-1);
    return { views: [...say, ...(list ? [{ ...list, edit: true }] : prompt)], to };
  }
  const flow = outcome.flow ?? state.flow;
  const carried = flow === state.flow ? { ...c.data, ...outcome.data } : { ...outcome.data };
  delete carried.page;
  const to: Position = { flow, step: outcome.step, data: carried };
  return { views: [...say, ...(await promptAt(c, to)).views], to };
}

/** Back to idle: `say`, then the main menu (or how to register) when `menu`. */
async function end(c: StepContext, say: View[], menu: boolean): Promise<Decision> {
  const to: Position = { ...IDLE, data: {} };
  return { views: menu ? [...say, ...(await promptAt(c, to)).views] : say, to };
}

async function promptAt(c: StepContext, position: Position): Promise<Decision> {
  const step = stepOf(flowOf(c, position.flow) ?? idleFlow, position.step) ?? idleFlow.steps.idle!;
  c.data = { ...position.data };
  return { views: await step.prompt(c) };
}

const SAVEPOINT = 'dialog_step';

/**
 * Runs `fn` under a savepoint; a domain error rolls back to it and becomes `onDomainError`'s answer.
 * `db` is the turn's transaction itself (the savepoint is no write the registration watch must see).
 */
async function guarded(db: Db, c: StepContext, fn: () => Promise<Decision>, onDomainError: (view: View) => Promise<Decision>): Promise<Decision> {
  const language = c.language;
  const offer = c.offer;
  await sql.raw(`SAVEPOINT ${SAVEPOINT}`).execute(db);
  try {
    // Not released: the commit releases it, and a RELEASE would be one more round trip per update.
    return await fn();
  } catch (error) {
    const view = domainErrorView(error);
    if (!view) throw error;
    await sql.raw(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`).execute(db);
    delete c.registration;
    delete c.nameWanted;
    c.language = language;
    // An offer taken by what was rolled back is still there.
    if (offer) c.offer = offer;
    else delete c.offer;
    return onDomainError(view);
  }
}

function stampButtons(view: View, version: number): View {
  if (view.keyboard?.kind !== 'inline') return view;
  const rows = view.keyboard.rows.map((row) => row.map((b) => (isActionButtonId(b.id) ? b : { ...b, id: stampId(version, b.id) })));
  return { ...view, keyboard: { kind: 'inline', rows } };
}

/**
 * The line that takes a reply keyboard away before an answer whose every message has buttons of its
 * own (the main menu, a list): a Telegram or VK message carries one keyboard, and inline buttons
 * leave a reply keyboard up — a location button left under the menu would start filing when pressed.
 */
const KEYBOARD_GONE: View = { key: 'dialog.keyboard_gone', keyboard: { kind: 'remove' }, keyboardOnly: true };

/**
 * A reply keyboard (location, contact) stays on screen until a message removes it: the first
 * answer without a keyboard after such a step carries the removal, unless the dialog is still at
 * that step (`atStep`: the step still asks for it). An answer with no such message (only inline
 * keyboards, the step left by an inline button) starts with KEYBOARD_GONE. Returns whether one is
 * still shown; known from the state loaded for the turn, so it costs no query, and an answer where
 * none is shown is sent as it is.
 */
function settleReplyKeyboard(views: View[], shown: boolean, atStep: boolean): boolean {
  if (views.some((v) => v.keyboard?.kind === 'reply')) return true;
  if (!shown) return false;
  if (atStep) return true;
  // Nothing said (a double tap): the next answer takes it away.
  if (views.length === 0) return true;
  const index = views.findIndex((v) => !v.keyboard && !v.edit);
  if (index < 0) views.unshift(KEYBOARD_GONE);
  else views[index] = { ...views[index]!, keyboard: { kind: 'remove' } };
  return false;
}
