import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness, type Reply } from '../../../test/api-harness.ts';
import { buildFixture, ROUTE_CASES, type Fixture, type RouteCase } from './route-catalogue.ts';

/**
 * What every catalogue route answers on its happy path, checked against what the OpenAPI document
 * promises integrators (their generated clients trust it): a JSON 2xx body against the schema of
 * that status, a problem (4xx/5xx) against the documented problem schema, anything else by its
 * content type. Every object of the document is taken as closed. Reads run first, then writes in
 * catalogue order, then the reads again, on one fixture; a write that did not get a 2xx is tried
 * again on a fresh one, and the routes that still do not are listed in NO_HAPPY_CASE.
 */
let h: ApiHarness;
let f: Fixture;
type Media = { schema?: unknown };
type Operation = { responses: Record<string, { content?: Record<string, Media> }> };
type Document = { paths: Record<string, Record<string, Operation>> };
let doc: Document;
const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
addFormats.default(ajv);

beforeAll(async () => {
  h = await createApiHarness();
  f = await buildFixture(h);
  doc = (await h.request('GET', '/api/v1/openapi.json', { token: null })).body;
  ajv.addSchema(closed(doc) as object, 'openapi.json');
});
afterAll(() => h.close());

type Node = Record<string, unknown>;
const OPEN = '__open';

/**
 * The document with every object it describes closed: a field an answer has and the document does
 * not list is a mismatch too (a generated client drops it silently). unevaluatedProperties sees
 * through allOf, whose branches stay open (a component used as a branch through its open twin).
 */
function closed(document: Document): Node {
  const close = (node: unknown, open = false): unknown => {
    if (Array.isArray(node)) return node.map((n) => close(n));
    if (typeof node !== 'object' || node === null) return node;
    const n = node as Node;
    const out: Node = {};
    for (const [k, v] of Object.entries(n)) {
      if (k === 'allOf') out[k] = (v as Node[]).map((b) => (typeof b.$ref === 'string' ? { ...b, $ref: `${b.$ref}${OPEN}` } : close(b, true)));
      else out[k] = close(v);
    }
    const isObject = n.type === 'object' || (Array.isArray(n.type) && n.type.includes('object'));
    if (!open && ((isObject && n.properties && n.additionalProperties === undefined) || n.allOf)) out.unevaluatedProperties = false;
    return out;
  };
  const result = close(document) as { components: { schemas: Node } };
  const schemas = (document as unknown as { components: { schemas: Node } }).components.schemas;
  for (const [name, schema] of Object.entries(schemas)) result.components.schemas[`${name}${OPEN}`] = close(schema, true);
  return result;
}

const label = (r: RouteCase) => `${r.method.toUpperCase()} ${r.path}`;
const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
const validators = new Map<string, ValidateFunction>();

/** The validator of the schema at a JSON pointer into the document ($refs resolve against the whole document). */
function validatorAt(path: string): ValidateFunction {
  let v = validators.get(path);
  if (!v) {
    v = ajv.compile({ $ref: `openapi.json#/${path}` });
    validators.set(path, v);
  }
  return v;
}

const errorList = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.keyword === 'unevaluatedProperties' ? `: ${(e.params as { unevaluatedProperty: string }).unevaluatedProperty}` : ''}`).join('; ');

/** What is wrong with one answer compared with the document, or null. */
function mismatch(r: RouteCase, res: Reply): string | null {
  const documented = doc.paths[r.path]![r.method]!.responses[String(res.status)];
  if (!documented) return `status ${res.status} is not documented (${res.text.slice(0, 200)})`;
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const content = documented.content ?? {};
  if (res.status === 204 || (res.status >= 300 && res.status < 400)) {
    if (res.status === 204 && res.text !== '') return 'a 204 with a body';
    if (res.status !== 204 && !res.headers.get('location')) return `a ${res.status} without Location`;
    return null;
  }
  const key = Object.keys(content).find((k) => k === type || (k.endsWith('/*') && type.startsWith(k.slice(0, -1))));
  if (!key) return `content type ${type || '(none)'} is not documented (documented: ${Object.keys(content).join(', ') || 'none'})`;
  if (!type.endsWith('json')) return res.text === '' ? 'an empty body' : null;
  const validate = validatorAt(pointer('paths', r.path, r.method, 'responses', String(res.status), 'content', key, 'schema'));
  return validate(res.body) ? null : errorList(validate.errors);
}

/**
 * Routes the catalogue has no happy case for, even on a fresh fixture: their problem answers are
 * checked, their 2xx bodies are not. Each needs a case of its own (a state the fixture lacks).
 */
const NO_HAPPY_CASE = [
  'POST /messages/{id}/reopen', // needs a closed message
  'POST /messages/{id}/duplicate', // the catalogue rejects the message first; the original must be past "new"
  'POST /media', // multipart: the catalogue sends no file
  'POST /messages/{id}/published-reply', // needs an open-source message answered by hand
  'POST /comments/{id}/approve', // needs a comment held for premoderation
  'PATCH /contests/{id}', // the fixture's contest is open for entries, not a draft
  'POST /contests/{id}/publish', // likewise
  'POST /contests/{id}/entries/{entryId}/reject', // the catalogue accepts the entry first
  'POST /contests/{id}/draw', // needs a contest drawn by lot, past its entries
];

describe('every catalogue route answers what the OpenAPI document says', () => {
  it('2xx bodies match their schemas, problems the problem schema, other answers their content type', async () => {
    const mismatches: string[] = [];
    /** Runs the cases in order on one harness; answers those that did not get a 2xx, each with its problem. */
    const run = async (cases: RouteCase[], on: ApiHarness, fixture: Fixture) => {
      const unhappy: [RouteCase, string][] = [];
      for (const r of cases) {
        const res = await on.request(r.method.toUpperCase(), r.url(fixture), { body: r.body?.(fixture) });
        const wrong = mismatch(r, res);
        if (wrong) mismatches.push(`${label(r)} → ${res.status}: ${wrong}`);
        if (res.status >= 300) unhappy.push([r, `${label(r)} → ${res.status} ${res.body?.code ?? ''} ${JSON.stringify(res.body?.details ?? res.body?.errors ?? '')}`]);
      }
      return unhappy;
    };
    // Reads again after the writes: lists the writes filled (placements, publications, KPI groups) have items to check.
    const reads = ROUTE_CASES.filter((r) => r.method === 'get');
    const first = await run([...reads, ...ROUTE_CASES.filter((r) => r.method !== 'get'), ...reads], h, f);
    // A write an earlier one got in the way of (the message it needs was accepted, the boundary moved…) gets a fresh fixture.
    const fresh = await createApiHarness();
    const unhappy = await run(
      first.map(([r]) => r),
      fresh,
      await buildFixture(fresh),
    ).finally(() => fresh.close());
    expect(mismatches.join('\n')).toBe('');
    expect(
      unhappy.map(([r]) => label(r)),
      unhappy.map(([, why]) => why).join('\n'),
    ).toEqual(NO_HAPPY_CASE);
  });

  it('every other format a read offers (format=csv, xlsx) answers with a documented content type and a body', async () => {
    type Parameter = { name: string; in: string; schema: { enum?: string[] } };
    const tried: string[] = [];
    const mismatches: string[] = [];
    for (const r of ROUTE_CASES.filter((c) => c.method === 'get')) {
      const parameters = (doc.paths[r.path]!.get as Operation & { parameters?: Parameter[] }).parameters ?? [];
      const formats = parameters.find((p) => p.in === 'query' && p.name === 'format')?.schema.enum ?? [];
      for (const format of formats.filter((x) => x !== 'json')) {
        const url = `${r.url(f)}${r.url(f).includes('?') ? '&' : '?'}format=${format}`;
        const res = await h.request('GET', url);
        tried.push(`${label(r)} ${format} → ${res.status}`);
        const wrong = res.status === 200 ? mismatch(r, res) : `answered ${res.status}`;
        if (wrong) mismatches.push(`${label(r)} format=${format}: ${wrong}`);
      }
    }
    expect(mismatches.join('\n')).toBe('');
    expect(tried.length, tried.join('\n')).toBeGreaterThanOrEqual(7);
  });

  it('every field of a documented schema says what it holds (no bare {} a generated client can only type as unknown)', () => {
    const bare: string[] = [];
    const saysNothing = (schema: Node) => Object.keys(schema).every((k) => k === 'description' || k === 'example');
    const walk = (node: unknown, where: string): void => {
      if (typeof node !== 'object' || node === null) return;
      if (Array.isArray(node)) {
        for (const [i, item] of node.entries()) walk(item, `${where}/${i}`);
        return;
      }
      for (const [k, v] of Object.entries(node as Node)) {
        if (k !== 'properties') {
          // A record's values (additionalProperties: {}) are free-form on purpose: audit data, problem details.
          if (k !== 'additionalProperties') walk(v, `${where}/${k}`);
          continue;
        }
        for (const [name, child] of Object.entries(v as Record<string, Node>)) {
          if (saysNothing(child)) bare.push(`${where}.${name}`);
          walk(child, `${where}.${name}`);
        }
      }
    };
    walk(doc, '#');
    expect(bare).toEqual([]);
  });

  it('the check itself refuses an undocumented field, a wrong type, a missing field, a malformed date and a problem without code', async () => {
    const getMessage = ROUTE_CASES.find((r) => r.path === '/messages/{id}' && r.method === 'get')!;
    const res = await h.request('GET', getMessage.url(f));
    expect(mismatch(getMessage, res)).toBeNull();
    const { id, ...withoutId } = res.body.message;
    expect(res.body.message.createdAt).toEqual(expect.any(String));
    for (const message of [{ ...res.body.message, undocumented: 1 }, { ...res.body.message, id: String(id) }, withoutId, { ...res.body.message, createdAt: '01.12.2026' }]) {
      expect(mismatch(getMessage, { ...res, body: { ...res.body, message } }), JSON.stringify(Object.keys(message))).not.toBeNull();
    }
    expect(mismatch(getMessage, { ...res, body: { ...res.body, undocumented: 1 } })).toMatch(/undocumented/);
    const missing = await h.request('GET', getMessage.url(f, 2_147_483_647));
    expect(missing.status).toBe(404);
    expect(mismatch(getMessage, missing)).toBeNull();
    expect(mismatch(getMessage, { ...missing, body: { ...missing.body, code: undefined } })).toMatch(/code/);
  });
});
