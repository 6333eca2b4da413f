import { positiveIdArg } from '../../../core/dialogs/action-id.ts';
import { POLL_TAGS } from '../../../core/polls/polls.ts';
import { action, type BotFeature } from '../../dialogs/feature.ts';
import { enter, type Outcome, reply, type StepContext } from '../../dialogs/flow.ts';
import { isRegistered } from '../../dialogs/registration-check.ts';
import { startRegistration } from '../registration/index.ts';
import { askFlow, directLineOpen, startAsking } from './ask.ts';
import { openPoll, POLLS_FLOW, pollsFlow, showResults } from './flow.ts';

/** `!pa:<pollId>`: "Answer" on a poll's announcement. */
const answerAction = action<number>({
  tag: POLL_TAGS.answer,
  encode: (pollId) => [pollId],
  decode: (args) => (args.length === 1 ? positiveIdArg(args[0]) : undefined),
  run: (c, pollId) => openPoll(c, pollId),
});

/** `!pr:<pollId>`: "See the results" on the notice that results are published. */
const resultsAction = action<number>({
  tag: POLL_TAGS.results,
  encode: (pollId) => [pollId],
  decode: (args) => (args.length === 1 ? positiveIdArg(args[0]) : undefined),
  run: (c, pollId) => showResults(c, pollId),
});

/** `!dla:<directLineId>`: "Ask a question" on a direct line's announcement. */
const askAction = action<number>({
  tag: POLL_TAGS.ask,
  encode: (lineId) => [lineId],
  decode: (args) => (args.length === 1 ? positiveIdArg(args[0]) : undefined),
  run: (c, lineId) => startAsking(c, lineId),
});

/**
 * `/start poll_<id>` (announcements, a poster's QR code): the poll; a resident not registered yet
 * is taken through the registration first, and the poll opens once it completes.
 */
async function openPollLink(c: StepContext, rest: string): Promise<Outcome> {
  const pollId = positiveIdArg(rest);
  // A new resident registers first even when the link is garbled (then nothing opens afterwards).
  if (!(await isRegistered(c))) return startRegistration(c, pollId !== undefined ? `poll_${rest}` : undefined);
  return pollId !== undefined ? openPoll(c, pollId) : reply([{ key: 'errors.POLL_NOT_FOUND' }]);
}

/**
 * Polls and votes (`/polls`, the main menu, `/start poll_<id>` from announcements and posters) and
 * the head's direct line (`/ask`, a menu entry while a campaign collects questions).
 */
export const polls: BotFeature = {
  name: 'polls',
  flows: [pollsFlow, askFlow],
  commands: [
    { name: 'polls', description: 'polls.command', run: () => enter(POLLS_FLOW) },
    { name: 'ask', description: 'polls.ask_command', run: (c) => startAsking(c) },
  ],
  menu: [
    { id: 'polls', label: 'polls.menu', row: 24, column: 0, run: () => enter(POLLS_FLOW) },
    { id: 'direct_line', label: 'polls.ask_menu', row: 26, column: 0, visible: directLineOpen, run: (c) => startAsking(c) },
  ],
  actions: [answerAction, resultsAction, askAction],
  deepLinks: [{ prefix: 'poll_', open: openPollLink }],
};
