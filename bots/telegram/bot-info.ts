import { Api, GrammyError, HttpError } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { ConfigError } from '../../startup-failure.ts';

/** How long the start waits for getMe's answer. */
export const GET_ME_TIMEOUT_SECONDS = 10;

/**
 * The bot's own account (getMe), asked once at start, before the database: a token the Bot API
 * refuses or an API root that cannot be reached stops the start with one line naming the variable
 * (a ConfigError). One attempt, bounded: grammY's `bot.init()` retries a network failure for ever,
 * so the process hung; the supervisor's restart is the retry. Never prints the token (node-fetch
 * puts it in its messages, as part of the URL).
 */
export async function fetchTelegramBotInfo(options: { token: string; apiRoot: string }): Promise<UserFromGetMe> {
  const { token, apiRoot } = options;
  const api = new Api(token, { apiRoot, timeoutSeconds: GET_ME_TIMEOUT_SECONDS });
  try {
    return await api.getMe();
  } catch (error) {
    throw new ConfigError(explainGetMeFailure(error, apiRoot).replaceAll(token, '<token>'));
  }
}

function explainGetMeFailure(error: unknown, apiRoot: string): string {
  if (error instanceof GrammyError) {
    const answer = `getMe: ${error.error_code} ${error.description}`;
    if (error.error_code === 401) return `TELEGRAM_BOT_TOKEN: the Bot API at ${apiRoot} refused the token (${answer}): check it with @BotFather`;
    // Telegram answers 404 to a token of the wrong shape; so does a wrong path in TELEGRAM_API_ROOT.
    if (error.error_code === 404) return `TELEGRAM_BOT_TOKEN, TELEGRAM_API_ROOT: the Bot API at ${apiRoot} does not know the token (${answer}): check the token with @BotFather, and TELEGRAM_API_ROOT`;
    return `TELEGRAM_API_ROOT: the Bot API at ${apiRoot} failed (${answer}): the bots cannot start without it; the next start tries again`;
  }
  if (error instanceof HttpError) {
    const cause = error.error instanceof Error ? error.error.message : String(error.error);
    const reason = /timed out/.test(cause) ? `no answer within ${GET_ME_TIMEOUT_SECONDS} s` : (/reason: (.*)$/.exec(cause)?.[1] ?? cause);
    return `TELEGRAM_API_ROOT: cannot reach the Bot API at ${apiRoot} (getMe: ${reason}): the bots cannot start without it; check the network or TELEGRAM_API_ROOT`;
  }
  throw error;
}
