import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../../../core/access/permissions.ts';
import { createApiHarness, type ApiHarness, type Reply } from '../../../test/api-harness.ts';
import { buildFixture, footprint, FORGED_ID, ROUTE_CASES, type Fixture, type RouteCase } from './route-catalogue.ts';

/**
 * An executor sees only the messages assigned to its organisation. Aimed at anything else (in its
 * own municipality), every route answers exactly as for an id that does not exist.
 */
let h: ApiHarness;
let f: Fixture;
beforeAll(async () => {
  h = await createApiHarness();
  f = await buildFixture(h);
});
afterAll(() => h.close());

const label = (r: RouteCase) => `${r.method.toUpperCase()} ${r.path}`;
/** What a caller can compare between two answers: everything but the request id and the id it sent. */
const visible = (res: Reply) => ({ status: res.status, code: res.body.code, title: res.body.title, type: res.body.type, errors: res.body.errors, detail: res.body.detail });

describe('executors out of scope', () => {
  // Routes that name a message or an answer (the municipality itself is the executor's own).
  const forExecutors = ROUTE_CASES.filter((r) => /^\/(messages|answers)\/\{id\}/.test(r.path) && (PERMISSIONS[r.permission] as readonly string[]).includes('executor'));

  it('covers the message and answer routes an executor may call', () => {
    expect(forExecutors.map(label)).toEqual(expect.arrayContaining(['GET /messages/{id}', 'POST /messages/{id}/answers', 'POST /answers/{id}/revise', 'POST /messages/{id}/comments']));
  });

  it.each(forExecutors.map((r) => [label(r), r] as const))("%s: another organisation's (or an unassigned) resource answers as a missing id", async (_, r) => {
    // The utility company's executor: f.answer belongs to a message assigned to the city, f.newMessage to nobody yet.
    const token = h.keys.Kemerovo.utility_executor;
    const before = await footprint(h);
    const aimed = await h.request(r.method.toUpperCase(), r.url(f), { token, body: r.body?.(f) });
    const missing = await h.request(r.method.toUpperCase(), r.url(f, FORGED_ID), { token, body: r.body?.(f) });
    expect(aimed.status).toBe(404);
    expect(visible(aimed)).toEqual(visible(missing));
    expect(await footprint(h)).toEqual(before);
  });
});

describe('a municipality that does not exist, named in a body by an operator (who sees every id)', () => {
  // Every write of the catalogue whose body names the municipality it writes for.
  const naming = ROUTE_CASES.filter((r) => r.method !== 'get' && r.body !== undefined && !r.hasPathId);
  const withMunicipality = (r: RouteCase) => 'municipalityId' in (r.body!(f) as Record<string, unknown>);

  it('covers the writes that name a municipality', () => {
    const paths = naming.filter(withMunicipality).map(label);
    expect(paths).toEqual(
      expect.arrayContaining([
        'POST /polls',
        'POST /news',
        'POST /broadcasts',
        'POST /kpi/placements',
        'POST /kpi/publications',
        'POST /kpi-groups',
        'PUT /comments/policy',
        'POST /events',
        'POST /incidents',
      ]),
    );
  });

  it('answers 404 MUNICIPALITY_NOT_FOUND naming it on every such write, never a 500 from a foreign key, and writes nothing', async () => {
    const answers: Record<string, unknown> = {};
    const before = await footprint(h);
    for (const r of naming.filter(withMunicipality)) {
      const body = { ...(r.body!(f) as Record<string, unknown>), municipalityId: FORGED_ID };
      const res = await h.request(r.method.toUpperCase(), r.url(f), { body });
      answers[label(r)] = { status: res.status, code: res.body.code, id: res.body.details?.id };
    }
    const expected = Object.fromEntries(Object.keys(answers).map((k) => [k, { status: 404, code: 'MUNICIPALITY_NOT_FOUND', id: FORGED_ID }]));
    expect(answers).toEqual(expected);
    expect(await footprint(h)).toEqual(before);
  });
});
