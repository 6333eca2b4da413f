import { actionId } from '../../core/dialogs/action-id.ts';
import { button, literalButton } from './buttons.ts';
import type { Flow, Outcome, StepContext, StepInput } from './flow.ts';
import type { Button, View } from './view.ts';

/**
 * A bot feature is one folder under bots/features/ exporting a BotFeature, listed once in
 * bots/features/registry.ts. It declares everything it owns; the engine (engine.ts), the main
 * menu (menu.ts) and the button scheme (buttons.ts) know no feature by name.
 */
export interface BotFeature {
  /** Unique, for error messages and the command menu (e.g. `filing`). */
  name: string;
  /** Its dialog flows; their names are stored in dialog_state.flow, so keep them stable. */
  flows?: Flow[];
  /** Its `/commands`. */
  commands?: Command[];
  /** Its main-menu entries (and menu buttons used elsewhere, e.g. "back to menu"). */
  menu?: MenuEntry[];
  /** Its action buttons (`!<tag>:…`), valid in any dialog state and from outbox messages. */
  actions?: ActionHandler[];
  /** Its `/start <prefix>…` deep links. */
  deepLinks?: DeepLink[];
  /**
   * Text a registered resident sent that no step asked for (between flows, or where a step
   * expects a button): return views when this feature takes it, e.g. as the answer to a pending
   * clarification request. Features are asked in registry order; the first answer wins.
   */
  freeText?(c: StepContext, text: string): Promise<View[] | undefined>;
  /**
   * Text a registered resident sent between flows that nothing else took (no feature's freeText,
   * no command's word, no main-menu label): this feature's offer to start something with it (filing
   * a message with it as the description), views with a button of its action carrying `offerId`;
   * undefined when the text is not for it. The engine keeps the text with the chat's state for
   * OFFER_TTL_MS, and the action takes it back with takeTextOffer (idle.ts). Features are asked
   * in registry order; the first offer wins.
   */
  textOffer?(c: StepContext, text: string, offerId: string): View[] | undefined | Promise<View[] | undefined>;
  /**
   * A photo or a place a registered resident sent between flows that this feature answers before
   * anything starts with it (a pending clarification request: told it takes a text). Asked before
   * idlePhoto and idleLocation, in registry order; the first answer wins.
   */
  freeAttachment?(c: StepContext, input: Extract<StepInput, { kind: 'photo' | 'location' }>): Promise<View[] | undefined>;
  /**
   * Content the bot does not take (a sticker, a voice message) a registered resident sent between
   * flows on its own: this feature's answer instead of the generic "not supported" and the menu
   * (a pending clarification request: the executor waits for a reply it can read).
   */
  idleOther?(c: StepContext): Promise<View[] | undefined>;
  /** What an account that is not a registered resident is told between flows, when this feature knows better than "send /start". */
  idleHint?(c: StepContext): Promise<View | undefined>;
  /** A place a registered resident shared between flows, when this feature starts something there (filing a message at it). */
  idleLocation?(c: StepContext, input: Extract<StepInput, { kind: 'location' }>): Promise<Outcome | undefined>;
  /** A photo a registered resident sent between flows (its caption, if any, the words sent with it), when this feature starts something with it (filing a message). */
  idlePhoto?(c: StepContext, input: Extract<StepInput, { kind: 'photo' }>): Promise<Outcome | undefined>;
}

export type Run<A extends unknown[] = []> = (c: StepContext, ...args: A) => Outcome | Promise<Outcome>;

export interface Command {
  /** Lower case, without the slash: `[a-z0-9_]{1,32}` (Telegram's rule). */
  name: string;
  /** Locale key of its one-line description; set it to list the command in the messenger's command menu (Telegram setMyCommands). */
  description?: string;
  /** Whether /help and the command menu list it (default: always); the command still works when typed. */
  listed?(): boolean;
  /**
   * Plain words that stand for the command when typed between flows (lower case, any language:
   * «помощь» for /help); case and a trailing "!" or "." do not matter.
   */
  words?: readonly string[];
  /**
   * Its word typed as a whole answer ends the flow even at a step of written answers (/cancel's
   * «Отмена»): there it is never the content (a description «Отмена»), always the wish to stop.
   */
  endsFlow?: boolean;
  /** A staff member's command: the whole turn is in the official's language. */
  asStaff?: boolean;
  /** `payload` is what follows the command (`/link abc` → `abc`). */
  run: Run<[payload: string | undefined]>;
}

export interface MenuEntry {
  /** Its button is `!m:<id>`: keep it stable, main menus further up residents' chats still carry it. */
  id: string;
  /** Locale key of the button label. */
  label: string;
  labelParams?(c: StepContext): Record<string, unknown>;
  /**
   * Where it sits in the main menu: rows in ascending order, entries of one row side by side by
   * `column`. Without `row` the entry is not in the main menu, but its button (menuButton) works
   * wherever a feature puts it ("back to menu").
   */
  row?: number;
  column?: number;
  /** Shown only to some residents (a campaign is open, the account is a linked official). */
  visible?(c: StepContext): boolean | Promise<boolean>;
  run: Run;
}

/** The handler of one action tag; build it with `action()` to get typed ids and buttons too. */
export interface ActionHandler<T = unknown> {
  /** `[a-z][a-z0-9]{0,7}`, unique over all features; `m` is the main menu's. */
  tag: string;
  /** The value of an id's arguments; undefined for a malformed id (answered "out of date"). */
  decode(args: readonly string[]): T | undefined;
  /** A staff member's action: the whole turn is in the official's language. */
  asStaff?: boolean;
  // Method syntax on purpose: a list of handlers of different value types is an ActionHandler[].
  run(c: StepContext, value: T): Outcome | Promise<Outcome>;
}

export interface Action<T> extends ActionHandler<T> {
  id(value: T): string;
  button(value: T, label: string, labelParams?: Record<string, unknown>): Button;
  literalButton(value: T, text: string): Button;
}

/**
 * An action button kind: `encode` turns a value into the id's arguments, `decode` reads them back.
 * Ids carry no dialog version: `run` must check against the database that the action still makes sense.
 */
export function action<T>(spec: { tag: string; encode(value: T): (string | number)[]; decode(args: readonly string[]): T | undefined; asStaff?: boolean; run: Run<[value: T]> }): Action<T> {
  const id = (value: T) => actionId(spec.tag, ...spec.encode(value));
  return {
    tag: spec.tag,
    decode: spec.decode,
    run: spec.run,
    ...(spec.asStaff && { asStaff: true }),
    id,
    button: (value, label, labelParams) => button(id(value), label, labelParams),
    literalButton: (value, text) => literalButton(id(value), text),
  };
}

export interface DeepLink {
  /** `/start <prefix><rest>`: e.g. `poll_` for `/start poll_17`. Prefixes may not overlap. */
  prefix: string;
  /** The rest is a credential (a one-time code): only the prefix is recorded in start_payload. */
  secret?: boolean;
  /** `rest` is the payload after the prefix. Open a flow at a step with `enter(flow, { step, data })`, or `reply(views)`. */
  open: Run<[rest: string]>;
}
