import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapOperator } from '../../../core/access/bootstrap.ts';
import { createLogger } from '../../../logger.ts';
import { BOOTSTRAP_TOKEN, createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { createAdminApi } from '../api.ts';
import { createOverlapChecker } from '../../../core/geo/overlap-check.ts';

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

describe('bootstrap', () => {
  it('the first start created one operator whose key is exactly ADMIN_BOOTSTRAP_TOKEN', async () => {
    const me = await h.request('GET', '/api/v1/me', { token: BOOTSTRAP_TOKEN });
    expect(me.status).toBe(200);
    expect(me.body.staff).toMatchObject({ role: 'operator', municipalityId: null });
    const operators = await h.t.db.selectFrom('staff').select('id').where('role', '=', 'operator').execute();
    expect(operators).toHaveLength(1);
  });

  it('does nothing once an operator exists, and refuses a short token', async () => {
    expect(await bootstrapOperator(h.t.db, 'another-long-bootstrap-token-0123456789abc', h.now())).toBeNull();
    expect((await h.request('GET', '/api/v1/me', { token: 'another-long-bootstrap-token-0123456789abc' })).status).toBe(401);
    await expect(bootstrapOperator(h.t.db, 'short', h.now())).rejects.toMatchObject({ code: 'WEAK_BOOTSTRAP_TOKEN' });
  });
});

describe('request ids, errors and logs', () => {
  it('puts a request id on every response, success or problem, and honours a caller\'s id', async () => {
    const ok = await h.request('GET', '/api/v1/me', { headers: { 'x-request-id': 'console-42' } });
    expect(ok.headers.get('x-request-id')).toBe('console-42');
    const problem = await h.request('GET', '/api/v1/messages/999999');
    expect(problem.headers.get('x-request-id')).toMatch(/^[\w-]{36}$/);
    expect(problem.body.requestId).toBe(problem.headers.get('x-request-id'));
    expect(problem.body).toMatchObject({ status: 404, code: 'MESSAGE_NOT_FOUND', title: 'Not found' });
    expect(problem.body.type).toMatch(/message-not-found$/);
  });

  it('a known path with a method it does not take is 405 METHOD_NOT_ALLOWED naming the methods it takes (Allow), not "no such route"', async () => {
    const m = await h.fileMessage('Kemerovo');
    for (const [method, url, allow] of [
      ['DELETE', '/api/v1/messages', 'GET'],
      ['PUT', `/api/v1/messages/${m.id}`, 'GET'],
      ['GET', `/api/v1/messages/${m.id}/accept`, 'POST'],
      ['DELETE', `/api/v1/municipalities/${h.municipality.Kemerovo}`, 'GET, PATCH'],
    ] as const) {
      const res = await h.request(method, url, method === 'PUT' ? { body: {} } : {});
      expect([res.status, res.body.code], `${method} ${url}`).toEqual([405, 'METHOD_NOT_ALLOWED']);
      expect(res.headers.get('allow'), `${method} ${url}`).toBe(allow);
    }
    expect((await h.request('GET', `/api/v1/messages/${m.id}`)).body.message.status).toBe('new');
    // Without a key it is still 401 first; an unknown path still 404.
    expect((await h.request('DELETE', '/api/v1/messages', { token: null })).status).toBe(401);
    expect((await h.request('DELETE', '/api/v1/nothing-here')).body.code).toBe('ROUTE_NOT_FOUND');
  });

  it('answers unknown routes, malformed JSON, non-JSON bodies and oversized bodies as problems', async () => {
    const unknown = await h.request('GET', '/api/v1/nothing-here');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'ROUTE_NOT_FOUND']);
    const m = await h.fileMessage('Kemerovo');
    const url = `/api/v1/messages/${m.id}/reject`;
    const malformed = await h.request('POST', url, { rawBody: '{"reason": ', headers: { 'content-type': 'application/json' } });
    expect([malformed.status, malformed.body.code]).toEqual([400, 'VALIDATION']);
    const form = await h.request('POST', url, { rawBody: 'reason=spam', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect([form.status, form.body.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const missing = await h.request('POST', url);
    expect([missing.status, missing.body.code]).toEqual([400, 'VALIDATION']);
    const huge = await h.request('POST', url, { body: { reason: 'x'.repeat(70 * 1024) } });
    expect([huge.status, huge.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect((await h.request('GET', `/api/v1/messages/${m.id}`)).body.message.status).toBe('new');
  });

  it('logs one line per request with its id and route pattern, and no personal data', async () => {
    const m = await h.fileMessage('Kemerovo', { text: 'Соседка Мария Петровна +79001234567 жалуется' });
    h.logs.length = 0;
    const res = await h.request('GET', `/api/v1/messages?q=${encodeURIComponent('Мария')}`, { token: h.keys.Kemerovo.moderator });
    await h.request('POST', `/api/v1/messages/${m.id}/reject`, { token: h.keys.Kemerovo.moderator, body: { reason: 'Персональные данные Марии' } });
    const lines = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'api request');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ requestId: res.headers.get('x-request-id'), method: 'GET', route: '/api/v1/messages', status: 200, staffId: h.staff.Kemerovo.moderator });
    expect(lines[1]).toMatchObject({ route: '/api/v1/messages/:id/reject', status: 200 });
    const all = h.logs.join('\n');
    for (const secret of ['Мария', 'Марии', '79001234567', h.keys.Kemerovo.moderator]) expect(all).not.toContain(secret);
  });

  it('answers an unexpected failure with 500 INTERNAL and logs it with the request id', async () => {
    const logs: string[] = [];
    const sink = new Writable({
      write: (chunk, _e, done) => {
        logs.push(String(chunk));
        done();
      },
    });
    const logger = createLogger('info', sink);
    const app = new Hono();
    app.use('*', requestId());
    const failing = { fetch: async () => Promise.reject(new Error('disk on fire')) };
    app.route('/api/v1', createAdminApi({ db: h.t.db, clock: h.now, logger, photos: { tg: failing }, overlapChecker: createOverlapChecker({ timeoutMs: 20_000 }) }));
    const m = await h.fileMessage('Kemerovo', { photos: ['p1'] });
    const res = await app.request(`/api/v1/messages/${m.id}/photos/0`, { headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}` } });
    expect(res.status).toBe(500);
    const body = (await res.json()) as { code: string; requestId: string };
    expect(body.code).toBe('INTERNAL');
    expect(JSON.stringify(body)).not.toContain('disk on fire');
    const logged = logs.map((l) => JSON.parse(l) as { msg: string; requestId?: string; err?: { message: string } }).find((l) => l.msg === 'admin API request failed');
    expect(logged).toMatchObject({ requestId: body.requestId, err: { message: 'disk on fire' } });
  });

  it('answers 503 CHANNEL_DISABLED for a photo of a channel that is off', async () => {
    const app = new Hono();
    app.use('*', requestId());
    app.route('/api/v1', createAdminApi({ db: h.t.db, clock: h.now, logger: createLogger('silent'), photos: {}, overlapChecker: createOverlapChecker({ timeoutMs: 20_000 }) }));
    const m = await h.fileMessage('Kemerovo', { photos: ['p2'] });
    const res = await app.request(`/api/v1/messages/${m.id}/photos/0`, { headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}` } });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { code: string }).code).toBe('CHANNEL_DISABLED');
  });
});
