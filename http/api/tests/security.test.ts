import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueKey } from '../../../core/access/api-keys.service.ts';
import { PERMISSIONS } from '../../../core/access/permissions.ts';
import { createStaff } from '../../../core/access/staff.service.ts';
import type { StaffRole } from '../../../core/staff/staff.table.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { buildFixture, footprint, FORGED_ID, ROUTE_CASES, type Fixture, type RouteCase } from './route-catalogue.ts';

let h: ApiHarness;
let f: Fixture;

beforeAll(async () => {
  h = await createApiHarness();
  f = await buildFixture(h);
});
afterAll(() => h.close());

const label = (r: RouteCase) => `${r.method.toUpperCase()} ${r.path}`;

async function call(r: RouteCase, token: string | null, options: { id?: number; body?: Record<string, unknown>; headers?: Record<string, string> } = {}) {
  return h.request(r.method.toUpperCase(), r.url(f, options.id), { token, body: options.body ?? r.body?.(f), headers: options.headers });
}

describe('every route is in the security catalogue', () => {
  it('lists each registered route exactly once', async () => {
    const doc = await h.request('GET', '/api/v1/openapi.json', { token: null });
    const documented = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(ROUTE_CASES.map(label).sort()).toEqual(documented.sort());
  });
});

describe('authentication', () => {
  it.each(ROUTE_CASES.map((r) => [label(r), r] as const))('%s: no key, a revoked key, an unknown key and a malformed header all answer 401', async (_, r) => {
    for (const attempt of [
      await call(r, null),
      await call(r, h.revoked),
      await call(r, 'otk_not-a-real-key-at-all-000000000000000000'),
      await call(r, null, { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } }),
    ]) {
      expect(attempt.status).toBe(401);
      expect(attempt.headers.get('content-type')).toBe('application/problem+json');
      expect(attempt.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(attempt.body.code).toBe('UNAUTHORIZED');
    }
  });
});

describe('roles', () => {
  const roles: Exclude<StaffRole, 'operator' | 'integration'>[] = ['curator', 'moderator', 'executor', 'responsible'];
  it.each(ROUTE_CASES.map((r) => [label(r), r] as const))('%s: roles without the permission get 403 and change nothing', async (_, r) => {
    const allowed = PERMISSIONS[r.permission] as readonly StaffRole[];
    const before = await footprint(h);
    for (const role of roles.filter((x) => !allowed.includes(x))) {
      const res = await call(r, h.keys.Kemerovo[role]);
      expect(res.status, role).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
    expect(await footprint(h)).toEqual(before);
  });
});

describe('integration keys', () => {
  let integration: string;
  beforeAll(async () => {
    const staff = await createStaff(h.t.db, { fullName: 'Городское приложение', role: 'integration', municipalityId: h.municipality.Kemerovo });
    integration = (await issueKey(h.t.db, { staffId: staff.id, label: 'open311', createdBy: null }, h.now())).token;
  });
  it.each(ROUTE_CASES.map((r) => [label(r), r] as const))('%s: an integration key (Open311 posting only) gets 403 and changes nothing', async (_, r) => {
    const before = await footprint(h);
    const res = await call(r, integration);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    expect(await footprint(h)).toEqual(before);
  });
  it('GET /me: 403 saying what the key is for (Open311), as README says; the same key posts to Open311', async () => {
    const me = await h.request('GET', '/api/v1/me', { token: integration });
    expect(me.status).toBe(403);
    expect(me.body).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'directories.read', role: 'integration' } });
    expect(me.body.detail).toMatch(/Open311/);
    expect(me.body.detail).toContain('/me');
    const form = new URLSearchParams({ api_key: integration, service_code: 'roads.pothole', description: 'Яма у дома 5', lat: '55.3547', long: '86.0873' });
    const posted = await h.request('POST', '/open311/v2/requests.json', { token: null, rawBody: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(posted.status).toBe(201);
    // Another role's refusal still names only the permission.
    const responsible = await h.request('GET', '/api/v1/staff', { token: h.keys.Kemerovo.responsible });
    expect(responsible.status).toBe(403);
    expect(responsible.body.details).toEqual({ permission: 'staff.read' });
  });
});

describe('municipality scope', () => {
  const scoped = ROUTE_CASES.filter((r) => r.crossScope === 'not_found');
  it.each(scoped.map((r) => [label(r), r] as const))('%s: a Novokuznetsk key aimed at Kemerovo gets 404 and changes nothing', async (_, r) => {
    const roles = (PERMISSIONS[r.permission] as readonly StaffRole[]).filter((x): x is Exclude<StaffRole, 'operator' | 'integration'> => x !== 'operator');
    expect(roles.length).toBeGreaterThan(0);
    const before = await footprint(h);
    for (const role of roles) {
      const res = await call(r, h.keys.Novokuznetsk[role]);
      expect(res.status, role).toBe(404);
      expect(res.body.code).toMatch(/NOT_FOUND$/);
    }
    expect(await footprint(h)).toEqual(before);
  });
});

describe('forged ids', () => {
  const withId = ROUTE_CASES.filter((r) => r.hasPathId);
  it.each(withId.map((r) => [label(r), r] as const))('%s: an id that does not exist answers 404 (operator key)', async (_, r) => {
    const res = await call(r, h.operator, { id: FORGED_ID });
    expect(res.status).toBe(404);
    expect(res.body.code).toMatch(/NOT_FOUND$/);
  });

  it.each(withId.map((r) => [label(r), r] as const))('%s: a non-numeric id answers 400', async (_, r) => {
    const url = r.url(f, FORGED_ID).replace(String(FORGED_ID), '1%20OR%201=1');
    const res = await h.request(r.method.toUpperCase(), url, { body: r.body?.(f) });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION');
  });
});

describe('mass assignment', () => {
  const withBody = ROUTE_CASES.filter((r) => r.body);
  it.each(withBody.map((r) => [label(r), r] as const))('%s: an unknown body field is rejected with 400', async (_, r) => {
    const before = await footprint(h);
    const res = await call(r, h.operator, { body: { ...r.body!(f), municipalityId: 1, role: 'operator', id: 1, isAdmin: true } });
    // Some bodies legitimately have municipalityId or role: the extra isAdmin is never accepted.
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION');
    expect(res.body.errors.some((e: { message: string }) => /unrecognized key/i.test(e.message))).toBe(true);
    expect(await footprint(h)).toEqual(before);
  });

  const queried = ROUTE_CASES.filter((r) => r.method === 'get' && !r.hasPathId && r.path !== '/municipalities' && r.path !== '/sectors' && r.path !== '/me');
  it.each(queried.map((r) => [label(r), r] as const))('%s: an unknown query parameter is rejected with 400', async (_, r) => {
    const url = r.url(f);
    const res = await h.request('GET', `${url}${url.includes('?') ? '&' : '?'}stauts=new`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION');
  });
});
