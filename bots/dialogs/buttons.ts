import { isTopic, type Topic } from '../../core/subscriptions/subscriptions.ts';
import type { Button } from './view.ts';

/**
 * Button ids. A step's button carries the version of the dialog step that showed it
 * (`<version base36>:<action>`): a tap on a keyboard from an earlier step is recognised as out
 * of date instead of being applied to whatever the resident is doing now. Global buttons
 * (`!…`: rate, open a message, reply, main menu, language) refer to things, not to a dialog
 * position, so they stay valid and are checked against the database instead.
 * Every id stays far below Telegram's 64-byte callback_data limit.
 */
export const MAX_BUTTON_ID_BYTES = 64;
const GLOBAL = '!';

export type GlobalAction =
  | { kind: 'menu'; item: MenuItem }
  | { kind: 'rate'; messageId: number; stars: number }
  | { kind: 'open'; messageId: number }
  | { kind: 'comment'; messageId: number }
  | { kind: 'language'; language: 'ru' | 'en' }
  /** Where notifications go: one messenger, or `last` (where the resident wrote last). */
  | { kind: 'notify'; channel: NotifyChoice }
  /** Announcements of a topic on (true) or off: the wanted state is in the id, so a double tap is harmless. */
  | { kind: 'topic'; topic: Topic; on: boolean };

export type NotifyChoice = 'tg' | 'vk' | 'last';
export type MenuItem = 'file' | 'my' | 'privacy' | 'language' | 'help' | 'menu' | 'link' | 'notify' | 'settings';
const MENU_ITEMS: readonly MenuItem[] = ['file', 'my', 'privacy', 'language', 'help', 'menu', 'link', 'notify', 'settings'];

export function globalButtonId(action: GlobalAction): string {
  switch (action.kind) {
    case 'menu':
      return `${GLOBAL}m:${action.item}`;
    case 'rate':
      return `${GLOBAL}r:${action.messageId}:${action.stars}`;
    case 'open':
      return `${GLOBAL}o:${action.messageId}`;
    case 'comment':
      return `${GLOBAL}c:${action.messageId}`;
    case 'language':
      return `${GLOBAL}l:${action.language}`;
    case 'notify':
      return `${GLOBAL}n:${action.channel}`;
    case 'topic':
      return `${GLOBAL}s:${action.topic}:${action.on ? 1 : 0}`;
  }
}

export function parseGlobal(data: string): GlobalAction | undefined {
  if (!data.startsWith(GLOBAL)) return undefined;
  const [tag, a, b] = data.slice(1).split(':');
  const id = Number(a);
  if (tag === 'm' && MENU_ITEMS.includes(a as MenuItem)) return { kind: 'menu', item: a as MenuItem };
  if (tag === 'l' && (a === 'ru' || a === 'en')) return { kind: 'language', language: a };
  if (tag === 'n' && (a === 'tg' || a === 'vk' || a === 'last')) return { kind: 'notify', channel: a };
  if (tag === 's' && isTopic(a) && (b === '1' || b === '0')) return { kind: 'topic', topic: a, on: b === '1' };
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  if (tag === 'o') return { kind: 'open', messageId: id };
  if (tag === 'c') return { kind: 'comment', messageId: id };
  const stars = Number(b);
  if (tag === 'r' && Number.isInteger(stars) && stars >= 1 && stars <= 5) return { kind: 'rate', messageId: id, stars };
  return undefined;
}

export function isGlobalId(id: string): boolean {
  return id.startsWith(GLOBAL);
}

/** Stamps a step's action with the step version. */
export function stampId(version: number, action: string): string {
  return `${version.toString(36)}:${action}`;
}

/** The action of a stamped id, or `stale` when it belongs to another step version (or is garbage). */
export function readStamped(data: string, currentVersion: number): { action: string } | 'stale' {
  const colon = data.indexOf(':');
  if (colon <= 0) return 'stale';
  const version = parseInt(data.slice(0, colon), 36);
  if (version !== currentVersion) return 'stale';
  return { action: data.slice(colon + 1) };
}

export function button(action: string, label: string, labelParams?: Record<string, unknown>): Button {
  return labelParams ? { id: action, label, labelParams } : { id: action, label };
}

export function literalButton(action: string, text: string): Button {
  return { id: action, text };
}

export function globalButton(action: GlobalAction, label: string, labelParams?: Record<string, unknown>): Button {
  return button(globalButtonId(action), label, labelParams);
}

export function literalGlobalButton(action: GlobalAction, text: string): Button {
  return literalButton(globalButtonId(action), text);
}

/** One row of 1..5 star buttons for a closed message: the same ids in notifications and cards. */
export function ratingRow(messageId: number): Button[] {
  return [1, 2, 3, 4, 5].map((stars) => globalButton({ kind: 'rate', messageId, stars }, 'my.stars', { stars }));
}
