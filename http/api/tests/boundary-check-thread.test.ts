import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { farOutlines } from '../../../test/boundary-outlines.ts';

const { far: FAR, twice: TWICE } = farOutlines();

async function withFar(h: ApiHarness): Promise<number> {
  const far = await h.request('POST', '/api/v1/municipalities', { body: { nameRu: 'Дальний', nameEn: 'Far', oktmo: '32727097', populationOver14: 1, boundary: FAR } });
  expect(far.status).toBe(201);
  return far.body.id;
}

describe('the boundary overlap check', () => {
  let h: ApiHarness;
  afterAll(() => h?.close());

  it('runs off the event loop: /health answers within 200 ms while a large upload is compared, and the verdict is the same', async () => {
    h = await createApiHarness();
    const far = await withFar(h);
    let settled = false;
    const upload = h.request('PUT', `/api/v1/municipalities/${h.municipality.Belovo}/boundary`, { body: TWICE }).finally(() => {
      settled = true;
    });
    const gaps: number[] = [];
    while (!settled) {
      const started = performance.now();
      await sleep(20);
      expect((await h.app.http.request('/health')).status).toBe(200);
      gaps.push(performance.now() - started);
    }
    const put = await upload;
    expect(put.body).toMatchObject({ code: 'BOUNDARY_OVERLAP', details: { municipalityId: far, nameEn: 'Far' } });
    expect(put.status).toBe(409);
    // The check took a while (many probes answered during it), none waiting for it.
    expect(gaps.length).toBeGreaterThan(5);
    expect(Math.max(...gaps)).toBeLessThan(200);
    expect(h.app.overlapChecker.running()).toBe(0);
  });

  it("is ended by the app's stop: the upload under way is 503 SHUTTING_DOWN (nothing saved) instead of holding the process", async () => {
    const before = await h.t.db.selectFrom('municipality').select('boundary').where('id', '=', h.municipality.Belovo).executeTakeFirstOrThrow();
    const upload = h.request('PUT', `/api/v1/municipalities/${h.municipality.Belovo}/boundary`, { body: TWICE });
    while (h.app.overlapChecker.running() === 0) await sleep(10);
    await h.app.stop();
    expect(h.app.overlapChecker.running()).toBe(0);
    const put = await upload;
    expect(put.status).toBe(503);
    expect(put.body).toMatchObject({ code: 'SHUTTING_DOWN', details: { field: 'boundary' } });
    expect(await h.t.db.selectFrom('municipality').select('boundary').where('id', '=', h.municipality.Belovo).executeTakeFirstOrThrow()).toEqual(before);
  });
});

describe('a boundary check that takes longer than BOUNDARY_CHECK_TIMEOUT_MS', () => {
  let h: ApiHarness;
  afterAll(() => h?.close());

  it('is 422 BOUNDARY_CHECK_TIMEOUT, the boundary kept as it was', async () => {
    h = await createApiHarness({ BOUNDARY_CHECK_TIMEOUT_MS: '100' });
    await withFar(h);
    const before = await h.t.db.selectFrom('municipality').select(['boundary', 'min_lon']).where('id', '=', h.municipality.Belovo).executeTakeFirstOrThrow();
    const started = performance.now();
    const put = await h.request('PUT', `/api/v1/municipalities/${h.municipality.Belovo}/boundary`, { body: TWICE });
    expect(put.status).toBe(422);
    expect(put.body).toMatchObject({ code: 'BOUNDARY_CHECK_TIMEOUT', details: { field: 'boundary', timeoutMs: 100 } });
    expect(put.body.detail).toContain('simplify the boundary');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await h.t.db.selectFrom('municipality').select(['boundary', 'min_lon']).where('id', '=', h.municipality.Belovo).executeTakeFirstOrThrow()).toEqual(before);
    const created = await h.request('POST', '/api/v1/municipalities', { body: { nameRu: 'Двойник', nameEn: 'Twin', oktmo: '32727096', populationOver14: 1, boundary: TWICE } });
    expect(created.status).toBe(422);
    expect(await h.t.db.selectFrom('municipality').select('id').where('oktmo', '=', '32727096').execute()).toEqual([]);
  });
});
