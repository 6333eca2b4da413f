import type { Db, Language } from '../../core/db/types.ts';
import type { Resident, ResidentIdentity } from '../../core/residents/resident.repository.ts';
import type { Translate } from '../i18n.ts';
import type { DialogInput, Identity, InputKind } from './input.ts';
import type { Features } from './registry.ts';
import type { TextOffer } from './state.ts';
import type { View } from './view.ts';

/** A flow's name as stored in dialog_state.flow: unique among the registered features' flows. */
export type FlowName = string;
export type StepData = Record<string, unknown>;

/**
 * What a step (and a command, menu entry, action or deep link) sees: the transaction, the
 * resident, the flow's data, the clock, the registered features, and where the dialog was when
 * the input arrived.
 */
export interface StepContext {
  db: Db;
  now: Date;
  /** When the resident sent the input, as the messenger dated it (DialogInput `sentAt`); absent when it did not. */
  sentAt?: Date;
  t: Translate;
  resident: Resident;
  identity: ResidentIdentity;
  from: Identity;
  language: Language;
  data: StepData;
  features: Features;
  readonly position: { readonly flow: FlowName; readonly step: string };
  /**
   * The resident's registration as the turn's first statement read it, while nothing in the turn
   * may have changed it since (the engine clears it before the first statement that may write);
   * isRegistered and hasConsent (registration-check.ts) answer from it without a query.
   */
  registration?: { registered: boolean; consented: boolean };
  /**
   * The text offered between flows (BotFeature.textOffer) still kept with the chat's state, not
   * expired: the offer's action takes it (takeTextOffer, idle.ts); the engine saves what is left.
   */
  offer?: TextOffer;
  /**
   * Set by a step that keeps the messenger's name of the resident when the input did not carry it
   * (a VK button press): the adapter looks it up after the turn commits (DialogTurn.nameWanted).
   */
  nameWanted?: true;
}

/** A button press reaches a step as its action, with the version stamp already checked. */
export type StepInput = Exclude<DialogInput, { kind: 'button' }> | { kind: 'button'; action: string; identity: Identity };

export type Outcome =
  /** Move to another step (of this flow, or of `flow`); its prompt follows `say`. */
  | { kind: 'goto'; flow?: FlowName; step: string; data?: StepData; say?: View[] }
  /** Stay on this step; `reprompt` shows its prompt again (e.g. another page). */
  | { kind: 'stay'; data?: StepData; say?: View[]; reprompt?: boolean | 'edit' }
  /** The flow is over: back to idle; the main menu follows `say` when the resident is registered. */
  | { kind: 'end'; say?: View[]; menu?: boolean }
  /**
   * Start `flow` (at `step`, default its first) with `data`, unless it needs a registration the
   * resident lacks: then only why, and the dialog stays where it was.
   */
  | { kind: 'enter'; flow: FlowName; step?: string; data?: StepData; say?: View[] };

export const goto = (step: string, options: { flow?: FlowName; data?: StepData; say?: View[] } = {}): Outcome => ({ kind: 'goto', step, ...options });
export const stay = (options: { data?: StepData; say?: View[]; reprompt?: boolean | 'edit' } = {}): Outcome => ({ kind: 'stay', ...options });
export const end = (say: View[] = [], menu = true): Outcome => ({ kind: 'end', say, menu });
export const enter = (flow: FlowName, options: { step?: string; data?: StepData; say?: View[] } = {}): Outcome => ({ kind: 'enter', flow, ...options });
/** Show `views` and leave the dialog where it is. */
export const reply = (views: View[]): Outcome => ({ kind: 'stay', say: views });

/**
 * A named step: its prompt, the input kinds it takes, an optional validator that returns a
 * locale key on failure (with params), and the transition, which may call core/.
 */
export interface Step {
  prompt(c: StepContext): Promise<View[]> | View[];
  /**
   * A screen to look at (a list, a card) with nothing in progress: a command or another feature's
   * button answered meanwhile leaves it for idle instead of showing it again after its answer.
   */
  screen?: boolean;
  accepts: readonly InputKind[];
  /** Answered when another kind of input arrives (a sticker where text is expected); per messenger when the hint names its buttons. */
  wrongInput?: string | ((c: StepContext) => string);
  /**
   * The step's answer is a text the resident writes (a description, a caption, a comment, a poll's
   * free-text answer): a number typed there is that text, not one of VK's numbered options (those
   * are chosen with «№» there, and listed so; bots/vk/render.ts). Without it a step's options win.
   */
  textAnswer?: boolean | ((c: StepContext) => boolean | Promise<boolean>);
  validate?(c: StepContext, input: StepInput): Promise<Invalid | undefined> | Invalid | undefined;
  next(c: StepContext, input: StepInput): Promise<Outcome> | Outcome;
}

export interface Invalid {
  key: string;
  params?: Record<string, unknown>;
}

export interface Flow {
  name: FlowName;
  first: string;
  /** Only registered residents with a live consent may be in this flow. */
  needsRegistration: boolean;
  /** The registration itself: a flow that needs registration, entered from here, answers "finish it below" and shows the step again. */
  registers?: boolean;
  /** A staff member's flow: every turn in it (error texts included) is in the official's language. */
  asStaff?: boolean;
  /**
   * What the resident has put into the flow so far that leaving it discards (a message being
   * filed): the locale key said when a command or a button from another message (/start, the main
   * menu) takes the dialog out of the flow with it; undefined while there is nothing to lose.
   */
  draft?(data: StepData): string | undefined;
  /**
   * A photo of a Telegram album or a VK message whose earlier parts the dialog had, arriving at a
   * step that takes no photo (the summary the album's fifth photo led to): the flow's answer (a photo
   * past its limit, told with the count of the batch's photos not taken, `photoNotTaken`), or
   * undefined for the engine's (one line that the rest of the album or message was not taken).
   */
  batchPhoto?(c: StepContext, input: Extract<StepInput, { kind: 'photo' }>): Outcome | undefined;
  steps: Record<string, Step>;
}

export function stepOf(flow: Flow, name: string): Step | undefined {
  return Object.hasOwn(flow.steps, name) ? flow.steps[name] : undefined;
}

export const str = (data: StepData, key: string): string | undefined => (typeof data[key] === 'string' ? (data[key] as string) : undefined);
export const num = (data: StepData, key: string): number | undefined => (typeof data[key] === 'number' ? (data[key] as number) : undefined);

/**
 * StepData key: how many photos of the current batch (one Telegram album, or one VK message with
 * its parts) were not taken (past a flow's limit). The engine drops it when an input starts another
 * batch (bots/dialogs/engine.ts `continuesBatch`), so the count is always the batch's own.
 */
export const BATCH_PHOTOS_NOT_TAKEN = 'batchPhotosNotTaken';

/**
 * A photo of the current batch taken by the step: the data that marks the batch as the flow's (its
 * count of photos not taken, none yet), so that Flow `batchPhoto` may tell its later photos past the
 * limit; a batch whose first photo was refused is answered as the engine answers it.
 */
export const photoTaken = (c: StepContext): StepData => ({ [BATCH_PHOTOS_NOT_TAKEN]: num(c.data, BATCH_PHOTOS_NOT_TAKEN) ?? 0 });

/** One more photo of the current batch not taken: the batch's count with it, and the data that keeps it. */
export function photoNotTaken(c: StepContext): { count: number; data: StepData } {
  const count = (num(c.data, BATCH_PHOTOS_NOT_TAKEN) ?? 0) + 1;
  return { count, data: { [BATCH_PHOTOS_NOT_TAKEN]: count } };
}
