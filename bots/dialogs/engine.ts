import { sql } from 'kysely';
import { parseAlertButton } from '../../core/alerts/buttons.ts';
import type { Db, Language } from '../../core/db/types.ts';
import { rateMessage } from '../../core/messages/feedback.service.ts';
import { assertResidentCanView } from '../../core/messages/message.queries.ts';
import { recordStartPayload } from '../../core/inbound/start-payload.repository.ts';
import { touchResident, updateResident } from '../../core/residents/resident.repository.ts';
import type { Translate } from '../i18n.ts';
import { answerClarification } from './clarification.ts';
import { isGlobalId, parseGlobal, readStamped, stampId, type GlobalAction } from './buttons.ts';
import { findDeepLink, recordablePayload, type DeepLinks } from './deep-links.ts';
import { domainErrorView } from './errors.ts';
import { stepOf, type Flow, type FlowName, type Outcome, type StepContext, type StepData, type StepInput } from './flow.ts';
import { filingFlow } from './flows/filing.ts';
import { idleFlow } from './flows/idle.ts';
import { messagesFlow } from './flows/messages.ts';
import { officialFlow } from './flows/official.ts';
import { privacyFlow } from './flows/privacy.ts';
import { registrationFlow } from './flows/registration.ts';
import type { DialogInput } from './input.ts';
import { languageChoice, mainMenu } from './menu.ts';
import { alertButtonOutcome } from './official/alert-buttons.ts';
import { isOfficialInput, linkedOfficial } from './official/identity.ts';
import { linkCommand, notifyChoice, setNotifyChannel } from './linking.ts';
import { PAGE_ACTION } from './paging.ts';
import { settingsScreen, setTopic } from './settings.ts';
import { isRegistered, registrationRequired } from './registration-check.ts';
import { IDLE, lockState, saveState, type DialogState } from './state.ts';
import type { View } from './view.ts';

export const FLOWS: Record<FlowName, Flow> = {
  idle: idleFlow,
  registration: registrationFlow,
  filing: filingFlow,
  messages: messagesFlow,
  privacy: privacyFlow,
  official: officialFlow,
};

export interface DialogDeps {
  t: Translate;
  deepLinks?: DeepLinks;
}

/** What one input produced: the views to send (in order) and the language to render them in. */
export interface DialogTurn {
  views: View[];
  language: Language;
  residentId: number;
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
}

const CANCEL_ACTION = 'x';

/**
 * Runs one input through the dialogs inside the caller's transaction: loads (and locks) the
 * state, applies commands, global buttons or the current step, saves the new state and returns
 * the views. Domain errors become `errors.<CODE>` answers and are rolled back to a savepoint,
 * so nothing is half-saved; any other error propagates and the caller rolls everything back.
 */
export async function runDialog(db: Db, input: DialogInput, deps: DialogDeps, now: Date): Promise<DialogTurn> {
  const { identity: from } = input;
  // The state row lock comes first: two updates of one chat (an album's photos, a first contact
  // delivered twice at once) serialise here before the resident is created or changed.
  const state = await lockState(db, from.channel, from.externalId);
  const { resident, identity } = await touchResident(db, { channel: from.channel, externalId: from.externalId, chatId: from.chatId, username: from.username }, now);
  const c: StepContext = { db, now, t: deps.t, resident, identity, from, language: resident.language, data: { ...state.data } };
  // Before the guard: error texts of an official's action are in the official's language too.
  if (isOfficialInput(state, input)) await linkedOfficial(c);

  const decision = await guarded(c, () => decide(c, state, input, deps), async (error) => {
    const again = await guarded(c, () => promptAt(c, state), async () => ({ views: [], to: { ...IDLE, data: {} } }));
    return { views: [error, ...again.views], to: again.to };
  });

  const to = decision.to ?? { flow: state.flow, step: state.step, data: state.data };
  const moved = to.flow !== state.flow || to.step !== state.step;
  const version = moved ? state.version + 1 : state.version;
  const views = decision.views.map((view) => stampButtons(view, version));
  const replyKeyboard = settleReplyKeyboard(views, state.replyKeyboard);
  await saveState(db, from.channel, from.externalId, { ...to, version, replyKeyboard }, now);
  return { views, language: c.language, residentId: c.resident.id };
}

async function decide(c: StepContext, state: DialogState, input: DialogInput, deps: DialogDeps): Promise<Decision> {
  if (input.kind === 'other' && input.what === 'edited') return { views: [{ key: 'dialog.edited_ignored' }] };
  if (input.kind === 'other' && input.what === 'forwarded') return { views: [{ key: 'dialog.forwarded_not_accepted' }] };
  if (input.kind === 'command') return onCommand(c, state, input.command, input.payload, deps);

  let stepInput: StepInput;
  if (input.kind === 'button') {
    const alert = parseAlertButton(input.data);
    if (alert) return apply(c, state, await alertButtonOutcome(c, alert));
    const global = parseGlobal(input.data);
    if (global) return onGlobal(c, state, global, deps);
    const stamped = isGlobalId(input.data) ? 'stale' : readStamped(input.data, state.version);
    if (stamped === 'stale') return { views: [{ key: 'dialog.outdated' }, ...(await promptAt(c, state)).views] };
    stepInput = { kind: 'button', action: stamped.action, identity: input.identity };
  } else {
    stepInput = input;
  }

  const flow = FLOWS[state.flow];
  const step = flow ? stepOf(flow, state.step) : undefined;
  // A position a newer release no longer has: start over rather than guess.
  if (!flow || !step) return end(c, [{ key: 'dialog.outdated' }], true);
  if (flow.needsRegistration && !(await isRegistered(c))) return end(c, [await registrationRequired(c)], true);

  if (stepInput.kind === 'button' && stepInput.action === CANCEL_ACTION) return end(c, [{ key: 'dialog.cancelled' }], true);
  if (stepInput.kind === 'button' && stepInput.action.startsWith(`${PAGE_ACTION}:`)) {
    return apply(c, state, { kind: 'stay', data: { page: Number(stepInput.action.slice(PAGE_ACTION.length + 1)) || 0 }, reprompt: 'edit' });
  }
  if (!step.accepts.includes(stepInput.kind)) {
    const attached = stepInput.kind === 'text' && (await isRegistered(c)) ? await answerClarification(c, stepInput.text) : undefined;
    if (attached) return { views: attached };
    return { views: [{ key: step.wrongInput ?? 'dialog.hint' }, ...(await step.prompt(c))] };
  }
  const invalid = await step.validate?.(c, stepInput);
  if (invalid) return { views: [{ key: invalid.key, params: invalid.params }, ...(await step.prompt(c))] };
  return apply(c, state, await step.next(c, stepInput));
}

async function onCommand(c: StepContext, state: DialogState, command: string, payload: string | undefined, deps: DialogDeps): Promise<Decision> {
  switch (command) {
    case 'start': {
      if (payload) {
        await recordStartPayload(c.db, { channel: c.from.channel, externalId: c.from.externalId, payload: recordablePayload(payload) }, c.now);
        const handler = deps.deepLinks ? findDeepLink(deps.deepLinks, payload) : undefined;
        if (handler) return { views: await handler(c, payload) };
      }
      if (await isRegistered(c)) return end(c, [{ key: 'dialog.welcome_back' }], true);
      return enter(c, state, 'registration');
    }
    case 'cancel':
      if (state.flow === 'idle') return { views: [{ key: 'dialog.nothing_to_cancel' }, ...(await promptAt(c, state)).views] };
      return end(c, [{ key: 'dialog.cancelled' }], true);
    case 'help':
      return { views: [{ key: 'dialog.help' }] };
    case 'language':
      return { views: [languageChoice()] };
    case 'privacy':
      return enter(c, state, 'privacy');
    case 'new':
      return enter(c, state, 'filing');
    case 'my':
      return enter(c, state, 'messages');
    case 'menu':
      return end(c, [], true);
    case 'unlink':
      if (!(await linkedOfficial(c))) return { views: [{ key: 'official.not_linked_account' }] };
      return enter(c, state, 'official', 'unlink');
    case 'link':
      // Linking may replace the resident behind this chat: show the menu of the one it joined.
      return payload ? end(c, await linkCommand(c, payload), true) : { views: await linkCommand(c, undefined) };
    case 'notify':
      return { views: await notifyChoice(c) };
    case 'settings':
      return { views: await settingsScreen(c) };
    default:
      return { views: [{ key: 'dialog.unknown_command' }] };
  }
}

async function onGlobal(c: StepContext, state: DialogState, action: GlobalAction, deps: DialogDeps): Promise<Decision> {
  switch (action.kind) {
    case 'menu': {
      const commands = { file: 'new', my: 'my', privacy: 'privacy', language: 'language', help: 'help', menu: 'menu', link: 'link', notify: 'notify', settings: 'settings' } as const;
      return onCommand(c, state, commands[action.item], undefined, deps);
    }
    case 'language': {
      c.language = action.language;
      await updateResident(c.db, c.resident.id, { language: action.language });
      return { views: [{ key: 'dialog.language_set' }, ...(await promptAt(c, state)).views] };
    }
    case 'rate': {
      if (!(await isRegistered(c))) return { views: [await registrationRequired(c)] };
      await rateMessage(c.db, { residentId: c.resident.id, messageId: action.messageId, stars: action.stars }, c.now);
      if (action.stars <= 2) {
        return enter(c, state, 'messages', 'complaint', { messageId: action.messageId }, [{ key: 'my.rated_low', params: { stars: action.stars } }]);
      }
      return end(c, [{ key: 'my.rated', params: { stars: action.stars } }], true);
    }
    case 'notify':
      return { views: await setNotifyChannel(c, action.channel) };
    case 'topic':
      return { views: await setTopic(c, action.topic, action.on) };
    case 'open':
    case 'comment': {
      if (!(await isRegistered(c))) return { views: [await registrationRequired(c)] };
      await assertResidentCanView(c.db, c.resident.id, action.messageId);
      return enter(c, state, 'messages', action.kind === 'open' ? 'card' : 'comment', { messageId: action.messageId });
    }
  }
}

/** Starts a flow (at `step`), unless it needs a registration the resident does not have. */
async function enter(c: StepContext, state: DialogState, flowName: FlowName, step?: string, data: StepData = {}, say: View[] = []): Promise<Decision> {
  const flow = FLOWS[flowName];
  if (flow.needsRegistration && !(await isRegistered(c))) return { views: [await registrationRequired(c)] };
  return apply(c, state, { kind: 'goto', flow: flowName, step: step ?? flow.first, data, say });
}

async function apply(c: StepContext, state: DialogState, outcome: Outcome): Promise<Decision> {
  const say = outcome.say ?? [];
  if (outcome.kind === 'end') return end(c, say, outcome.menu ?? true);
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
  const step = stepOf(FLOWS[position.flow] ?? idleFlow, position.step) ?? idleFlow.steps.idle!;
  c.data = { ...position.data };
  return { views: await step.prompt(c) };
}

const SAVEPOINT = 'dialog_step';

/** Runs `fn` under a savepoint; a domain error rolls back to it and becomes `onDomainError`'s answer. */
async function guarded(c: StepContext, fn: () => Promise<Decision>, onDomainError: (view: View) => Promise<Decision>): Promise<Decision> {
  const language = c.language;
  await sql.raw(`SAVEPOINT ${SAVEPOINT}`).execute(c.db);
  try {
    const decision = await fn();
    await sql.raw(`RELEASE SAVEPOINT ${SAVEPOINT}`).execute(c.db);
    return decision;
  } catch (error) {
    const view = domainErrorView(error);
    if (!view) throw error;
    await sql.raw(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`).execute(c.db);
    c.language = language;
    return onDomainError(view);
  }
}

function stampButtons(view: View, version: number): View {
  if (view.keyboard?.kind !== 'inline') return view;
  const rows = view.keyboard.rows.map((row) => row.map((b) => (isGlobalId(b.id) ? b : { ...b, id: stampId(version, b.id) })));
  return { ...view, keyboard: { kind: 'inline', rows } };
}

/**
 * A reply keyboard (location, contact) stays on screen until a message removes it: the first
 * answer without a keyboard after such a step carries the removal. Returns whether one is still shown.
 */
function settleReplyKeyboard(views: View[], shown: boolean): boolean {
  if (views.some((v) => v.keyboard?.kind === 'reply')) return true;
  if (!shown) return false;
  const index = views.findIndex((v) => !v.keyboard && !v.edit);
  if (index < 0) return true;
  views[index] = { ...views[index]!, keyboard: { kind: 'remove' } };
  return false;
}
