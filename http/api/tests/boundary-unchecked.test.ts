import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';

// The polygon library fails on this boundary (its vertex at FAILING_LAT, near Kemerovo), as
// polygon-clipping does on some inputs ("Unable to complete output ring …"); every other boundary,
// the demo region's included, is compared as usual.
const FAILING_LAT = 55.4321;
vi.mock('polygon-clipping', async (original) => {
  const actual = (await original<{ default: typeof import('polygon-clipping') }>()).default;
  return {
    default: {
      ...actual,
      intersection: (...geoms: Parameters<typeof actual.intersection>) => {
        if (JSON.stringify(geoms).includes(String(FAILING_LAT))) throw new Error('Unable to complete output ring starting at [86.2, 55.4321]');
        return actual.intersection(...geoms);
      },
    },
  };
});

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

describe('a boundary the overlap check cannot compare', () => {
  it('is 400 VALIDATION naming the boundary and the municipality it could not be compared with, saving nothing, not 500', async () => {
    // Its box meets Kemerovo's (the only demo municipality near), so the two are compared.
    const boundary = {
      type: 'Polygon',
      coordinates: [
        [
          [86.2, 55.3],
          [86.4, 55.3],
          [86.4, 55.4],
          [86.2, FAILING_LAT],
          [86.2, 55.3],
        ],
      ],
    };
    const created = await h.request('POST', '/api/v1/municipalities', { body: { nameRu: 'Сравнить нельзя', nameEn: 'Unchecked', oktmo: '32727099', populationOver14: 1, boundary } });
    expect(created.status).toBe(400);
    expect(created.body).toMatchObject({ code: 'VALIDATION', details: { field: 'boundary', municipalityId: h.municipality.Kemerovo } });
    expect(created.body.details.problem).toContain('Kemerovo');
    expect(await h.t.db.selectFrom('municipality').select('id').where('oktmo', '=', '32727099').execute()).toEqual([]);
    const put = await h.request('PUT', `/api/v1/municipalities/${h.municipality.Belovo}/boundary`, { body: { ...boundary } });
    expect(put.status).toBe(400);
    expect(put.body.details.field).toBe('boundary');
  });
});
