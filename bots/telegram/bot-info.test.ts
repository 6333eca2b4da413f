import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../startup-failure.ts';
import { FakeTelegramApi } from '../../test/fakes/telegram-api.ts';
import { fetchTelegramBotInfo } from './bot-info.ts';

const token = '7000000001:SECRET-token';
let api: FakeTelegramApi;
beforeAll(async () => {
  api = await new FakeTelegramApi().start();
});
afterAll(() => api.stop());

/** The line the start would print for getMe's answer. */
async function failure(): Promise<string> {
  const error = await fetchTelegramBotInfo({ token, apiRoot: api.url }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  const line = (error as Error).message;
  expect(line).not.toContain('SECRET-token');
  expect(line).not.toContain('\n');
  return line;
}

describe('getMe at start', () => {
  it("answers the bot's account", async () => {
    expect(await fetchTelegramBotInfo({ token, apiRoot: api.url })).toMatchObject({ username: 'otklik_test_bot', is_bot: true });
  });

  it('a token of the wrong shape (404) names the token and the API root; a failing Bot API (5xx) names the API root', async () => {
    api.failNext({ status: 404, description: 'Not Found' }, { method: 'getMe' });
    expect(await failure()).toBe(
      `TELEGRAM_BOT_TOKEN, TELEGRAM_API_ROOT: the Bot API at ${api.url} does not know the token (getMe: 404 Not Found): check the token with @BotFather, and TELEGRAM_API_ROOT`,
    );
    api.failNext({ status: 502, description: 'Bad Gateway' }, { method: 'getMe' });
    expect(await failure()).toMatch(new RegExp(`^TELEGRAM_API_ROOT: the Bot API at ${api.url} failed \\(getMe: 502 Bad Gateway\\)`));
  });
});
