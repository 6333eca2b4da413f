import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PhotoFetchError } from '../../core/media/photo-fetcher.ts';
import { FakeTelegramApi } from '../../test/fakes/telegram-api.ts';
import { telegramPhotoFetcher } from './telegram-photo-fetcher.ts';

const TOKEN = '42:SECRET-token';
let api: FakeTelegramApi;
beforeAll(async () => {
  api = await new FakeTelegramApi().start();
});
afterAll(() => api.stop());

describe('telegramPhotoFetcher', () => {
  it('asks getFile for the path, then downloads the bytes from the file endpoint', async () => {
    const fetcher = telegramPhotoFetcher({ apiRoot: `${api.url}/`, token: TOKEN });
    const photo = await fetcher.fetch('AgACAgIAAxk');
    expect(new TextDecoder().decode(photo.bytes)).toBe('fake-bytes:photos/AgACAgIAAxk.jpg');
    expect(photo.contentType).toBe('image/jpeg');
    expect(api.callsOf('getFile')).toEqual([expect.objectContaining({ token: TOKEN, params: { file_id: 'AgACAgIAAxk' } })]);
  });

  it('fails with a PhotoFetchError that never carries the token', async () => {
    api.failNext({ status: 400, description: 'Bad Request: wrong file_id' }, { method: 'getFile' });
    const fetcher = telegramPhotoFetcher({ apiRoot: api.url, token: TOKEN });
    const error = await fetcher.fetch('bad').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PhotoFetchError);
    expect(JSON.stringify({ message: (error as Error).message, cause: (error as Error).cause })).not.toContain('SECRET');
    // Telegram refused this file id: asking again will not help (a copy of it is given up).
    expect((error as PhotoFetchError).permanent).toBe(true);
    api.failNext({ status: 502, description: 'Bad Gateway' }, { method: 'getFile' });
    const passing = await fetcher.fetch('later').catch((e: unknown) => e);
    expect(passing).toMatchObject({ name: 'PhotoFetchError', permanent: false });

    const unreachable = telegramPhotoFetcher({ apiRoot: 'http://127.0.0.1:9', token: TOKEN, timeoutMs: 2000 });
    const down = await unreachable.fetch('x').catch((e: unknown) => e);
    expect(down).toMatchObject({ name: 'PhotoFetchError', permanent: false });
    expect(String((down as Error).message) + String((down as Error).cause)).not.toContain('SECRET');
  });
});
