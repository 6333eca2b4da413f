import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestFingerprint } from '../../../core/access/idempotency.ts';
import { hashToken } from '../../../core/access/tokens.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { jpegBytes } from '../../../test/media/files.ts';

/**
 * `Idempotency-Key` on POST: an integrator that lost an answer sends the request again and gets the
 * first answer back instead of a second mailing, action or item; a key reused for another request,
 * one still running, a malformed key; and keys never cross API keys.
 */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

const broadcasts = async () =>
  Number(
    (
      await h.t.db
        .selectFrom('broadcast')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const auditOf = (action: string) => h.t.db.selectFrom('audit_log').select('id').where('action', '=', action).execute();
const mailing = (key: string, text = 'Отключение воды 5 декабря', token = h.keys.Kemerovo.curator) =>
  h.request('POST', '/api/v1/broadcasts', { token, headers: { 'idempotency-key': key }, body: { municipalityId: h.municipality.Kemerovo, topic: 'news', text } });

describe('a request sent again with the same key', () => {
  it('creates one mailing: the repeat gets the first answer back, marked Idempotent-Replayed, and writes nothing', async () => {
    const before = await broadcasts();
    const first = await mailing('mailing-2026-12-05');
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const audit = await auditOf('broadcast.create');
    const again = await mailing('mailing-2026-12-05');
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(again.body).toEqual(first.body);
    expect(await broadcasts()).toBe(before + 1);
    expect(await auditOf('broadcast.create')).toEqual(audit);
    // Without a key every POST runs: a second mailing.
    const plain = await h.request('POST', '/api/v1/broadcasts', {
      token: h.keys.Kemerovo.curator,
      body: { municipalityId: h.municipality.Kemerovo, topic: 'news', text: 'Отключение воды 5 декабря' },
    });
    expect(plain.status).toBe(201);
    expect(await broadcasts()).toBe(before + 2);
  });

  it('accepting a message twice answers the acceptance (with its ETag) twice, not 409 the second time', async () => {
    const m = await h.fileMessage('Kemerovo');
    const accept = () => h.request('POST', `/api/v1/messages/${m.id}/accept`, { token: h.keys.Kemerovo.moderator, headers: { 'idempotency-key': `accept-${m.id}` }, body: {} });
    const first = await accept();
    expect(first.status).toBe(200);
    const again = await accept();
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(await auditOf('message.accept')).toHaveLength(1);
  });

  it('a refusal is answered the same way again; a day later the key is free', async () => {
    const m = await h.fileMessage('Kemerovo');
    const reject = () => h.request('POST', `/api/v1/messages/${m.id}/reject`, { token: h.keys.Kemerovo.moderator, headers: { 'idempotency-key': 'reject-once' }, body: { reason: '' } });
    const refused = await reject();
    expect(refused.status).toBe(400);
    const again = await reject();
    expect(again.status).toBe(400);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.code).toBe(refused.body.code);
    h.advance(25 * 60 * 60 * 1000);
    const later = await reject();
    expect(later.headers.get('idempotent-replayed')).toBeNull();
  });
});

describe('keys that cannot be used', () => {
  it('the same key with another body is 422 IDEMPOTENCY_KEY_REUSED and sends nothing', async () => {
    expect((await mailing('reused-key')).status).toBe(201);
    const before = await broadcasts();
    const other = await mailing('reused-key', 'Другой текст');
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await broadcasts()).toBe(before);
  });

  it('a repeat while the first request still runs is 409 IDEMPOTENCY_KEY_IN_USE', async () => {
    const key = await h.t.db.selectFrom('api_key').select('id').where('token_hash', '=', hashToken(h.keys.Kemerovo.curator)).executeTakeFirstOrThrow();
    const body = JSON.stringify({ municipalityId: h.municipality.Kemerovo, topic: 'news', text: 'Отключение воды 5 декабря' });
    await h.t.db
      .insertInto('api_idempotency')
      .values({ api_key_id: key.id, key: 'running', fingerprint: requestFingerprint('POST', '/api/v1/broadcasts', body), created_at: h.now() })
      .execute();
    const before = await broadcasts();
    const res = await mailing('running');
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
    expect(await broadcasts()).toBe(before);
    // A claim left unanswered for 5 minutes belongs to a process that stopped: the repeat runs.
    h.advance(6 * 60 * 1000);
    expect((await mailing('running')).status).toBe(201);
    expect(await broadcasts()).toBe(before + 1);
  });

  it.each([['with a space'], ['x'.repeat(256)]])('a malformed key (%s) is 400 naming the header, and nothing runs', async (key) => {
    const before = await broadcasts();
    const res = await h.request('POST', '/api/v1/broadcasts', {
      token: h.keys.Kemerovo.curator,
      headers: { 'idempotency-key': key },
      body: { municipalityId: h.municipality.Kemerovo, topic: 'news', text: 'x' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ in: 'header', path: 'Idempotency-Key' })]);
    expect(await broadcasts()).toBe(before);
  });
});

describe('keys belong to the API key that sent them', () => {
  it("another official's request with the same key runs on its own and never gets the first one's answer", async () => {
    const first = await mailing('shared-key');
    expect(first.status).toBe(201);
    const belovo = await h.request('POST', '/api/v1/broadcasts', {
      token: h.keys.Belovo.curator,
      headers: { 'idempotency-key': 'shared-key' },
      body: { municipalityId: h.municipality.Kemerovo, topic: 'news', text: 'Отключение воды 5 декабря' },
    });
    expect(belovo.status).toBe(404);
    expect(belovo.body.code).toBe('MUNICIPALITY_NOT_FOUND');
    expect(belovo.headers.get('idempotent-replayed')).toBeNull();
    const own = await mailing('shared-key', 'Отключение воды 5 декабря', h.keys.Kemerovo.moderator);
    expect(own.status).toBe(403);
  });
});

describe('bodies the route refuses', () => {
  it('malformed JSON with a key is the same 400 as without one', async () => {
    const res = await h.request('POST', '/api/v1/broadcasts', {
      token: h.keys.Kemerovo.curator,
      headers: { 'idempotency-key': 'broken-json', 'content-type': 'application/json' },
      rawBody: '{"municipalityId": 1,',
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION');
  });
});

describe('multipart uploads (POST /media)', () => {
  // Each FormData gets its own boundary, as a client's retry would.
  const upload = (key: string, bytes = jpegBytes(), fields: Record<string, string> = {}) => {
    const form = new FormData();
    form.append('file', new Blob([bytes.slice().buffer], { type: 'image/jpeg' }), 'poster.jpg');
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    return h.request('POST', '/api/v1/media', { form, token: h.keys.Kemerovo.curator, headers: { 'idempotency-key': key } });
  };

  it('an upload sent again with the same key gets the first answer back and writes no second audit entry', async () => {
    const audit = (await auditOf('media.upload')).length;
    const first = await upload('poster-upload-1');
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await upload('poster-upload-1');
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await auditOf('media.upload')).toHaveLength(audit + 1);
  });

  it('the same key with another file or another field is 422 IDEMPOTENCY_KEY_REUSED and stores nothing', async () => {
    expect((await upload('poster-upload-2')).status).toBe(201);
    const media = async () =>
      Number(
        (
          await h.t.db
            .selectFrom('media')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await media();
    const otherFile = await upload('poster-upload-2', jpegBytes(320, 7));
    expect(otherFile.status).toBe(422);
    expect(otherFile.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const otherField = await upload('poster-upload-2', jpegBytes(), { municipalityId: String(h.municipality.Kemerovo) });
    expect(otherField.status).toBe(422);
    expect(await media()).toBe(before);
  });

  it('a refused upload is answered the same way again; a malformed key is 400 before anything is read', async () => {
    const form = new FormData();
    form.append('note', 'no file');
    const send = () => h.request('POST', '/api/v1/media', { form, token: h.keys.Kemerovo.curator, headers: { 'idempotency-key': 'no-file' } });
    const refused = await send();
    expect(refused.status).toBe(400);
    const again = await send();
    expect(again.status).toBe(400);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const bad = await upload('with a space');
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ in: 'header', path: 'Idempotency-Key' })]);
  });
});
