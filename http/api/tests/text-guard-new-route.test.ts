import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import type { ApiApp, ApiDeps } from '../env.ts';
import { access } from '../route-kit.ts';
import { jsonBody, jsonContent, problems } from '../schemas/common.ts';
import { ROUTES } from '../routes/index.ts';

/**
 * A route added the ordinary way (a register function in ROUTES) with plain z.string() fields and
 * no check of its own, which hands its text straight to PostgreSQL: it gets the NUL / surrogate
 * check for free. (Only this test file's copy of ROUTES has it.)
 */
const route = createRoute({
  method: 'post',
  path: '/echo-for-test',
  summary: 'test only',
  ...access('directories.read'),
  request: { query: z.strictObject({ tag: z.string().optional() }), body: jsonBody(z.strictObject({ note: z.string(), more: z.array(z.object({ line: z.string() })).optional() })) },
  responses: { 200: jsonContent(z.object({ echo: z.string() }), 'the text, as PostgreSQL stored it'), ...problems(400) },
});
function registerEcho(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { note } = c.req.valid('json');
    const { tag } = c.req.valid('query');
    const { rows } = await sql<{ echo: string }>`SELECT ${`${tag ?? ''}${note}`}::text AS echo`.execute(deps.db);
    return c.json({ echo: rows[0]!.echo }, 200);
  });
}
ROUTES.push(registerEcho);

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

describe('a new route', () => {
  it('passes clean text through to the database', async () => {
    const res = await h.request('POST', '/api/v1/echo-for-test?tag=%F0%9F%91%8D', { body: { note: 'привет 🙂' } });
    expect(res.status).toBe(200);
    expect(res.body.echo).toBe('👍привет 🙂');
  });

  it('is refused NUL and lone surrogates with 400 VALIDATION naming the field, in the body (at any depth) and in the query', async () => {
    for (const [url, body, field, where] of [
      ['/api/v1/echo-for-test', { note: 'a\u0000b' }, 'note', 'json'],
      ['/api/v1/echo-for-test', { note: 'x', more: [{ line: 'ok' }, { line: '\ud83d' }] }, 'more.1.line', 'json'],
      ['/api/v1/echo-for-test?tag=%00', { note: 'x' }, 'tag', 'query'],
      ['/api/v1/echo-for-test?tag=%ED%B0%80', { note: 'x' }, 'tag', 'query'],
    ] as const) {
      const res = await h.request('POST', url, { body });
      expect(res.status, field).toBe(400);
      expect(res.body.code).toBe('VALIDATION');
      expect(res.body.errors).toEqual([expect.objectContaining({ in: where, path: field })]);
    }
  });
});
