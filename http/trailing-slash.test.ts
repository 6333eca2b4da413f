import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, createApiHarness } from '../test/api-harness.ts';

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

describe('pages asked for with a trailing slash', () => {
  it.each(['/console', '/api/docs', '/map'])('%s/ redirects (308) to %s, which answers the page', async (page) => {
    const slash = await h.app.http.request(`${page}/`);
    expect(slash.status).toBe(308);
    expect(slash.headers.get('location')).toBe(page);
    const head = await h.app.http.request(`${page}/`, { method: 'HEAD' });
    expect(head.status).toBe(308);
    const canonical = await h.app.http.request(slash.headers.get('location')!);
    expect(canonical.status).toBe(200);
    expect(canonical.headers.get('content-type')).toContain('text/html');
  });

  it('the query string is kept', async () => {
    const slash = await h.app.http.request('/console/?lang=en&x=1');
    expect(slash.status).toBe(308);
    expect(slash.headers.get('location')).toBe('/console?lang=en&x=1');
  });

  it('other paths under them are not redirected', async () => {
    expect((await h.app.http.request('/console/nothing-here/')).status).toBe(404);
    expect((await h.app.http.request('/api/docs/init.js')).status).toBe(200);
  });
});
