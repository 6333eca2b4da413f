import type { StepContext } from './flow.ts';
import type { View } from './view.ts';

/**
 * `/start <payload>` handlers by payload prefix. Every payload is recorded (start_payload) before
 * a handler runs; a payload without a handler continues as a plain /start. The hook for staff
 * linking: the alerts issue registers `staff_` here (e.g. `/start staff_<code>`) and answers with
 * its own views; the dialog position is left as it was.
 */
export type DeepLinkHandler = (c: StepContext, payload: string) => Promise<View[]>;
export type DeepLinks = ReadonlyMap<string, DeepLinkHandler>;

export const STAFF_LINK_PREFIX = 'staff_';

export function findDeepLink(links: DeepLinks, payload: string): DeepLinkHandler | undefined {
  for (const [prefix, handler] of links) if (payload.startsWith(prefix)) return handler;
  return undefined;
}
