import { hash, timingSafeEqual } from 'node:crypto';
import type { Hono } from 'hono';
import { UnrecordedUpdateError } from '../../core/inbound/unrecorded-update.ts';
import type { AppEnv } from '../app.ts';
import { limitBodySize } from '../body-limit.ts';

export const TELEGRAM_WEBHOOK_PATH = '/webhooks/telegram';
export const SECRET_HEADER = 'X-Telegram-Bot-Api-Secret-Token';

const digest = (s: string) => hash('sha256', s, 'buffer');

/**
 * Whether a given secret is `expected`, in constant time whatever the lengths: both sides are
 * hashed to 32 bytes first (the expected one once, when the route is mounted).
 */
export function secretMatcher(expected: string): (given: string | undefined) => boolean {
  const expectedDigest = digest(expected);
  return (given) => given !== undefined && timingSafeEqual(digest(given), expectedDigest);
}

export interface UpdateEnvelope {
  update_id: number;
}

function isUpdate(body: unknown): body is UpdateEnvelope {
  return typeof body === 'object' && body !== null && Number.isSafeInteger((body as { update_id?: unknown }).update_id);
}

/**
 * POST /webhooks/telegram: only Telegram knows the secret (set with setWebhook). The update is
 * handled, its replies committed to the outbox, before answering. The answer is 200 once the update is durably
 * recorded, even when handling failed (the failure is logged and the update recorded as poison,
 * so Telegram does not retry it for ever); 503 when it could not be recorded at all (database
 * down, no free connection, timeouts), so that Telegram delivers it again later. The 200's body
 * may be a Bot API call that needs no result (a button press's answer), which Telegram then makes.
 */
export function mountTelegramWebhook(app: Hono<AppEnv>, deps: { secret: string; handle: (update: UpdateEnvelope) => Promise<object | undefined> }): void {
  const secretMatches = secretMatcher(deps.secret);
  app.post(
    TELEGRAM_WEBHOOK_PATH,
    limitBodySize(1024 * 1024, (c) => c.json({ ok: false }, 413)),
    async (c) => {
      if (!secretMatches(c.req.header(SECRET_HEADER))) return c.json({ ok: false }, 403);
      const body: unknown = await c.req.json().catch(() => undefined);
      if (!isUpdate(body)) return c.json({ ok: false, error: 'not a Telegram update' }, 400);
      let call: object | undefined;
      try {
        call = await deps.handle(body);
      } catch (error) {
        // Logged by the pipeline; anything thrown here means "not recorded".
        if (error instanceof UnrecordedUpdateError) return c.json({ ok: false, error: 'try again later' }, 503);
        throw error;
      }
      // A Bot API call that needs no result (a button's answer) rides in the response: Telegram makes it.
      return c.json(call ?? { ok: true });
    },
  );
}
