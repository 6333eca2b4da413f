import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../../../core/access/permissions.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';

let h: ApiHarness;
let doc: { openapi: string; paths: Record<string, Record<string, Record<string, unknown>>>; components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> } };
beforeAll(async () => {
  h = await createApiHarness();
  const res = await h.request('GET', '/api/v1/openapi.json', { token: null });
  expect(res.status).toBe(200);
  doc = res.body;
});
afterAll(() => h.close());

type Operation = { security?: unknown; responses: Record<string, unknown>; requestBody?: { content: Record<string, { schema: Record<string, unknown> }> }; 'x-roles'?: string[] };

function resolve(schema: Record<string, unknown>): Record<string, unknown> {
  const ref = schema.$ref as string | undefined;
  return ref ? (doc.components.schemas[ref.split('/').pop()!] as Record<string, unknown>) : schema;
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and describes every route the app registers, and nothing else', () => {
    expect(doc.openapi).toBe('3.1.0');
    // Hono lists a route once per handler (role check, validators, handler): count paths once.
    const registered = new Set(
      h.app.http.routes
        .filter((r) => r.path.startsWith('/api/v1/') && r.method !== 'ALL' && r.path !== '/api/v1/openapi.json')
        .map((r) => `${r.method} ${r.path.replace('/api/v1', '').replace(/:(\w+)/g, '{$1}')}`),
    );
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect([...registered].sort()).toEqual([...documented].sort());
    expect(documented.length).toBeGreaterThanOrEqual(40);
  });

  it('gives every operation the bearer scheme, its roles, problem responses and strict bodies', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const allRoles = new Set(Object.values(PERMISSIONS).flat());
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, raw] of Object.entries(ops)) {
        const op = raw as Operation;
        const where = `${method} ${path}`;
        expect(op.security, where).toEqual([{ bearer: [] }]);
        expect(op['x-roles']?.length, where).toBeGreaterThan(0);
        expect(op['x-roles']!.every((r) => allRoles.has(r as never)), where).toBe(true);
        for (const status of ['401', '403']) expect(op.responses[status], `${where} ${status}`).toMatchObject({ content: { 'application/problem+json': {} } });
        const body = op.requestBody?.content['application/json']?.schema;
        if (body) {
          const schema = resolve(body);
          const variants = (schema.oneOf ?? schema.anyOf ?? [schema]) as Record<string, unknown>[];
          for (const variant of variants) expect(resolve(variant).additionalProperties, where).toBe(false);
        }
      }
    }
  });

  it('gives every operation an operationId of its own: lowerCamelCase, verb first, unique, the same from release to release', () => {
    const ids = new Map<string, string>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, raw] of Object.entries(ops)) {
        const where = `${method} ${path}`;
        const id = (raw as { operationId?: unknown }).operationId;
        expect(typeof id, where).toBe('string');
        expect(id, where).toMatch(/^(list|get|create|update|delete|set|save|assign|remove|issue|revoke|cancel|publish|unpublish|archive|close|accept|reject|dismiss|approve|return|revise|draft|hide|reply|mark|change|route|retry|run|choose|record|answer|recompute|unlink|upload|withdraw)[A-Z][A-Za-z]*$/);
        expect(ids.get(id as string), `${where}: ${id} is also the id of`).toBeUndefined();
        ids.set(id as string, where);
      }
    }
    expect(ids.size).toBe(Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0));
    // Generated clients name their methods after these: they are declared in each route file and stay put.
    expect(Object.fromEntries([...ids].filter(([id]) => ['listMessages', 'getMessage', 'publishPoll', 'createIncidentRule', 'getPollResults', 'createMessageComment'].includes(id)))).toEqual({
      listMessages: 'get /messages',
      getMessage: 'get /messages/{id}',
      publishPoll: 'post /polls/{id}/publish',
      createIncidentRule: 'post /incident-rules',
      getPollResults: 'get /polls/{id}/results',
      createMessageComment: 'post /messages/{id}/comments',
    });
  });

  it('documents the answers the middleware gives: 413 on every write, 415 on every JSON write, Idempotency-Key (409, 422) on every POST, uploads included, as the app answers them', async () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, raw] of Object.entries(ops)) {
        if (method === 'get') continue;
        const op = raw as Operation;
        expect(op.responses['413'], `${method} ${path} 413`).toMatchObject({ content: { 'application/problem+json': {} } });
        if (op.requestBody?.content['application/json']) expect(op.responses['415'], `${method} ${path} 415`).toBeDefined();
        if (method !== 'post') continue;
        const parameters = (raw as { parameters?: { name: string; in: string }[] }).parameters ?? [];
        expect(parameters, `${method} ${path} Idempotency-Key`).toContainEqual(expect.objectContaining({ name: 'idempotency-key', in: 'header' }));
        for (const status of ['409', '422']) expect(op.responses[status], `${method} ${path} ${status}`).toBeDefined();
      }
    }
    const upload = doc.paths['/media']!.post as { parameters: { name: string }[] };
    expect(upload.parameters.map((p) => p.name)).toContain('idempotency-key');
    const accept = doc.paths['/messages/{id}/accept']!.post as { parameters: { name: string }[] };
    expect(accept.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['id', 'if-match', 'idempotency-key']));
    const plain = await h.request('POST', `/api/v1/messages/1/reject`, { rawBody: '{"reason":"x"}', headers: { 'content-type': 'text/plain' } });
    expect(plain.status).toBe(415);
    const large = await h.request('POST', `/api/v1/messages/1/publish`, { rawBody: JSON.stringify({ x: 'y'.repeat(70_000) }), headers: { 'content-type': 'application/json' } });
    expect(large.status).toBe(413);
  });

  it('every list and read without a path id refuses an unknown query parameter with 400 VALIDATION, and documents that 400', async () => {
    const wrong: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      const op = ops.get as Operation | undefined;
      if (!op || path.includes('{')) continue;
      const res = await h.request('GET', `/api/v1${path}?unknownFilter=1`);
      if (res.status !== 400 || res.body.code !== 'VALIDATION') wrong.push(`${path}: ${res.status}`);
      else if (!op.responses['400']) wrong.push(`${path}: 400 not documented`);
    }
    expect(wrong).toEqual([]);
  });

  it('writes a nullable reference as anyOf [$ref, null]: allOf with a null type is a schema no null satisfies', () => {
    const wrong: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (typeof node !== 'object' || node === null) return;
      const allOf = (node as { allOf?: Record<string, unknown>[] }).allOf;
      if (allOf?.some((s) => s.$ref) && allOf.some((s) => ([] as unknown[]).concat(s.type ?? []).includes('null'))) wrong.push(path);
      for (const [key, child] of Object.entries(node)) walk(child, `${path}/${key}`);
    };
    walk(doc, '');
    expect(wrong).toEqual([]);
    // A message's history has events without a status change (published, marked urgent): both null.
    const event = doc.components.schemas.MessageEvent as { properties: Record<string, { anyOf?: unknown[] }> };
    expect(event.properties.fromStatus!.anyOf).toContainEqual({ type: 'null' });
    expect(event.properties.toStatus!.anyOf).toContainEqual({ type: 'null' });
  });

  it('documents query filters and path ids as parameters', () => {
    const list = doc.paths['/messages']!.get as { parameters: { name: string; in: string }[] };
    expect(list.parameters.map((p) => p.name).sort()).toEqual(
      ['categoryId', 'cursor', 'executorId', 'from', 'limit', 'lowRating', 'municipalityId', 'openSource', 'overdue', 'published', 'q', 'sort', 'status', 'to'].sort(),
    );
    const accept = doc.paths['/messages/{id}/accept']!.post as { parameters: { name: string; in: string }[] };
    expect(accept.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'id', in: 'path' }), expect.objectContaining({ name: 'if-match', in: 'header' })]));
    // A revision's photo list needs the version it was made from: the header and its 428 are in the contract.
    const revise = doc.paths['/answers/{id}/revise']!.post as Operation & { parameters: { name: string; in: string; required?: boolean; description?: string }[] };
    const ifMatch = revise.parameters.find((p) => p.name === 'if-match');
    expect(ifMatch).toMatchObject({ in: 'header', required: false });
    expect(ifMatch?.description).toContain('428 PRECONDITION_REQUIRED');
    expect(revise.responses['428']).toMatchObject({ content: { 'application/problem+json': {} } });
  });
});

describe('Swagger UI at /api/docs', () => {
  it('serves the page and every asset it references from the app itself', async () => {
    const page = await h.request('GET', '/api/docs', { token: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      expect(asset.startsWith('/api/docs/'), asset).toBe(true);
      const res = await h.request('GET', asset, { token: null });
      expect(res.status, asset).toBe(200);
      expect(res.text.length, asset).toBeGreaterThan(10);
    }
    const init = await h.request('GET', '/api/docs/init.js', { token: null });
    expect(init.text).toContain('"/api/v1/openapi.json"');
    const bundle = await h.request('GET', '/api/docs/swagger-ui-bundle.js', { token: null });
    expect(bundle.text).toContain('SwaggerUIBundle');
  });

  it('serves only its own assets', async () => {
    for (const path of ['/api/docs/package.json', '/api/docs/..%2F..%2Fpackage.json', '/api/docs/index.html']) {
      expect((await h.request('GET', path, { token: null })).status, path).toBe(404);
    }
  });
});

describe('Swagger UI without swagger-ui-dist', () => {
  it('answers 503 DOCS_UNAVAILABLE instead of failing the app', async () => {
    const { createDocsApp } = await import('../../docs/swagger-ui.ts');
    const docs = createDocsApp({ basePath: '/api/docs', specUrl: '/api/v1/openapi.json', assetsDir: null });
    const res = await docs.request('/');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { code: string }).code).toBe('DOCS_UNAVAILABLE');
  });
});
