import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';

// Two triangles far from the demo region that polygon-clipping 0.15 cannot intersect ("Unable to
// complete output ring …", in either order), though neither is invalid: the library's own failure.
const triangle = (points: [number, number][]) => ({ type: 'Polygon', coordinates: [[...points, points[0]!]] });
const COMPARED = triangle([
  [123.2, 61.400000000000006],
  [120.6, 62.099999999999994],
  [121.3, 60.5],
]);
const UNCOMPARABLE = triangle([
  [121.5, 60.3],
  [123.7, 63.7],
  [120.7, 61.1],
]);

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

describe('a boundary the overlap check cannot compare', () => {
  it('is 400 VALIDATION naming the boundary and the municipality it could not be compared with, saving nothing, not 500', async () => {
    const compared = await h.request('POST', '/api/v1/municipalities', { body: { nameRu: 'Сравниваемый', nameEn: 'Compared', oktmo: '32727098', populationOver14: 1, boundary: COMPARED } });
    expect(compared.status).toBe(201);
    const created = await h.request('POST', '/api/v1/municipalities', { body: { nameRu: 'Сравнить нельзя', nameEn: 'Unchecked', oktmo: '32727099', populationOver14: 1, boundary: UNCOMPARABLE } });
    expect(created.status).toBe(400);
    expect(created.body).toMatchObject({ code: 'VALIDATION', details: { field: 'boundary', municipalityId: compared.body.id } });
    expect(created.body.details.problem).toContain('Compared');
    expect(created.body.details.problem).toContain('Unable to complete output ring');
    expect(await h.t.db.selectFrom('municipality').select('id').where('oktmo', '=', '32727099').execute()).toEqual([]);
    const put = await h.request('PUT', `/api/v1/municipalities/${h.municipality.Belovo}/boundary`, { body: UNCOMPARABLE });
    expect(put.status).toBe(400);
    expect(put.body.details).toMatchObject({ field: 'boundary', municipalityId: compared.body.id });
  });
});
