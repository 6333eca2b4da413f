import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullContest } from '../../../test/contest-body.ts';
import { createApiHarness, type ApiHarness, type Reply } from '../../../test/api-harness.ts';
import { addComment } from '../../../core/item-comments/comments.service.ts';
import { submitEntry } from '../../../core/contests/contests.ts';
import { runJob } from '../../../core/jobs/run-job.ts';
import { JOBS } from '../../../cron/jobs.ts';
import { jpegBytes } from '../../../test/media/files.ts';
import { registeredResident } from '../../../test/residents.ts';
import { buildFixture, pollBody, ROUTE_CASES, type Fixture, type RouteCase } from './route-catalogue.ts';

/**
 * What every catalogue route answers on its happy path, checked against what the OpenAPI document
 * promises integrators (their generated clients trust it): a JSON 2xx body against the schema of
 * that status, a problem (4xx/5xx) against the documented problem schema, anything else by its
 * content type. Every object of the document is taken as closed. Reads run first, then writes in
 * catalogue order, then the reads again, on one fixture; a write that did not get a 2xx is tried
 * again on a fresh one, and the routes that still do not get a set-up of their own in HAPPY_CASES.
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

/** A request of a happy case: its route's path parameters filled in, the key of a role that may call it. */
type Call = { url: string; body?: Record<string, unknown>; form?: FormData; token?: string };

/**
 * The catalogue's routes that do not get a 2xx on its fixture (their problem answers are checked
 * there), each with a set-up of its own reaching the state it succeeds in: their 2xx bodies are
 * checked by the last describe.
 */
const HAPPY_CASES: Record<string, () => Promise<Call>> = {
  // A message closed by a final answer, back in work at the curator's word.
  'POST /messages/{id}/reopen': async () => {
    const m = await acceptedMessage();
    const draft = await h.request('POST', `/api/v1/messages/${m}/answers`, { token: h.keys.Kemerovo.moderator, body: { kind: 'final', resolution: 'solved', text: 'Яму засыпали' } });
    if (draft.body.answer.state === 'draft') await h.request('POST', `/api/v1/answers/${draft.body.answer.id}/approve`, { token: h.keys.Kemerovo.curator });
    return { url: `/api/v1/messages/${m}/reopen`, body: { reason: 'Асфальт не положили' }, token: h.keys.Kemerovo.curator };
  },
  // Two messages in work, the second the same problem as the first.
  'POST /messages/{id}/duplicate': async () => {
    const [original, duplicate] = [await acceptedMessage(), await acceptedMessage()];
    return { url: `/api/v1/messages/${duplicate}/duplicate`, body: { originalId: original }, token: h.keys.Kemerovo.moderator };
  },
  'POST /media': async () => {
    const form = new FormData();
    form.append('file', new Blob([jpegBytes().slice().buffer], { type: 'image/jpeg' }), 'photo.jpg');
    return { url: '/api/v1/media', form, token: h.keys.Kemerovo.curator };
  },
  // An open-source item accepted as a message, its answer approved by the curator: published by hand.
  'POST /messages/{id}/published-reply': async () => {
    const item = await h.request('POST', '/api/v1/incidents', {
      body: { municipalityId: h.municipality.Kemerovo, source: 'web', sourceUrl: 'https://news.example.org/post/happy', text: 'Во дворе яма', postedAt: '2026-11-30T10:00:00Z' },
    });
    const accepted = await h.request('POST', `/api/v1/incidents/${item.body.id}/accept`, {
      body: { municipalityId: h.municipality.Kemerovo, categoryId: await h.categoryId('roads.pothole'), executorId: h.executors.Kemerovo.city },
    });
    const message = accepted.body.message.id;
    const draft = await h.request('POST', `/api/v1/messages/${message}/answers`, { token: h.keys.Kemerovo.executor, body: { kind: 'intermediate', text: 'Бригада выедет завтра' } });
    await h.request('POST', `/api/v1/answers/${draft.body.answer.id}/approve`, { token: h.keys.Kemerovo.curator });
    return { url: `/api/v1/messages/${message}/published-reply`, body: { url: 'https://news.example.org/post/happy#c1' }, token: h.keys.Kemerovo.moderator };
  },
  // A comment on a published news item held while Kemerovo premoderates (the policy restored after).
  'POST /comments/{id}/approve': async () => {
    const policy = (premoderation: boolean) => h.request('PUT', '/api/v1/comments/policy', { body: { municipalityId: h.municipality.Kemerovo, premoderation } });
    await policy(true);
    const news = await h.request('POST', '/api/v1/news', { body: { municipalityId: h.municipality.Kemerovo, title: 'Благоустройство', body: 'Текст' } });
    await h.request('POST', `/api/v1/news/${news.body.id}/publish`, { body: {} });
    const author = await registeredResident(h.t.db, { municipalityId: h.municipality.Kemerovo, now: h.now() });
    const held = await addComment(h.t.db, { residentId: author, residentMunicipalityId: h.municipality.Kemerovo, target: { kind: 'news', id: news.body.id }, text: 'Когда уберут снег?' }, h.now());
    await policy(false);
    return { url: `/api/v1/comments/${held.id}/approve`, body: {}, token: h.keys.Kemerovo.moderator };
  },
  'PATCH /contests/{id}': async () => ({ url: `/api/v1/contests/${(await draftContest()).body.id}`, body: { topic: 'Зима' } }),
  'POST /contests/{id}/publish': async () => ({ url: `/api/v1/contests/${(await draftContest(CONTEST)).body.id}/publish`, body: {} }),
  // A pending entry of a contest open for entries.
  'POST /contests/{id}/entries/{entryId}/reject': async () => {
    const contest = await openContest('jury');
    const entry = await enter(contest);
    return { url: `/api/v1/contests/${contest}/entries/${entry}/reject`, body: { reason: 'не по теме' } };
  },
  // A poll that ran (from an hour ago) and closed: decided today, the catalogue's poll starting only
  // tomorrow (a decision is not dated before the poll's start nor after today).
  'POST /polls/{id}/decision': async () => {
    const poll = await h.request('POST', '/api/v1/polls', { body: { ...pollBody(h.municipality.Kemerovo, h.now()), startsAt: new Date(h.now().getTime() - 3_600_000).toISOString() } });
    await h.request('POST', `/api/v1/polls/${poll.body.id}/publish`, { body: { force: true } });
    await h.request('POST', `/api/v1/polls/${poll.body.id}/close`, {});
    return { url: `/api/v1/polls/${poll.body.id}/decision`, body: { decidedOn: '2026-12-01', text: 'Build the playground', decidedBy: 'Head of the city' } };
  },
  // A contest drawn by lot with an accepted entry, past its entries (moves the harness clock: last).
  'POST /contests/{id}/draw': async () => {
    const contest = await openContest('random_draw');
    const entry = await enter(contest);
    await h.request('POST', `/api/v1/contests/${contest}/entries/${entry}/accept`, { body: {} });
    h.advance(Date.parse('2026-12-19T17:00:00Z') - h.now().getTime());
    return { url: `/api/v1/contests/${contest}/draw`, body: {}, token: h.keys.Kemerovo.curator };
  },
};

/** Routes with no happy case anywhere: their 2xx bodies are not checked. */
const NO_HAPPY_CASE: string[] = [];

async function acceptedMessage() {
  const m = await h.fileMessage('Kemerovo');
  await h.request('POST', `/api/v1/messages/${m.id}/accept`, { token: h.keys.Kemerovo.moderator, body: {} });
  return m.id;
}

/** Every attribute a contest needs to be published (entries open at 2026-12-09T17:00Z). */
const CONTEST = fullContest({ drawingFormat: 'jury', winnersCount: 1 });
const draftContest = (body: Record<string, unknown> = { title: 'Конкурс' }) => h.request('POST', '/api/v1/contests', { body: { municipalityId: h.municipality.Kemerovo, ...body } });

/** A published contest the contests job opened for entries. */
async function openContest(drawingFormat: 'jury' | 'random_draw') {
  const contest = (await draftContest({ ...CONTEST, drawingFormat })).body.id as number;
  await h.request('POST', `/api/v1/contests/${contest}/publish`, { body: {} });
  await runJob(h.t.db, JOBS.contests, () => new Date('2026-12-09T17:00:00.000Z'));
  return contest;
}

/** A resident's photo entry, pending moderation. */
async function enter(contestId: number) {
  const residentId = await registeredResident(h.t.db, { municipalityId: h.municipality.Kemerovo, now: h.now() });
  const entry = await h.t.db
    .transaction()
    .execute((trx) => submitEntry(trx, { contestId, residentId, channel: 'tg', mediaId: f.media, mediaKind: 'photo', caption: 'зима' }, new Date('2026-12-12T00:00:00Z')));
  return entry.id;
}

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
    expect(unhappy.map(([r]) => label(r)).sort(), unhappy.map(([, why]) => why).join('\n')).toEqual([...Object.keys(HAPPY_CASES), ...NO_HAPPY_CASE].sort());
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

describe('the routes the catalogue cannot bring to success answer what the document says on theirs', () => {
  // On a harness of their own: the catalogue's writes moved Kemerovo's boundary off its centre, where messages are filed.
  let catalogue: [ApiHarness, Fixture];
  beforeAll(async () => {
    catalogue = [h, f];
    h = await createApiHarness();
    f = await buildFixture(h);
  });
  afterAll(async () => {
    await h.close();
    [h, f] = catalogue;
  });
  it.each(Object.keys(HAPPY_CASES))('%s', async (route) => {
    const r = ROUTE_CASES.find((c) => label(c) === route)!;
    const call = await HAPPY_CASES[route]!();
    const res = await h.request(r.method.toUpperCase(), call.url, { body: call.body, form: call.form, token: call.token });
    expect(res.status, res.text.slice(0, 500)).toBeGreaterThanOrEqual(200);
    expect(res.status, res.text.slice(0, 500)).toBeLessThan(300);
    expect(mismatch(r, res)).toBeNull();
    // The check did look at the body: a field the document does not list is refused.
    expect(mismatch(r, { ...res, body: { ...res.body, undocumented: 1 } })).toMatch(/undocumented/);
  });
});
