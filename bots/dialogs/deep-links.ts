import { linkCodeFromStartPayload, STAFF_START_PREFIX } from '../../core/staff/link-codes.ts';
import type { StepContext } from './flow.ts';
import type { View } from './view.ts';

/**
 * `/start <payload>` handlers by payload prefix. Every payload is recorded (start_payload) before
 * a handler runs; a payload without a handler continues as a plain /start. Staff linking
 * registers `staff_` here (`/start staff_<code>`, bots/dialogs/official/link.ts) and answers
 * with its own views; the dialog position is left as it was.
 */
export type DeepLinkHandler = (c: StepContext, payload: string) => Promise<View[]>;
export type DeepLinks = ReadonlyMap<string, DeepLinkHandler>;

export const STAFF_LINK_PREFIX = STAFF_START_PREFIX;

export function findDeepLink(links: DeepLinks, payload: string): DeepLinkHandler | undefined {
  for (const [prefix, handler] of links) if (payload.startsWith(prefix)) return handler;
  return undefined;
}

/** What may be stored of a payload: a staff link code is a credential (only its hash is kept), so just its prefix. */
export function recordablePayload(payload: string): string {
  return linkCodeFromStartPayload(payload) !== null ? STAFF_LINK_PREFIX : payload;
}
