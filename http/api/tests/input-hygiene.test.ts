import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../logger.ts';
import { createAdminApi, OPENAPI_PATH } from '../api.ts';
import { createOverlapChecker } from '../../../core/geo/overlap-check.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { buildFixture, footprint, ROUTE_CASES, type Fixture, type RouteCase } from './route-catalogue.ts';

/**
 * Text PostgreSQL cannot store (NUL, lone UTF-16 surrogates) and ids written any other way than
 * plain decimal digits, tried on every route of the catalogue and every field the OpenAPI document
 * lists: the fields are found in the document, so a new route or field is covered without a
 * change here.
 */
let h: ApiHarness;
let f: Fixture;
type Schema = { type?: string; $ref?: string; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[] };
type Parameter = { name: string; in: 'path' | 'query'; schema: Schema };
type Operation = { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> } };
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };
// The document is needed to list the cases, before any database exists: it is public and static.
const doc = (await (
  await createAdminApi({ db: null as never, clock: () => new Date(), logger: createLogger('silent'), photos: {}, overlapChecker: createOverlapChecker({ timeoutMs: 20_000 }) }).request(OPENAPI_PATH)
).json()) as Document;

beforeAll(async () => {
  h = await createApiHarness();
  f = await buildFixture(h);
});
afterAll(() => h.close());

const label = (r: RouteCase) => `${r.method.toUpperCase()} ${r.path}`;
const operation = (r: RouteCase): Operation => doc.paths[r.path]![r.method]!;
const resolve = (schema: Schema): Schema => (schema.$ref ? resolve(doc.components.schemas[schema.$ref.split('/').pop()!]!) : schema);

/** Dotted paths of every string in a body schema (array items as `.0`), each variant of a union included. */
function stringFields(schema: Schema, path: string[] = []): string[] {
  const s = resolve(schema);
  const variants = [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])];
  if (variants.length > 0) return [...new Set(variants.flatMap((v) => stringFields(v, path)))];
  if (s.type === 'string') return [path.join('.')];
  if (s.type === 'array' && s.items) return stringFields(s.items, [...path, '0']);
  return Object.entries(s.properties ?? {}).flatMap(([name, child]) => stringFields(child, [...path, name]));
}

/** The body with `value` placed at a dotted path (made where missing: the check comes before the schema's). */
function withValueAt(body: Record<string, unknown>, path: string, value: string): Record<string, unknown> {
  const copy = structuredClone(body);
  const keys = path.split('.');
  let node: Record<string, unknown> = copy;
  for (const [i, key] of keys.slice(0, -1).entries()) {
    const next = node[key];
    node[key] = typeof next === 'object' && next !== null ? next : /^\d+$/.test(keys[i + 1]!) ? [] : {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
  return copy;
}

/** The catalogue's URL with one query parameter set to a raw (already encoded) value. */
function withQuery(url: string, name: string, raw: string): string {
  const [path, search = ''] = url.split('?') as [string, string?];
  const pairs = search.split('&').filter((p) => p !== '' && p.split('=')[0] !== name);
  return `${path}?${[...pairs, `${name}=${raw}`].join('&')}`;
}

/** The catalogue's URL with the path parameter `name` replaced by a raw value. */
function withPathParam(r: RouteCase, name: string, raw: string): string {
  const [path, search] = r.url(f).split('?') as [string, string?];
  const segments = path.replace(/^\/api\/v1/, '').split('/');
  const template = r.path.split('/');
  expect(segments.length).toBe(template.length);
  const replaced = template.map((part, i) => (part === `{${name}}` ? raw : segments[i]));
  return `/api/v1${replaced.join('/')}${search ? `?${search}` : ''}`;
}

const BAD_TEXT = [
  { what: 'NUL', value: 'a\u0000b', message: /NUL/ },
  { what: 'a lone high surrogate', value: 'a\ud800b', message: /surrogate/ },
  { what: 'a lone low surrogate', value: '\udc00', message: /surrogate/ },
];

function expectValidation(res: { status: number; body: { code: string; errors?: { in: string; path: string; message: string }[] } }, where: string, field: string, message?: RegExp) {
  expect(res.status, where).toBe(400);
  expect(res.body.code, where).toBe('VALIDATION');
  const error = res.body.errors?.find((e) => e.path === field);
  expect(error, `${where}: ${JSON.stringify(res.body.errors)}`).toBeDefined();
  if (message) expect(error!.message, where).toMatch(message);
}

describe('NUL and lone surrogates: 400 VALIDATION naming the field, nothing written', () => {
  const withBody = ROUTE_CASES.filter((r) => r.body);
  it.each(withBody.map((r) => [label(r), r] as const))('%s: every string field of the JSON body', async (_, r) => {
    const schema = operation(r).requestBody?.content['application/json']?.schema;
    expect(schema).toBeDefined();
    const fields = stringFields(schema!);
    const before = await footprint(h);
    for (const field of fields) {
      for (const bad of BAD_TEXT) {
        const res = await h.request(r.method.toUpperCase(), r.url(f), { body: withValueAt(r.body!(f), field, bad.value) });
        expectValidation(res, `${field} with ${bad.what}`, field, bad.message);
      }
    }
    expect(await footprint(h)).toEqual(before);
  });

  it('covers at least the text fields the issue named (reject reason, comment text) and finds string fields in most bodies', () => {
    const byRoute = Object.fromEntries(withBody.map((r) => [label(r), stringFields(operation(r).requestBody!.content['application/json']!.schema)]));
    expect(byRoute['POST /messages/{id}/reject']).toContain('reason');
    expect(byRoute['POST /messages/{id}/comments']).toContain('text');
    expect(byRoute['POST /answers/{id}/return']).toContain('remark');
    expect(Object.values(byRoute).filter((fields) => fields.length > 0).length).toBeGreaterThanOrEqual(15);
  });

  const withQueryParams = ROUTE_CASES.filter((r) => r.method === 'get');
  it.each(withQueryParams.map((r) => [label(r), r] as const))('%s: every query parameter', async (_, r) => {
    const names = (operation(r).parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    for (const name of names) {
      const nul = await h.request('GET', withQuery(r.url(f), name, 'a%00b'));
      expectValidation(nul, `${name}=a%00b`, name, /NUL/);
      // A lone surrogate cannot be written in UTF-8: its would-be encoding is refused as such.
      const surrogate = await h.request('GET', withQuery(r.url(f), name, 'a%ED%A0%80b'));
      expectValidation(surrogate, `${name}=a%ED%A0%80b`, name, /UTF-8/);
    }
  });

  it('the cases that answered 500 before: q=a%00b, action=%00, a reason and a comment with NUL', async () => {
    expectValidation(await h.request('GET', '/api/v1/messages?q=a%00b'), 'messages q', 'q');
    expectValidation(await h.request('GET', '/api/v1/audit?action=%00'), 'audit action', 'action');
    expectValidation(await h.request('POST', `/api/v1/messages/${f.newMessage}/reject`, { body: { reason: 'a\u0000b' } }), 'reject reason', 'reason');
    expectValidation(await h.request('POST', `/api/v1/messages/${f.newMessage}/comments`, { body: { text: 'a\u0000b' } }), 'comment text', 'text');
    // A key with a NUL is text too (mass assignment is refused anyway, but not with a 500).
    expectValidation(await h.request('POST', `/api/v1/messages/${f.newMessage}/reject`, { rawBody: '{"reason":"x","\\u0000":1}', headers: { 'content-type': 'application/json' } }), 'key', '\u0000');
    // Clean text still works.
    const ok = await h.request('GET', '/api/v1/messages?q=%D1%8F%D0%BC%D0%B0');
    expect(ok.status).toBe(200);
  });

  const withCursor = ROUTE_CASES.filter((r) => r.method === 'get' && (operation(r).parameters ?? []).some((p) => p.in === 'query' && p.name === 'cursor'));
  it.each(withCursor.map((r) => [label(r), r] as const))('%s: a forged cursor whose id is out of range is 400 INVALID_CURSOR, not 500', async (_, r) => {
    for (const position of [
      { v: null, id: 2 ** 31 },
      { v: '2026-12-01T00:00:00.000Z', id: 99_999_999_999 },
      { v: null, id: -1 },
      // A JS date PostgreSQL's timestamptz cannot hold (the messages list sorts by a time; others ignore v).
      ...(r.path === '/messages' ? [{ v: '-271821-04-20T00:00:00.000Z', id: 1 }] : []),
    ]) {
      const cursor = Buffer.from(JSON.stringify(position)).toString('base64url');
      const res = await h.request('GET', withQuery(r.url(f), 'cursor', cursor));
      expect(res.status, JSON.stringify(position)).toBe(400);
      expect(res.body.code).toBe('INVALID_CURSOR');
    }
  });

  it('a body nested thousands of levels deep gets a 400, not a stack overflow (500); a NUL at the bottom is still found', async () => {
    const url = `/api/v1/messages/${f.newMessage}/reject`;
    const deep = (leaf: string) => `{"reason":"x","a":${'['.repeat(30_000)}${leaf}${']'.repeat(30_000)}}`;
    const before = await footprint(h);
    const unknownKey = await h.request('POST', url, { rawBody: deep(''), headers: { 'content-type': 'application/json' } });
    expectValidation(unknownKey, 'deep body', '', /Unrecognized key/);
    const nul = await h.request('POST', url, { rawBody: deep('"\\u0000"'), headers: { 'content-type': 'application/json' } });
    expectValidation(nul, 'deep NUL', `a${'.0'.repeat(30_000)}`, /NUL/);
    expect(await footprint(h)).toEqual(before);
  });

  it('no route takes free text in its path: every path parameter is a whole number or an enum (so its schema refuses NUL)', () => {
    for (const r of ROUTE_CASES) {
      for (const p of (operation(r).parameters ?? []).filter((x) => x.in === 'path')) {
        const schema = resolve(p.schema) as Schema & { enum?: unknown[] };
        expect(schema.type === 'integer' || Array.isArray(schema.enum), `${label(r)} {${p.name}}`).toBe(true);
      }
    }
  });
});

describe('ids and other whole numbers in paths and queries: decimal digits within range, or 400 VALIDATION', () => {
  // "01" is refused too: one resource, one URL (README, "Admin API").
  const MALFORMED = ['1e2', '0x10', '1%20', '%201', '01', '-1', '+1', '1.0', '9999999999', '2147483648', 'abc', '1%00'];
  const integerParams = (r: RouteCase, where: 'path' | 'query') => (operation(r).parameters ?? []).filter((p) => p.in === where && resolve(p.schema).type === 'integer');

  it('every integer parameter of the document is an id, an index or a page size, and ids share one schema', () => {
    const all = ROUTE_CASES.flatMap((r) => [...integerParams(r, 'path'), ...integerParams(r, 'query')]);
    expect(all.length).toBeGreaterThanOrEqual(30);
    for (const p of all.filter((x) => x.name === 'id' || x.name.endsWith('Id'))) expect(resolve(p.schema), p.name).toMatchObject({ type: 'integer', minimum: 1, maximum: 2_147_483_647 });
  });

  const withPath = ROUTE_CASES.filter((r) => r.path.includes('{'));
  it.each(withPath.map((r) => [label(r), r] as const))('%s: path', async (_, r) => {
    const params = integerParams(r, 'path');
    expect(params.length).toBeGreaterThan(0);
    const before = await footprint(h);
    for (const p of params) {
      for (const raw of MALFORMED) {
        const res = await h.request(r.method.toUpperCase(), withPathParam(r, p.name, raw), { body: r.body?.(f) });
        expectValidation(res, `${p.name}=${raw}`, p.name);
      }
    }
    expect(await footprint(h)).toEqual(before);
  });

  const withQueryInts = ROUTE_CASES.filter((r) => integerParams(r, 'query').length > 0);
  it.each(withQueryInts.map((r) => [label(r), r] as const))('%s: query', async (_, r) => {
    for (const p of integerParams(r, 'query')) {
      for (const raw of [...MALFORMED, '']) {
        const res = await h.request('GET', withQuery(r.url(f), p.name, raw));
        expectValidation(res, `${p.name}=${raw}`, p.name);
      }
    }
  });

  it('every whole number of a JSON body has a maximum, so an id past 2^31-1 is a 400 and never reaches an int column (a 500)', () => {
    const unbounded = (schema: Schema, path: string[] = []): string[] => {
      const s = resolve(schema) as Schema & { type?: string | string[]; maximum?: number; exclusiveMaximum?: number };
      const variants = [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])].flatMap((v) => unbounded(v, path));
      const types = Array.isArray(s.type) ? s.type : [s.type];
      const own = types.includes('integer') && s.maximum === undefined && s.exclusiveMaximum === undefined ? [path.join('.')] : [];
      const items = s.items ? unbounded(s.items, [...path, '0']) : [];
      return [...own, ...variants, ...items, ...Object.entries(s.properties ?? {}).flatMap(([name, child]) => unbounded(child, [...path, name]))];
    };
    const found = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) => {
        const schema = op.requestBody?.content['application/json']?.schema;
        return schema ? [...new Set(unbounded(schema))].map((field) => `${method.toUpperCase()} ${path} ${field}`) : [];
      }),
    );
    expect(found).toEqual([]);
  });

  it('plain decimal ids still work, up to 2^31-1 (a missing one is 404)', async () => {
    expect((await h.request('GET', `/api/v1/messages/${f.newMessage}`)).status).toBe(200);
    expect((await h.request('GET', '/api/v1/messages/2147483647')).status).toBe(404);
    expect((await h.request('GET', `/api/v1/messages?municipalityId=${f.municipality}&limit=5`)).status).toBe(200);
  });
});
