import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundUpdates } from '../../core/metrics/metrics.ts';
import { createApiHarness, type ApiHarness } from '../api-harness.ts';
import { pngBytes } from '../media/files.ts';
import { bodyBeingRead, postAndVanish, until } from '../vanishing-client.ts';

// A client of the admin API, of Open311 or of the console that closes its connection while its
// body is still arriving (a browser tab closed, a city app killed, a proxy that dropped the
// upstream): over a real socket, as only a socket can go away mid-body.
let h: ApiHarness;
let server: Server;
let target: Parameters<typeof postAndVanish>[0];
let integrationKey: string;
/** Requests the app is handling now. */
let handling = 0;

beforeAll(async () => {
  h = await createApiHarness();
  const counted = async (request: Request, env: unknown) => {
    handling += 1;
    try {
      return await h.app.http.fetch(request, env);
    } finally {
      handling -= 1;
    }
  };
  server = serve({ fetch: counted, port: 0, hostname: '127.0.0.1' }) as Server;
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  target = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, taken: bodyBeingRead(server) };
  const staff = await h.request('POST', '/api/v1/staff', { body: { fullName: 'Приложение «Мой город»', role: 'integration', municipalityId: h.municipality.Kemerovo } });
  integrationKey = (await h.request('POST', `/api/v1/staff/${staff.body.id}/keys`, { body: { label: 'open311' } })).body.token;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await h?.close();
});

const logged = (from: number) =>
  h.logs
    .slice(from)
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const count = async (table: 'executor' | 'media' | 'incident' | 'api_key' | 'api_idempotency' | 'console_sign_in_failure') =>
  Number(
    (
      await h.t.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

const clientAborted = async () => (await inboundUpdates.get()).values.filter((v) => v.labels.outcome === 'client_aborted').reduce((sum, v) => sum + v.value, 0);

/** A multipart/form-data body of text fields and perhaps a file in the field "file" (a browser's or curl's form). */
function multipart(fields: Record<string, string>, file?: Uint8Array): { body: Buffer; type: string } {
  const boundary = `----otklik${Math.random().toString(16).slice(2)}`;
  const parts = Object.entries(fields).map(([name, value]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  if (file) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="poster.png"\r\nContent-Type: image/png\r\n\r\n`), Buffer.from(file), Buffer.from('\r\n'));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

interface Case {
  name: string;
  path: string;
  /** Where this request would store something if it got through. */
  tables: Parameters<typeof count>[0][];
  /** The request: its body and headers (a fresh one each time, so a retry is the same request). */
  request(n: number): { body: string | Buffer; headers: Record<string, string> };
  /** The status of the same request sent whole. */
  served: number;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const cases: Case[] = [
  {
    name: 'an admin API JSON POST (text guard, schema)',
    path: '/api/v1/executors',
    tables: ['executor'],
    request: (n) => ({ body: JSON.stringify({ municipalityId: h.municipality.Kemerovo, name: `МУП «Ушедший» ${n}`, kind: 'organisation' }), headers: bearer(h.keys.Kemerovo.curator) }),
    served: 201,
  },
  {
    name: 'an admin API JSON POST with an Idempotency-Key',
    path: '/api/v1/executors',
    tables: ['executor', 'api_idempotency'],
    request: (n) => ({
      body: JSON.stringify({ municipalityId: h.municipality.Kemerovo, name: `МУП «Ушедший с ключом» ${n}`, kind: 'organisation' }),
      headers: { ...bearer(h.keys.Kemerovo.curator), 'Idempotency-Key': `gone-json-${n}` },
    }),
    served: 201,
  },
  {
    name: 'a media upload (multipart)',
    path: '/api/v1/media',
    tables: ['media'],
    request: (n) => {
      const form = multipart({}, pngBytes(4096 + (n % 1000)));
      return { body: form.body, headers: { ...bearer(h.keys.Kemerovo.curator), 'Content-Type': form.type } };
    },
    served: 201,
  },
  {
    name: 'a media upload (multipart) with an Idempotency-Key',
    path: '/api/v1/media',
    tables: ['media', 'api_idempotency'],
    request: (n) => {
      const form = multipart({}, pngBytes(4096 + (n % 1000)));
      return { body: form.body, headers: { ...bearer(h.keys.Kemerovo.curator), 'Content-Type': form.type, 'Idempotency-Key': `gone-media-${n}` } };
    },
    served: 201,
  },
  {
    name: 'an Open311 POST (form)',
    path: '/open311/v2/requests.json',
    tables: ['incident'],
    request: (n) => ({
      body: new URLSearchParams({ api_key: integrationKey, service_code: 'roads.pothole', description: `Яма №${n}`, lat: '55.3547', long: '86.0873' }).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    }),
    served: 201,
  },
  {
    name: 'an Open311 POST (JSON)',
    path: '/open311/v2/requests.json',
    tables: ['incident'],
    request: (n) => ({ body: JSON.stringify({ api_key: integrationKey, service_code: 'roads.pothole', description: `Яма №${n}`, lat: 55.3547, long: 86.0873 }), headers: {} }),
    served: 201,
  },
  {
    name: 'an Open311 POST (multipart form)',
    path: '/open311/v2/requests.json',
    tables: ['incident'],
    request: (n) => {
      const form = multipart({ api_key: integrationKey, service_code: 'roads.pothole', description: `Яма №${n}`, lat: '55.3547', long: '86.0873' });
      return { body: form.body, headers: { 'Content-Type': form.type } };
    },
    served: 201,
  },
  {
    name: 'a console sign-in',
    path: '/console/session',
    tables: ['api_key', 'console_sign_in_failure'],
    request: () => ({ body: JSON.stringify({ apiKey: h.keys.Kemerovo.moderator }), headers: {} }),
    served: 200,
  },
];

describe('a client that closes the connection before its request body is all sent', () => {
  for (const { name, path, tables, request, served } of cases) {
    for (const framing of ['length', 'chunked'] as const) {
      it(`${name}, body sent with ${framing === 'length' ? 'a Content-Length' : 'chunked encoding'}: one warning line without a stack, nothing stored, the next request served`, async () => {
        const n = Math.floor(Math.random() * 1_000_000);
        const { body, headers } = request(n);
        // Most of the body arrives, then the client is gone.
        const sent = typeof body === 'string' ? body : body.subarray(0, body.length - 16);
        const rows = async () => Promise.all(tables.map(count));
        const rowsBefore = await rows();
        const abortedBefore = await clientAborted();
        const seen = h.logs.length;

        await postAndVanish(target, path, sent, framing, headers);
        await until('the app to finish the request', () => handling === 0);

        const lines = logged(seen);
        const warnings = lines.filter((l) => Number(l.level) >= 40);
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatchObject({ level: 40, msg: 'the client closed the connection before its request body arrived', path, cause: 'aborted' });
        expect(warnings[0]).not.toHaveProperty('err');
        expect(JSON.stringify(lines)).not.toContain('    at ');
        // The admin API's request line says what became of it.
        if (path.startsWith('/api/')) expect(lines.filter((l) => l.msg === 'api request')).toMatchObject([{ level: 30, status: 499 }]);
        expect(await rows()).toEqual(rowsBefore);
        // The webhooks' counter counts webhooks only.
        expect(await clientAborted()).toBe(abortedBefore);

        // The same request sent whole (the client's retry) is served as usual.
        const again = request(n);
        const response = await fetch(`${target.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...again.headers }, body: again.body });
        expect(response.status, await response.clone().text()).toBe(served);
        expect(await count(tables[0]!)).toBeGreaterThan(rowsBefore[0]!);
      });
    }
  }
});
