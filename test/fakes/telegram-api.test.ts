import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegramApi } from './telegram-api.ts';

let api: FakeTelegramApi;
beforeAll(async () => {
  api = await new FakeTelegramApi({ perChatPerSecond: 1 }).start();
});
afterAll(() => api.stop());

const send = (chatId: number, text: string) =>
  fetch(`${api.url}/botTOKEN/sendMessage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chat_id: chatId, text }) }).then((r) => r.json() as Promise<Record<string, unknown>>);

describe('FakeTelegramApi', () => {
  it('records sends and enforces the per-chat limit with 429 and retry_after', async () => {
    expect((await send(1, 'a')).ok).toBe(true);
    const second = await send(1, 'b');
    expect(second).toMatchObject({ ok: false, error_code: 429, parameters: { retry_after: 1 } });
    expect((await send(2, 'c')).ok).toBe(true);
    expect(api.textsTo(1)).toEqual(['a']);
    expect(api.count429).toBe(1);
  });

  it('answers 403 for a chat that blocked the bot and injected failures once', async () => {
    api.block(3);
    expect(await send(3, 'x')).toMatchObject({ ok: false, error_code: 403 });
    api.failNext({ status: 500, description: 'Internal Server Error' }, { chatId: 4 });
    expect(await send(4, 'y')).toMatchObject({ ok: false, error_code: 500 });
    await new Promise((r) => setTimeout(r, 1000));
    expect((await send(4, 'y')).ok).toBe(true);
  });
});
