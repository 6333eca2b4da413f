import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_KINDS } from '../../../core/errors.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { DETAILS } from '../problem-detail.ts';

/** Issue 18, officials' gaps found by first real users (items 14–22), over the admin API. */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

describe('item 14: every problem has a human-readable detail', () => {
  it('gives every domain error code its own sentence', () => {
    const missing = Object.keys(ERROR_KINDS).filter((code) => !DETAILS[code]);
    expect(missing).toEqual([]);
  });

  it('answers a 409, a 404, a 403, a 401 and a 400 with a detail', async () => {
    const message = await h.fileMessage('Kemerovo');
    const accept = (body: unknown) => h.request('POST', `/api/v1/messages/${message.id}/accept`, { body });
    expect((await accept({ executorId: h.executors.Kemerovo.city })).status).toBe(200);
    const again = await accept({ executorId: h.executors.Kemerovo.city });
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/state/);
    const missing = await h.request('GET', '/api/v1/messages/999999');
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toMatch(/No message with this id/);
    const forbidden = await h.request('GET', '/api/v1/keys', { token: h.keys.Kemerovo.responsible });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.detail).toEqual(expect.any(String));
    const anonymous = await h.request('GET', '/api/v1/messages', { token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.detail).toMatch(/API key/);
    const invalid = await h.request('GET', '/api/v1/messages?limit=abc');
    expect(invalid.status).toBe(400);
    expect(invalid.body.detail).toMatch(/^The request is invalid: query\.limit/);
  });
});
