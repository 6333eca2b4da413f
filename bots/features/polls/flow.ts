import { isDomainError } from '../../../core/errors.ts';
import { countVisibleComments } from '../../../core/item-comments/comments.service.ts';
import {
  assertCanVote,
  castBallot,
  findPoll,
  getPoll,
  hasVoted,
  openPollsFor,
  type Poll,
  type PollQuestion,
  POLL_LIMITS,
  recentResultsFor,
  timeZoneOf,
  votedPolls,
} from '../../../core/polls/polls.ts';
import { pollResults, textBar } from '../../../core/polls/results.ts';
import { readerDate } from '../../../core/text/reader-date.ts';
import { isBlankText } from '../../../core/text/unsafe-text.ts';
import { button, LABEL_SHOWN_WHOLE, literalButton } from '../../dialogs/buttons.ts';
import { domainErrorView, unstorableTextView } from '../../dialogs/errors.ts';
import { end, enter, goto, num, type Outcome, reply, stay, type StepContext, type StepData, type Flow } from '../../dialogs/flow.ts';
import { excerpt } from '../../dialogs/format.ts';
import { listRows, pageOf, pageSizeFor } from '../../dialogs/paging.ts';
import { isRegistered, registrationRequired } from '../../dialogs/registration-check.ts';
import { type Button, local, type View } from '../../dialogs/view.ts';
import { listComments, writeComment } from '../item-comments/index.ts';
import { backToMenuButton } from '../basics/back-to-menu.ts';

export const POLLS_FLOW = 'polls';

/** Answers in progress, by question id: chosen option ids, a free text, or null (skipped). */
type Draft = Record<string, number[] | string | null>;

const draftOf = (data: StepData): Draft => (typeof data.answers === 'object' && data.answers !== null ? (data.answers as Draft) : {});

/** Whether the resident may see the results now: once published, or right after voting when the poll says so. */
async function resultsVisible(c: StepContext, poll: Poll): Promise<boolean> {
  if (poll.state === 'results_published') return true;
  return poll.resultsVisibility === 'after_vote' && poll.state !== 'draft' && (await hasVoted(c.db, poll.id, c.resident.id));
}

/** "💬 Comment" and "Comments (n)" under a poll's card and results (the item-comments feature's `!cw:p:<id>` / `!cl:p:<id>`). */
export async function commentRow(c: StepContext, pollId: number): Promise<Button[]> {
  const target = { kind: 'poll', id: pollId } as const;
  const count = await countVisibleComments(c.db, target);
  return [writeComment.button(target, 'polls.comment'), listComments.button(target, 'polls.comments', { count })];
}

/** The results with text bars: one line per option, `▓▓▓░░ 60% (3) option`; free text only counted. */
export async function resultsView(c: StepContext, poll: Poll): Promise<View> {
  const results = await pollResults(c.db, poll.id, { withTexts: false });
  const lines: View['lines'] = [];
  for (const q of results.questions) {
    lines.push({ key: 'polls.results_question', params: { text: q.text } });
    if (q.kind === 'text') lines.push({ key: 'polls.results_text_answers', params: { count: q.answered } });
    for (const o of q.options) lines.push({ key: 'polls.results_option', params: { bar: textBar(o.percent), percent: o.percent, count: o.count, text: o.text } });
  }
  return {
    key: 'polls.results',
    params: { title: poll.title, voters: results.voters, turnout: results.turnout },
    lines,
    keyboard: { kind: 'inline', rows: [await commentRow(c, poll.id)] },
  };
}

/** Shows a poll's results to a resident, if they may see them. */
export async function showResults(c: StepContext, pollId: number): Promise<Outcome> {
  // A resident who withdrew their consent since (an old notice's button) is asked to register, as "Answer" does, not told the poll does not exist.
  if (!(await isRegistered(c))) return reply([await registrationRequired(c)]);
  const poll = await findPoll(c.db, pollId);
  if (!poll || poll.state === 'draft' || (poll.municipalityId !== null && poll.municipalityId !== c.resident.municipalityId)) return reply([{ key: 'errors.POLL_NOT_FOUND' }]);
  if (!(await resultsVisible(c, poll))) return reply([{ key: 'polls.results_hidden' }]);
  return reply([await resultsView(c, poll)]);
}

async function headerView(c: StepContext, poll: Poll): Promise<View> {
  return {
    key: 'polls.header',
    params: { title: poll.title, description: poll.description, count: poll.questions.length, endsAt: readerDate(poll.endsAt, await timeZoneOf(c.db, poll.municipalityId)) },
    keyboard: { kind: 'inline', rows: [await commentRow(c, poll.id)] },
    ...(poll.mediaId !== null && { media: [poll.mediaId] }),
  };
}

/**
 * Opens one poll (from the list, an announcement's "Answer" button or a deep link): a registered
 * resident of its municipality, not voted yet, while it is open, gets its first question; otherwise
 * why not (and the results when they may see them).
 */
export async function openPoll(c: StepContext, pollId: number): Promise<Outcome> {
  if (!(await isRegistered(c))) return reply([await registrationRequired(c)]);
  const poll = await findPoll(c.db, pollId);
  if (!poll || poll.state === 'draft') return reply([{ key: 'errors.POLL_NOT_FOUND' }]);
  if (await hasVoted(c.db, poll.id, c.resident.id)) {
    return reply([{ key: 'polls.already_voted' }, ...((await resultsVisible(c, poll)) ? [await resultsView(c, poll)] : [])]);
  }
  try {
    assertCanVote(poll, c.resident.municipalityId, c.now);
  } catch (error) {
    if (isDomainError(error, 'POLL_NOT_OPEN')) {
      // Say which: a poster's link followed before the start learns when to come back.
      if (poll.state === 'published' && c.now < poll.startsAt) {
        return reply([{ key: 'polls.not_started', params: { title: poll.title, startsAt: readerDate(poll.startsAt, await timeZoneOf(c.db, poll.municipalityId)) } }]);
      }
      return reply([{ key: 'polls.closed', params: { title: poll.title } }, ...((await resultsVisible(c, poll)) ? [await resultsView(c, poll)] : [])]);
    }
    const view = domainErrorView(error);
    if (!view) throw error;
    return reply([view]);
  }
  return enter(POLLS_FLOW, { step: 'question', data: { pollId: poll.id, index: 0, answers: {} }, say: [await headerView(c, poll)] });
}

/**
 * A poll closed (by an official, or at its end) while the resident was answering it: the next
 * press or text says so by name and ends the poll's dialog (with the results when the resident may
 * see them), rather than taking the rest of the answers for a Send that can only be refused.
 */
async function closedMeanwhile(c: StepContext, poll: Poll): Promise<Outcome | undefined> {
  if (poll.state === 'published' && c.now < poll.endsAt) return undefined;
  return end([{ key: 'polls.closed', params: { title: poll.title } }, ...((await resultsVisible(c, poll)) ? [await resultsView(c, poll)] : [])]);
}

/** The longest option that shows whole on a button: a multiple choice's ⬜/✅ mark takes two. */
const WHOLE_ON_BUTTON = LABEL_SHOWN_WHOLE - 2;

/** Polls on a page of /polls (VK: fewer, pageSizeFor). */
const LIST_PAGE_SIZE = 8;

/**
 * A choice question's options as its buttons show them. When one is too long for a button, two
 * cut alike could not be told apart: the question then lists them in full, numbered, and each
 * button starts with its number.
 */
function optionLabels(q: PollQuestion): { labels: string[]; lines: View['lines'] } {
  if (!q.options.some((o) => o.text.length > WHOLE_ON_BUTTON)) return { labels: q.options.map((o) => o.text), lines: [] };
  const numbered = q.options.map((o, i) => ({ number: i + 1, text: o.text }));
  return { labels: numbered.map((o) => `${o.number}. ${o.text}`), lines: numbered.map((params) => ({ key: 'polls.option_line', params })) };
}

function questionView(poll: Poll, q: PollQuestion, index: number, draft: Draft): View {
  const params = { index: index + 1, count: poll.questions.length, text: q.text };
  // Back, Done and Skip carry the question's index: an earlier question's, pressed on an old keyboard, is out of date.
  const back = [button(`b:${index}`, 'polls.back')];
  const { labels, lines } = optionLabels(q);
  if (q.kind === 'single') {
    return { key: 'polls.question', params, lines, keyboard: { kind: 'inline', rows: [...q.options.map((o, i) => [literalButton(`c:${o.id}`, labels[i]!)]), back] } };
  }
  if (q.kind === 'multiple') {
    const chosen = new Set(Array.isArray(draft[q.id]) ? (draft[q.id] as number[]) : []);
    return {
      key: 'polls.question_multiple',
      params: { ...params, max: q.maxChoices ?? q.options.length },
      lines,
      keyboard: {
        kind: 'inline',
        rows: [...q.options.map((o, i) => [button(`t:${o.id}`, chosen.has(o.id) ? 'polls.chosen' : 'polls.not_chosen', { text: labels[i] })]), [button(`n:${index}`, 'polls.done')], back],
      },
    };
  }
  return { key: 'polls.question_text', params, keyboard: { kind: 'inline', rows: [[button(`k:${index}`, 'polls.skip')], back] } };
}

/** After answering question `index`: the next one, or the summary. */
function advance(poll: Poll, index: number, draft: Draft): Outcome {
  return index + 1 < poll.questions.length ? goto('question', { data: { index: index + 1, answers: draft } }) : goto('summary', { data: { answers: draft } });
}

/**
 * The option of the single-choice question just answered, tapped again (a double tap whose second
 * press reached the next question: the questions are one step, so the dialog's version stays): it
 * is the answer taken already, so it is answered quietly rather than "out of date" with the question
 * sent again. Another option of it, or its Done, Skip or Back, is still out of date.
 */
function repeatOfAnswered(poll: Poll, index: number, draft: Draft, action: string, arg: string | undefined): boolean {
  const before = index > 0 ? poll.questions[index - 1] : undefined;
  if (!before) return false;
  const value = draft[before.id];
  return action === 'c' && before.kind === 'single' && Array.isArray(value) && value.length === 1 && value[0] === Number(arg);
}

function answerText(q: PollQuestion, value: Draft[string] | undefined): string {
  if (value === null || value === undefined || (typeof value === 'string' && value.length === 0)) return '';
  if (typeof value === 'string') return excerpt(value, 200);
  return q.options
    .filter((o) => value.includes(o.id))
    .map((o) => o.text)
    .join(', ');
}

/** The open polls, one question per screen with Back, a summary, then Send. */
export const pollsFlow: Flow = {
  name: POLLS_FLOW,
  first: 'list',
  needsRegistration: true,
  // Answers given but not sent: leaving for something else (/start, the menu) says they were not counted.
  draft: (data) => (num(data, 'pollId') !== undefined && Object.keys(draftOf(data)).length > 0 ? 'polls.draft_discarded' : undefined),
  steps: {
    list: {
      screen: true,
      accepts: ['button'],
      wrongInput: 'polls.use_buttons',
      async prompt(c) {
        const polls = await openPollsFor(c.db, c.resident.municipalityId, c.now);
        // Results published lately stay findable here (only voters are told of them).
        const results = await recentResultsFor(c.db, c.resident.municipalityId, c.now);
        const back = [backToMenuButton()];
        if (polls.length === 0 && results.length === 0) return [{ key: 'polls.list_empty', keyboard: { kind: 'inline', rows: [back] } }];
        // A page at a time, as the other lists (VK's inline keyboard holds six rows): open polls first, then results.
        const size = pageSizeFor(c.from.channel, LIST_PAGE_SIZE, { fixedButtons: 1, fixedRows: 1 });
        const all = [...polls.map((p) => ({ id: p.id, title: p.title, open: true })), ...results.map((p) => ({ id: p.id, title: p.title, open: false }))];
        const { items: shown, page, pages } = pageOf(all, num(c.data, 'page') ?? 0, size);
        // Those answered already are marked (they open as "you have answered", with the results when visible).
        const voted = await votedPolls(
          c.db,
          shown.filter((p) => p.open).map((p) => p.id),
          c.resident.id,
        );
        const entries = shown.map((p) => ({ ...p, key: !p.open ? 'polls.list_item_results' : voted.has(p.id) ? 'polls.list_item_answered' : undefined }));
        const item = (p: (typeof entries)[number], title: string) => (p.key ? button(`o:${p.id}`, p.key, { title }) : literalButton(`o:${p.id}`, title));
        let items = entries.map((p) => item(p, excerpt(p.title, 60)));
        // A title cut on its button could read as another's: then the titles are listed in full, numbered, and each button starts with its number.
        const cut = items.some((b) => (b.text ?? c.t(c.language, b.label!, b.labelParams)).length > LABEL_SHOWN_WHOLE);
        if (cut) items = entries.map((p, i) => item(p, `${i + 1}. ${excerpt(p.title, 60)}`));
        return [
          {
            key: results.length > 0 ? 'polls.list_title_with_results' : 'polls.list_title',
            ...(cut && { lines: entries.map((p, i) => ({ key: 'polls.option_line', params: { number: i + 1, text: p.title } })) }),
            keyboard: { kind: 'inline', rows: [...listRows(items, page, pages), back] },
          },
        ];
      },
      next(c, input) {
        const id = input.kind === 'button' && input.action.startsWith('o:') ? Number(input.action.slice(2)) : Number.NaN;
        return Number.isSafeInteger(id) ? openPoll(c, id) : stay({ reprompt: true });
      },
    },
    question: {
      // Any input: what the hint says depends on the question (a button, or a text to write).
      accepts: ['button', 'text', 'location', 'photo', 'contact', 'other'],
      wrongInput: 'polls.use_buttons',
      // A free-text question's answer is written (a number too: «2» children); a choice's is an option.
      async textAnswer(c) {
        const poll = await getPoll(c.db, num(c.data, 'pollId')!);
        return poll.questions[num(c.data, 'index') ?? 0]?.kind === 'text';
      },
      async prompt(c) {
        const poll = await getPoll(c.db, num(c.data, 'pollId')!);
        const index = num(c.data, 'index') ?? 0;
        return [questionView(poll, poll.questions[index]!, index, draftOf(c.data))];
      },
      async next(c, input) {
        const poll = await getPoll(c.db, num(c.data, 'pollId')!);
        const index = num(c.data, 'index') ?? 0;
        const closed = await closedMeanwhile(c, poll);
        if (closed) return closed;
        const q = poll.questions[index]!;
        const draft = { ...draftOf(c.data) };
        if (input.kind === 'text') {
          if (q.kind !== 'text') return stay({ say: [{ key: 'polls.use_buttons' }], reprompt: true });
          const text = input.text.trim();
          const unstorable = unstorableTextView(text);
          if (unstorable) return stay({ say: [unstorable], reprompt: true });
          // A text that shows nothing (blank, control or zero-width characters) is no answer: written, or skipped with the button.
          if (isBlankText(text)) return stay({ say: [{ key: 'polls.write_or_skip' }], reprompt: true });
          if (text.length > POLL_LIMITS.maxFreeText) return stay({ say: [{ key: 'errors.TEXT_TOO_LONG', params: { max: POLL_LIMITS.maxFreeText, length: text.length } }], reprompt: true });
          draft[q.id] = text;
          return advance(poll, index, draft);
        }
        if (input.kind !== 'button') return stay({ say: [{ key: q.kind === 'text' ? 'polls.write_or_skip' : 'polls.use_buttons' }], reprompt: true });
        const [action, arg] = input.action.split(':');
        // A button of another question (an old keyboard further up: the steps between questions
        // keep the dialog's version) is out of date; Back, Done and Skip without an index are from before they had one.
        const ofThisQuestion = ['b', 'n', 'k'].includes(action!) ? arg === undefined || Number(arg) === index : q.options.some((o) => o.id === Number(arg));
        if (!ofThisQuestion) return repeatOfAnswered(poll, index, draft, action!, arg) ? stay({}) : stay({ say: [{ key: 'dialog.outdated' }], reprompt: true });
        if (action === 'b') return index > 0 ? goto('question', { data: { index: index - 1 } }) : goto('list', { data: { pollId: undefined, index: undefined, answers: undefined } });
        const optionId = Number(arg);
        if (action === 'c' && q.kind === 'single' && q.options.some((o) => o.id === optionId)) {
          draft[q.id] = [optionId];
          return advance(poll, index, draft);
        }
        if (action === 't' && q.kind === 'multiple' && q.options.some((o) => o.id === optionId)) {
          const chosen = Array.isArray(draft[q.id]) ? [...(draft[q.id] as number[])] : [];
          const max = q.maxChoices ?? q.options.length;
          if (chosen.includes(optionId)) chosen.splice(chosen.indexOf(optionId), 1);
          else if (chosen.length >= max) return stay({ say: [{ key: 'polls.too_many_choices', params: { max } }] });
          else chosen.push(optionId);
          draft[q.id] = chosen;
          return stay({ data: { answers: draft }, reprompt: 'edit' });
        }
        if (action === 'n' && q.kind === 'multiple') {
          if (!Array.isArray(draft[q.id]) || (draft[q.id] as number[]).length === 0) return stay({ say: [{ key: 'polls.choose_some' }] });
          return advance(poll, index, draft);
        }
        if (action === 'k' && q.kind === 'text') {
          draft[q.id] = null;
          return advance(poll, index, draft);
        }
        return stay({ reprompt: true });
      },
    },
    summary: {
      accepts: ['button'],
      wrongInput: 'polls.use_buttons',
      async prompt(c) {
        const poll = await getPoll(c.db, num(c.data, 'pollId')!);
        const draft = draftOf(c.data);
        return [
          {
            key: 'polls.summary',
            params: { title: poll.title },
            lines: poll.questions.map((q, i) => {
              const text = answerText(q, draft[q.id]);
              return { key: 'polls.summary_line', params: { index: i + 1, question: q.text, answer: text || local('polls.summary_skipped') } };
            }),
            keyboard: { kind: 'inline', rows: [[button('send', 'polls.send')], [button('b', 'polls.back')]] },
          },
        ];
      },
      async next(c, input) {
        const poll = await getPoll(c.db, num(c.data, 'pollId')!);
        if (input.kind !== 'button') return stay({ reprompt: true });
        const closed = await closedMeanwhile(c, poll);
        if (closed) return closed;
        if (input.action === 'b') return goto('question', { data: { index: poll.questions.length - 1 } });
        if (input.action !== 'send') return stay({ reprompt: true });
        const draft = draftOf(c.data);
        try {
          await castBallot(
            c.db,
            {
              pollId: poll.id,
              residentId: c.resident.id,
              channel: c.identity.channel,
              answers: poll.questions.map((q) => {
                const value = draft[q.id];
                return typeof value === 'string' ? { questionId: q.id, text: value } : { questionId: q.id, optionIds: Array.isArray(value) ? value : [] };
              }),
            },
            c.now,
          );
        } catch (error) {
          // A ballot cast meanwhile (the other messenger, a double tap) or a poll closed meanwhile: the reason, nothing stored.
          if (isDomainError(error, 'POLL_ALREADY_VOTED') || isDomainError(error, 'POLL_NOT_OPEN') || isDomainError(error, 'POLL_OTHER_MUNICIPALITY')) return end([domainErrorView(error)!]);
          throw error;
        }
        const fresh = await getPoll(c.db, poll.id);
        return end([{ key: 'polls.thanks' }, (await resultsVisible(c, fresh)) ? await resultsView(c, fresh) : { key: 'polls.results_later' }]);
      },
    },
  },
};
