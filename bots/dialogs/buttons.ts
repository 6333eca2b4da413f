import { ACTION_PREFIX, MAX_BUTTON_ID_BYTES } from '../../core/dialogs/action-id.ts';
import type { Button } from './view.ts';

/**
 * Button ids follow the one scheme of core/dialogs/action-id.ts. A step's button carries the
 * version of the dialog step that showed it (`<version base36>:<action>`): a tap on a keyboard
 * from an earlier step is recognised as out of date instead of being applied to whatever the
 * resident is doing now. Action buttons (`!<tag>:…`, declared by features: rate, open a message,
 * the main menu, an alert card) refer to things, not to a dialog position, so they stay valid and
 * are checked against the database instead.
 */
export { MAX_BUTTON_ID_BYTES };

/** The longest label that shows whole on a button in every messenger: VK cuts one at 40 characters (bots/vk/render.ts VK_LIMITS.label). */
export const LABEL_SHOWN_WHOLE = 40;

export function isActionButtonId(id: string): boolean {
  return id.startsWith(ACTION_PREFIX);
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
