import { ALLOWED_UPDATES } from '../bots/telegram/channel.ts';
import { loadConfig } from '../config.ts';
import { TELEGRAM_WEBHOOK_PATH } from '../http/webhooks/telegram.ts';
import { exitOnScriptFailure, unreachable } from '../startup-failure.ts';

/**
 * `npm run telegram:webhook`: registers PUBLIC_URL + /webhooks/telegram with Telegram, with the
 * secret Telegram will send back in X-Telegram-Bot-Api-Secret-Token and the updates the bot
 * handles. `npm run telegram:webhook -- delete` removes it (e.g. before polling locally).
 */
const config = exitOnScriptFailure(loadConfig);
const token = config.TELEGRAM_BOT_TOKEN;
const fail = (problem: string): never => {
  console.error(problem);
  process.exit(2);
};
if (!token) fail('TELEGRAM_BOT_TOKEN is not set');

async function call(method: string, params: Record<string, unknown>): Promise<unknown> {
  // An unreachable or wrong TELEGRAM_API_ROOT is one line naming it, not fetch's stack.
  const response = await fetch(`${config.TELEGRAM_API_ROOT}/bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  }).catch((error: Error) => fail(`${method} failed: cannot reach TELEGRAM_API_ROOT ${config.TELEGRAM_API_ROOT}: ${unreachable(error)}`));
  const body = (await response.json().catch(() => fail(`${method} failed: TELEGRAM_API_ROOT ${config.TELEGRAM_API_ROOT} answered ${response.status} without Bot API JSON`))) as {
    ok: boolean;
    result?: unknown;
    description?: string;
  };
  if (!body.ok) fail(`${method} failed: ${body.description ?? response.status}`);
  return body.result;
}

if (process.argv[2] === 'delete') {
  await call('deleteWebhook', { drop_pending_updates: false });
  console.log('webhook deleted');
} else {
  if (!config.PUBLIC_URL) fail('PUBLIC_URL is not set (the public https base URL of this app)');
  if (!config.TELEGRAM_WEBHOOK_SECRET) fail('TELEGRAM_WEBHOOK_SECRET is not set');
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(config.TELEGRAM_WEBHOOK_SECRET!)) fail('TELEGRAM_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and - (1-256 characters)');
  const url = new URL(TELEGRAM_WEBHOOK_PATH, config.PUBLIC_URL).toString();
  await call('setWebhook', { url, secret_token: config.TELEGRAM_WEBHOOK_SECRET, allowed_updates: ALLOWED_UPDATES, max_connections: 40 });
  console.log(`webhook set: ${url}`);
  console.log(await call('getWebhookInfo', {}));
}
