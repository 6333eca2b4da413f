import type { Hono } from 'hono';
import type { AppEnv } from '../app.ts';
import { limitBodySize } from '../body-limit.ts';
import type { Logger } from '../../logger.ts';
import { secretMatcher } from './telegram.ts';

export const VK_WEBHOOK_PATH = '/webhooks/vk';

/** A Callback API body as far as the route checks it; the channel reads the rest. */
export interface VkCallbackEvent {
  type: string;
  group_id: number;
  event_id?: string;
  secret?: string;
  object?: unknown;
}

export interface VkWebhookDeps {
  groupId: number;
  secret: string;
  confirmationCode: string;
  logger: Logger;
  /** Resolves once the event is handled and committed, or recorded as poison; throws if it could not be recorded. */
  handle: (event: VkCallbackEvent) => Promise<void>;
}

function isEvent(body: unknown): body is VkCallbackEvent {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const { type, group_id: groupId } = body as { type?: unknown; group_id?: unknown };
  return typeof type === 'string' && type.length > 0 && typeof groupId === 'number';
}

/**
 * POST /webhooks/vk, VK's Callback API. VK counts anything but the text "ok" as a failure and
 * re-sends the event, so "ok" is answered only once the event is durably recorded (handled and
 * committed, or recorded as poison); a database outage answers 500 and VK retries later. The
 * secret (set in the community's Callback API settings) is compared in constant time.
 */
export function mountVkWebhook(app: Hono<AppEnv>, deps: VkWebhookDeps): void {
  const log = deps.logger.child({ channel: 'vk', route: VK_WEBHOOK_PATH });
  const secretMatches = secretMatcher(deps.secret);
  app.post(
    VK_WEBHOOK_PATH,
    limitBodySize(1024 * 1024, (c) => c.text('body too large', 413)),
    async (c) => {
      const raw = await c.req.text();
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        return c.text('the body is not JSON', 400);
      }
      if (!isEvent(body)) return c.text('not a VK Callback API event: type and group_id are required', 400);
      if (body.group_id !== deps.groupId) {
        log.warn({ groupId: body.group_id }, 'event for another community refused');
        return c.text('unknown community', 403);
      }
      if (!secretMatches(typeof body.secret === 'string' ? body.secret : undefined)) return c.text('wrong secret', 403);
      if (body.type === 'confirmation') return c.text(deps.confirmationCode, 200);
      try {
        await deps.handle(body);
      } catch {
        // Already logged by the pipeline: not recorded, so let VK send it again.
        return c.text('try again later', 500);
      }
      return c.text('ok', 200);
    },
  );
}
