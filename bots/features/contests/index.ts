import {
  CONTEST_OPEN_TAG,
  type Contest,
  checkCanEnter,
  castVote,
  getContest,
  listEntries,
  MAX_CAPTION,
  openContestsFor,
  submitEntry,
  timeZoneOf,
  winnerLines,
} from '../../../core/contests/contests.ts';
import type { EntryMediaKind } from '../../../core/contests/contest.table.ts';
import { positiveIdArg } from '../../../core/dialogs/action-id.ts';
import { DomainError, type ErrorCode, isDomainError } from '../../../core/errors.ts';
import { isBlankText, textProblem } from '../../../core/text/unsafe-text.ts';
import { button, LABEL_SHOWN_WHOLE } from '../../dialogs/buttons.ts';
import { domainErrorView } from '../../dialogs/errors.ts';
import { action, type BotFeature } from '../../dialogs/feature.ts';
import { end, enter, goto, num, type Outcome, reply, type Flow, type StepContext, str, stay } from '../../dialogs/flow.ts';
import { formatDate } from '../../dialogs/format.ts';
import type { SentFile } from '../../dialogs/input.ts';
import { isRegistered, registrationRequired } from '../../dialogs/registration-check.ts';
import { local, type Button, type View } from '../../dialogs/view.ts';
import { listRows, pageOf, pageSizeFor } from '../../dialogs/paging.ts';
import { renderLabel } from '../../render-text.ts';
import { storeEntryWork } from './media.ts';
import { backToMenuButton, withMenuButton } from '../basics/back-to-menu.ts';

const ENTRY_FLOW = 'contest_entry';
const CANCEL: Button = button('x', 'dialog.cancel');

const when = (c: StepContext, date: Date | null, timeZone: string) => (date ? formatDate(date, c.language, timeZone) : '—');

/** `!cto:<contestId>`: a contest's card (also on announcements and notices). */
const openContest = action<number>({
  tag: CONTEST_OPEN_TAG,
  encode: (id) => [id],
  decode: (args) => (args.length === 1 ? positiveIdArg(args[0], 2_147_483_647) : undefined),
  run: async (c, id) => reply([(await isRegistered(c)) ? await contestCard(c, id) : await registrationRequired(c)]),
});

/** `!cte:<contestId>`: take part. */
const enterContest = action<number>({
  tag: 'cte',
  encode: (id) => [id],
  decode: (args) => (args.length === 1 ? positiveIdArg(args[0], 2_147_483_647) : undefined),
  async run(c, id) {
    if (!(await isRegistered(c))) return reply([await registrationRequired(c)]);
    await checkCanEnter(c.db, { contestId: id, residentId: c.resident.id }, c.now);
    return enter(ENTRY_FLOW, { data: { contestId: id } });
  },
});

/** `!ctg:<contestId>:<index>`: the gallery, one accepted entry per screen. */
const gallery = action<{ contestId: number; index: number }>({
  tag: 'ctg',
  encode: ({ contestId, index }) => [contestId, index],
  decode: (args) => {
    const contestId = positiveIdArg(args[0], 2_147_483_647);
    const index = args[1] === '0' ? 0 : positiveIdArg(args[1], 100_000);
    return args.length === 2 && contestId !== undefined && index !== undefined ? { contestId, index } : undefined;
  },
  run: async (c, value) => reply([(await isRegistered(c)) ? await galleryView(c, value.contestId, value.index) : await registrationRequired(c)]),
});

/** `!ctv:<contestId>:<entryId>`: a vote (checked again in core: one per resident, not one's own, the area). */
const vote = action<{ contestId: number; entryId: number }>({
  tag: 'ctv',
  encode: ({ contestId, entryId }) => [contestId, entryId],
  decode: (args) => {
    const contestId = positiveIdArg(args[0], 2_147_483_647);
    const entryId = positiveIdArg(args[1], 2_147_483_647);
    return args.length === 2 && contestId !== undefined && entryId !== undefined ? { contestId, entryId } : undefined;
  },
  async run(c, { contestId, entryId }) {
    if (!(await isRegistered(c))) return reply([await registrationRequired(c)]);
    await castVote(c.db, { contestId, entryId, residentId: c.resident.id, channel: c.from.channel }, c.now);
    return reply([{ key: 'contests.voted', params: { entryId } }]);
  },
});

/** Where the contest is, as residents read it: between entries and winners only an audience vote is «voting». */
function stateLabel(contest: Contest) {
  if (contest.state === 'voting_open' && contest.drawingFormat !== 'audience_vote') return local('contests.state_judging');
  return local(`contests.state_${contest.state}`);
}

/** A contest a registered resident may see (its card and gallery ask a visitor, or one who withdrew their consent, to register first). */
async function visibleContest(c: StepContext, id: number): Promise<Contest> {
  const contest = await getContest(c.db, id).catch(() => undefined);
  // A draft, or another municipality's contest, looks like nothing.
  if (!contest || contest.state === 'draft' || (contest.municipalityId !== null && contest.municipalityId !== c.resident.municipalityId)) throw new DomainError('CONTEST_NOT_FOUND', { id });
  // An announcement or a notice further up the chat still has its button.
  if (contest.state === 'withdrawn') throw new DomainError('CONTEST_WITHDRAWN', { id, ...(contest.withdrawnReason && { withdrawnReason: contest.withdrawnReason }) });
  return contest;
}

async function contestCard(c: StepContext, id: number): Promise<View> {
  const contest = await visibleContest(c, id);
  const tz = await timeZoneOf(c.db, contest.municipalityId);
  const rows: Button[][] = [];
  if (contest.state === 'entries_open') rows.push([enterContest.button(id, 'contests.take_part')]);
  const accepted = await listEntries(c.db, id, { states: ['accepted'], limit: 1 });
  const lines: View['lines'] = [];
  if (contest.drawCommitment) lines.push({ key: 'contests.commitment', params: { commitment: contest.drawCommitment } });
  if (contest.state === 'results_published') {
    // The card the results announcement opens names the winners, as the announcement did.
    const winners = (await listEntries(c.db, id, { states: ['accepted'] })).filter((e) => e.winnerPlace !== null).sort((a, b) => a.winnerPlace! - b.winnerPlace!);
    lines.push(winners.length > 0 ? { key: 'contests.card_winners', params: { winners: winnerLines(winners) } } : { key: 'contests.card_no_winners' });
  }
  if (accepted.length > 0)
    rows.push([gallery.button({ contestId: id, index: 0 }, contest.state === 'voting_open' && contest.drawingFormat === 'audience_vote' ? 'contests.gallery_vote' : 'contests.gallery')]);
  return {
    key: 'contests.card',
    params: {
      title: contest.title,
      topic: contest.topic,
      organiser: contest.organiser,
      prizes: contest.prizes,
      terms: contest.terms,
      kind: local(`contests.kind_${contest.entryKind}`),
      format: local(`contests.format_${contest.drawingFormat}`),
      state: stateLabel(contest),
      entriesFrom: when(c, contest.entriesFrom, tz),
      entriesTo: when(c, contest.entriesTo, tz),
      // Only residents vote in an audience vote: a jury's or a draw's window is when the winners are chosen.
      votingLabel: local(contest.drawingFormat === 'audience_vote' ? 'contests.card_voting' : 'contests.card_judging'),
      votingFrom: when(c, contest.votingFrom, tz),
      votingTo: when(c, contest.votingTo, tz),
      resultsOn: when(c, contest.resultsOn, tz),
    },
    ...(lines.length > 0 && { lines }),
    // The way back to the menu, as on every other card: a contest no one may enter or browse yet has no other button.
    keyboard: { kind: 'inline', rows: [...rows, [backToMenuButton()]] },
  };
}

async function galleryView(c: StepContext, contestId: number, index: number): Promise<View> {
  const contest = await visibleContest(c, contestId);
  const entries = await listEntries(c.db, contestId, { states: ['accepted'] });
  // Reached from an old button too (the contest's card, an announcement): not a dead end.
  if (entries.length === 0) return withMenuButton('contests.gallery_empty');
  const at = Math.min(index, entries.length - 1);
  const entry = entries[at]!;
  const nav: Button[] = [];
  if (at > 0) nav.push(gallery.button({ contestId, index: at - 1 }, 'contests.previous'));
  if (at < entries.length - 1) nav.push(gallery.button({ contestId, index: at + 1 }, 'contests.next'));
  const rows: Button[][] = [];
  if (contest.state === 'voting_open' && contest.drawingFormat === 'audience_vote' && entry.residentId !== c.resident.id) rows.push([vote.button({ contestId, entryId: entry.id }, 'contests.vote')]);
  if (nav.length > 0) rows.push(nav);
  return {
    // Votes are counted only in an audience vote: a jury's or a draw's works show none.
    key: contest.drawingFormat === 'audience_vote' ? 'contests.gallery_entry' : 'contests.gallery_entry_no_votes',
    params: { title: contest.title, entryId: entry.id, position: at + 1, total: entries.length, caption: entry.caption || '—', votes: entry.votes },
    ...(contest.state === 'results_published' && entry.winnerPlace !== null && { lines: [{ key: 'contests.gallery_place', params: { place: entry.winnerPlace } }] }),
    media: [entry.mediaId],
    // Like the contest's card, a work ends with the way back to the menu (the only button of the last work of a closed gallery).
    keyboard: { kind: 'inline', rows: [...rows, [backToMenuButton()]] },
  };
}

const LIST_PAGE_SIZE = 8;

/** Open contests (and those with recent results) a page at a time (VK's inline keyboard holds six rows), with the way back to the menu. */
async function listView(c: StepContext): Promise<View> {
  const back = [backToMenuButton()];
  const contests = await openContestsFor(c.db, c.resident.municipalityId, c.now);
  if (contests.length === 0) return { key: 'contests.none', keyboard: { kind: 'inline', rows: [back] } };
  const size = pageSizeFor(c.from.channel, LIST_PAGE_SIZE, { fixedButtons: 1, fixedRows: 1 });
  const { items, page, pages } = pageOf(contests, num(c.data, 'page') ?? 0, size);
  let buttons = items.map((x) => openContest.button(x.id, 'contests.list_item', { title: x.title, state: stateLabel(x) }));
  // A label cut on its button (VK: 40 characters) loses the state and may read as another's: the page then
  // lists its contests in full, numbered, and each button starts with its number.
  const cut = buttons.some((b) => renderLabel(c.language, b, c.t).length > LABEL_SHOWN_WHOLE);
  if (cut) buttons = items.map((x, i) => openContest.button(x.id, 'contests.list_item', { title: `${i + 1}. ${x.title}`, state: stateLabel(x) }));
  return {
    key: 'contests.list',
    ...(cut && { lines: items.map((x, i) => ({ key: 'contests.list_line', params: { number: i + 1, title: x.title, state: stateLabel(x) } })) }),
    keyboard: { kind: 'inline', rows: [...listRows(buttons, page, pages), back] },
  };
}

/** The list is a screen (paged in place); a contest's button opens its card from any state. */
const listFlow: Flow = {
  name: 'contests_list',
  first: 'list',
  needsRegistration: true,
  steps: {
    list: {
      screen: true,
      accepts: ['button'],
      wrongInput: 'dialog.use_buttons',
      prompt: async (c) => [await listView(c)],
      next: () => stay({ reprompt: true }),
    },
  },
};

const showList = () => enter(listFlow.name);

/** What the resident sent, as a contest entry: a photo, or a video (video, video note, a document with a video or an image). */
function entryFile(input: { kind: string; file?: SentFile }): { file: SentFile; mediaKind: EntryMediaKind } | undefined {
  const file = input.file;
  if (!file) return undefined;
  if (file.kind === 'photo') return { file, mediaKind: 'photo' };
  if (file.kind === 'video') return { file, mediaKind: 'video' };
  if (file.mime?.startsWith('video/')) return { file, mediaKind: 'video' };
  if (file.mime?.startsWith('image/')) return { file, mediaKind: 'photo' };
  return undefined;
}

/** A caption's problem (characters PostgreSQL cannot store, too long), or undefined when it is fine. */
function captionProblem(text: string): View | undefined {
  if (textProblem(text)) return { key: 'errors.TEXT_INVALID_CHARACTERS' };
  if ([...text].length > MAX_CAPTION) return { key: 'contests.caption_too_long', params: { max: MAX_CAPTION, length: [...text].length } };
  return undefined;
}

/**
 * Why an entry can no longer be sent whatever the resident sends next: entries closed (or the
 * contest withdrawn) since the flow began, the resident's limit reached from the other messenger,
 * the resident moved to another municipality. The flow ends with the reason; another file, or
 * pressing "I agree" again, could only be refused the same way. A wrong kind, size or length stays
 * (another file may do).
 */
const ENTRY_OVER: readonly ErrorCode[] = ['CONTEST_NOT_FOUND', 'CONTEST_WITHDRAWN', 'CONTEST_NOT_OPEN', 'NOT_IN_CONTEST_AREA', 'ENTRY_LIMIT_REACHED'];

/** The end of the flow, with the reason, when `error` is an ENTRY_OVER refusal (nothing was written before it). */
function entryOver(error: unknown): Outcome | undefined {
  return ENTRY_OVER.some((code) => isDomainError(error, code)) ? end([domainErrorView(error)!]) : undefined;
}

/**
 * The work of an entry whose terms were just agreed, copied into the store now (after the contest
 * is checked again, so an entry refused leaves no file). A dialog saved before the copy moved here
 * carries the copied work's `mediaId` already.
 */
async function agreedWork(c: StepContext, contestId: number): Promise<{ mediaId: number; mediaKind: EntryMediaKind } | { refusal: View }> {
  const copied = num(c.data, 'mediaId');
  if (copied !== undefined) return { mediaId: copied, mediaKind: str(c.data, 'mediaKind') as EntryMediaKind };
  const file = c.data.file as SentFile;
  const mediaKind = str(c.data, 'mediaKind') as EntryMediaKind;
  const contest = await checkCanEnter(c.db, { contestId, residentId: c.resident.id, mediaKind, durationSeconds: file.durationSeconds ?? null, sizeBytes: file.sizeBytes ?? null }, c.now);
  return storeEntryWork(c.db, file, contest);
}

const entryFlow: Flow = {
  name: ENTRY_FLOW,
  first: 'media',
  needsRegistration: true,
  // A work or a caption sent, the terms not confirmed yet: leaving for something else says the entry was not sent.
  draft: (data) => (data.file !== undefined || num(data, 'mediaId') !== undefined || str(data, 'caption') !== undefined ? 'contests.draft_discarded' : undefined),
  steps: {
    media: {
      // Text too: the caption sent with the photo (VK brings a message's text before its photos).
      accepts: ['photo', 'other', 'text'],
      wrongInput: 'contests.send_media',
      async prompt(c) {
        const contest = await getContest(c.db, num(c.data, 'contestId')!);
        return [{ key: 'contests.ask_media', params: { kind: local(`contests.kind_${contest.entryKind}`), title: contest.title }, keyboard: { kind: 'inline', rows: [[CANCEL]] } }];
      },
      async next(c, input) {
        const contestId = num(c.data, 'contestId')!;
        if (input.kind === 'text') {
          const text = input.text.trim();
          // A text that shows nothing is no caption to keep: the work is what is asked for here.
          if (isBlankText(text)) return stay({ say: [{ key: 'contests.send_media' }], reprompt: true });
          const problem = captionProblem(text);
          if (problem) return stay({ say: [problem], reprompt: true });
          // With the work attached to the same message, the work follows at once: nothing to ask for.
          return stay({ data: { caption: text }, ...(!input.attachmentsFollow && { say: [{ key: 'contests.caption_kept' }] }) });
        }
        const sent = input.kind === 'photo' || input.kind === 'other' ? entryFile(input) : undefined;
        if (!sent) return stay({ say: [{ key: 'contests.send_media' }], reprompt: true });
        if (!sent.file.fileId && !sent.file.url) return stay({ say: [{ key: 'contests.send_as_file' }], reprompt: true });
        try {
          await checkCanEnter(
            c.db,
            { contestId, residentId: c.resident.id, mediaKind: sent.mediaKind, durationSeconds: sent.file.durationSeconds ?? null, sizeBytes: sent.file.sizeBytes ?? null },
            c.now,
          );
        } catch (error) {
          const over = entryOver(error);
          if (over) return over;
          throw error;
        }
        // The file is copied into the store only once the terms are agreed (storeEntryWork): kept here as the messenger's reference.
        const entry = { contestId, file: sent.file, mediaKind: sent.mediaKind, durationSeconds: sent.file.durationSeconds ?? null };
        // A caption sent with the work (a Telegram photo's caption, or kept from the text before it) spares the caption step.
        const captioned = input.kind === 'photo' && input.caption?.trim() && !captionProblem(input.caption.trim()) ? input.caption.trim() : str(c.data, 'caption');
        // A caption skipped already ('': the work asked for again after the terms) is not asked for again.
        if (captioned !== undefined) return goto('terms', { data: { ...entry, caption: captioned } });
        return goto('caption', { data: entry });
      },
    },
    caption: {
      accepts: ['text', 'button'],
      textAnswer: true,
      wrongInput: 'contests.caption_hint',
      prompt: () => [{ key: 'contests.ask_caption', params: { max: MAX_CAPTION }, keyboard: { kind: 'inline', rows: [[button('skip', 'contests.no_caption')], [CANCEL]] } }],
      // A text that shows nothing is no caption: written, or «No caption» pressed.
      validate: (_c, input) => (input.kind !== 'text' ? undefined : isBlankText(input.text) ? { key: 'contests.caption_hint' } : captionProblem(input.text.trim())),
      next(_c, input) {
        if (input.kind === 'button') return input.action === 'skip' ? goto('terms', { data: { caption: '' } }) : stay({ reprompt: true });
        if (input.kind !== 'text') return stay({ reprompt: true });
        return goto('terms', { data: { caption: input.text.trim() } });
      },
    },
    terms: {
      accepts: ['button'],
      wrongInput: 'contests.confirm_hint',
      async prompt(c) {
        const contest = await getContest(c.db, num(c.data, 'contestId')!);
        return [
          {
            key: 'contests.confirm_terms',
            params: { title: contest.title, terms: contest.terms, caption: str(c.data, 'caption') || '—' },
            keyboard: { kind: 'inline', rows: [[button('agree', 'contests.agree')], [CANCEL]] },
          },
        ];
      },
      async next(c, input) {
        if (input.kind !== 'button' || input.action !== 'agree') return stay({ reprompt: true });
        const contestId = num(c.data, 'contestId')!;
        let entry: Awaited<ReturnType<typeof submitEntry>>;
        try {
          const work = await agreedWork(c, contestId);
          // Not stored (download failed, too large, another kind): the work is asked for again, the caption kept.
          if ('refusal' in work) return goto('media', { data: { file: undefined, mediaKind: undefined, durationSeconds: undefined }, say: [work.refusal] });
          entry = await submitEntry(
            c.db,
            {
              contestId,
              residentId: c.resident.id,
              channel: c.from.channel,
              mediaId: work.mediaId,
              mediaKind: work.mediaKind,
              caption: str(c.data, 'caption') ?? '',
              durationSeconds: num(c.data, 'durationSeconds') ?? null,
            },
            c.now,
          );
        } catch (error) {
          const over = entryOver(error);
          if (over) return over;
          throw error;
        }
        return end([{ key: 'contests.entry_sent', params: { entryId: entry.id } }]);
      },
    },
  },
};

/** Contests (issue 13): /contests and the menu list open contests; entering with a photo or video, the gallery and the vote. */
export const contests: BotFeature = {
  name: 'contests',
  flows: [entryFlow, listFlow],
  commands: [{ name: 'contests', description: 'contests.command', run: showList }],
  menu: [{ id: 'contests', label: 'contests.menu', row: 24, column: 1, run: showList }],
  actions: [openContest, enterContest, gallery, vote],
};
