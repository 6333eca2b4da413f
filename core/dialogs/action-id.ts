import { MAX_ROW_ID } from '../db/types.ts';

/**
 * The one button-id scheme of the bots, shared by dialog keyboards and by the keyboards core
 * stores in outbox payloads (officials' alert cards), so core can write ids without importing bots.
 *
 *   <version base36>:<action>   a step button: valid only while the dialog step that showed it is
 *                               current (bots/dialogs/buttons.ts stamps it); older taps are "out of date"
 *   !<tag>:<arg>:<arg>…         an action button: refers to a thing (a message, an answer, a menu
 *                               entry), valid in any dialog state and checked against the database
 *
 * A tag names one action in one argument format; a changed format gets a new tag, and ids with a
 * tag nobody answers any more are "out of date". Ids stay within Telegram's 64-byte callback data.
 */
export const MAX_BUTTON_ID_BYTES = 64;
export const ACTION_PREFIX = '!';
const TAG = /^[a-z][a-z0-9]{0,7}$/;

export interface ActionId {
  tag: string;
  args: string[];
}

/** `!<tag>:<args…>`; throws on a malformed tag, an argument with `:` or an id over 64 bytes (a bug, not input). */
export function actionId(tag: string, ...args: (string | number)[]): string {
  if (!TAG.test(tag)) throw new Error(`bad button tag "${tag}"`);
  const parts = args.map(String);
  if (parts.some((a) => a.includes(':'))) throw new Error(`a button argument of "${tag}" contains ":"`);
  const id = [`${ACTION_PREFIX}${tag}`, ...parts].join(':');
  if (Buffer.byteLength(id) > MAX_BUTTON_ID_BYTES) throw new Error(`button id of "${tag}" exceeds ${MAX_BUTTON_ID_BYTES} bytes`);
  return id;
}

/**
 * Alert buttons sent before the scheme was unified (`ans1:i:<id>`, `apr1:a:<id>`) are read as the
 * same actions (`!ans:i:<id>`, `!apr:a:<id>`): officials may still tap cards already in their chats.
 */
const LEGACY_ALERT = /^(ans|apr)1:/;

/** The tag and arguments of an action id; null for a step button (or anything else). */
export function parseActionId(id: string): ActionId | null {
  const normalised = LEGACY_ALERT.test(id) ? `${ACTION_PREFIX}${id.replace(LEGACY_ALERT, '$1:')}` : id;
  if (!normalised.startsWith(ACTION_PREFIX)) return null;
  const [tag = '', ...args] = normalised.slice(ACTION_PREFIX.length).split(':');
  return { tag, args };
}

/**
 * A positive integer argument (ids of rows), at most `max` (by default the largest row id: a
 * PostgreSQL `integer` past it fails in the query instead of matching nothing); undefined for anything else.
 */
export function positiveIdArg(arg: string | undefined, max = MAX_ROW_ID): number | undefined {
  if (arg === undefined || !/^[1-9][0-9]{0,15}$/.test(arg)) return undefined;
  const value = Number(arg);
  return Number.isSafeInteger(value) && value <= max ? value : undefined;
}
