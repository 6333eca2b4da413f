import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshMunicipality, insertMessages, local } from '../../../core/kpi/tests/kpi-data.ts';
import { snapshotPeriod } from '../../../core/kpi/snapshots.ts';
import { getMunicipality } from '../../../core/municipalities/municipality.repository.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';

/**
 * An ended month's official figure is its snapshot (seed 000: the indicators are «за месяц»; the ЦУР
 * reports each month, seeds 002 §1.2 and 004 §25): a message reopened after the month ended changes
 * the live figure, not the month's, until POST /kpi/recompute; the response says when the snapshot was
 * taken and that the data now differ. The running month, and an ended one without a snapshot, are live.
 * The harness's clock: 1 December 2026, 10:00 in Kemerovo (UTC+7).
 */
let h: ApiHarness;
let m: number;
/** KPI 6 (solved among answered): two solved and two explained messages closed in each month. */
const ids: Record<string, number[]> = {};
beforeAll(async () => {
  h = await createApiHarness();
  m = await freshMunicipality(h.t.db);
  const months = { '2026-10': ['2026-10-10', '2026-10-12'], '2026-11': ['2026-11-10', '2026-11-12'], '2026-12': ['2026-12-01', '2026-12-01'] };
  for (const [month, [solvedOn, explainedOn]] of Object.entries(months)) {
    const at = (day: string, time: string) => local(`${day}T${time}`);
    const solved = await insertMessages(h.t.db, m, { count: 2, status: 'solved', createdAt: at(solvedOn!, '01:00:00'), acceptedAt: at(solvedOn!, '02:00:00'), closedAt: at(solvedOn!, '03:00:00') });
    await insertMessages(h.t.db, m, { count: 2, status: 'explained', createdAt: at(explainedOn!, '01:00:00'), acceptedAt: at(explainedOn!, '02:00:00'), closedAt: at(explainedOn!, '04:00:00') });
    ids[month] = solved;
  }
  // What the cron job kpi-snapshots does at 00:20: November frozen; October (before the platform had snapshots) not.
  await snapshotPeriod(h.t.db, await getMunicipality(h.t.db, m), '2026-11', h.now());
});
afterAll(() => h.close());

const kpi = async (period: string, n: number) => {
  const res = await h.request('GET', `/api/v1/kpi?municipalityId=${m}&period=${period}`);
  expect(res.status, period).toBe(200);
  return res.body.items.find((i: { kpi: number }) => i.kpi === n);
};
const reopen = async (id: number) => expect((await h.request('POST', `/api/v1/messages/${id}/reopen`, { body: { reason: 'Проблема не решена' } })).status).toBe(200);

describe('an ended month with a snapshot', () => {
  const snapshotAt = '2026-12-01T03:00:00.000Z';

  it('before any change: the snapshot, its time, the data not differing', async () => {
    expect(await kpi('2026-11', 6)).toMatchObject({
      numerator: 2,
      denominator: 4,
      value: 0.5,
      status: 'met',
      fromSnapshot: true,
      snapshotAt,
      snapshotRecomputed: false,
      liveDiffers: false,
      live: null,
    });
  });

  it('a message reopened after the month ended leaves the month as frozen and says the data now differ, on GET /kpi and GET /kpi/region', async () => {
    h.advance(60 * 60_000);
    await reopen(ids['2026-11']![0]!);
    const six = await kpi('2026-11', 6);
    expect(six).toMatchObject({ numerator: 2, denominator: 4, value: 0.5, status: 'met', fromSnapshot: true, snapshotAt, liveDiffers: true });
    expect(six.live).toMatchObject({ numerator: 1, denominator: 3, status: 'missed', asOf: '2026-11-30T17:00:00.000Z' });
    expect(six.live.value).toBeCloseTo(1 / 3, 9);
    // An indicator the reopening does not touch.
    expect(await kpi('2026-11', 4)).toMatchObject({ fromSnapshot: true, snapshotAt, liveDiffers: false, live: null });
    const region = await h.request('GET', '/api/v1/kpi/region?period=2026-11');
    expect(region.status).toBe(200);
    const row = region.body.items.find((r: { municipalityId: number }) => r.municipalityId === m);
    expect(row.indicators.find((i: { kpi: number }) => i.kpi === 6)).toMatchObject({ numerator: 2, value: 0.5, status: 'met', fromSnapshot: true, snapshotAt, liveDiffers: true });
    // December's trend compares with November's official figure, not with the live one.
    expect((await kpi('2026-12', 6)).trend).toMatchObject({ previousPeriod: '2026-11', previousValue: 0.5 });
  });

  it('POST /kpi/recompute makes the live figure the snapshot: the new figure, its time, recomputed, no difference', async () => {
    h.advance(60 * 60_000);
    const res = await h.request('POST', '/api/v1/kpi/recompute', { body: { municipalityId: m, period: '2026-11' } });
    expect(res.status).toBe(200);
    const recomputedAt = h.now().toISOString();
    expect(res.body.items.find((i: { kpi: number }) => i.kpi === 6)).toMatchObject({
      numerator: 1,
      denominator: 3,
      status: 'missed',
      fromSnapshot: true,
      snapshotAt: recomputedAt,
      snapshotRecomputed: true,
    });
    const six = await kpi('2026-11', 6);
    expect(six).toMatchObject({ numerator: 1, denominator: 3, status: 'missed', fromSnapshot: true, snapshotAt: recomputedAt, snapshotRecomputed: true, liveDiffers: false, live: null });
  });

  it('bad input is refused as before', async () => {
    for (const period of ['2026-13', 'november', '2026-11-01']) expect((await h.request('GET', `/api/v1/kpi?municipalityId=${m}&period=${period}`)).status, period).toBe(400);
    expect((await h.request('GET', '/api/v1/kpi/region?period=2026-1')).status).toBe(400);
    expect((await h.request('POST', '/api/v1/kpi/recompute', { body: { municipalityId: m, period: '2026-12' } })).status).toBe(400);
    expect((await h.request('POST', '/api/v1/kpi/recompute', { body: { municipalityId: m, period: 'last month' } })).status).toBe(400);
    expect((await h.request('GET', `/api/v1/kpi?municipalityId=${m}&period=2027-01`)).status).toBe(422);
  });
});

describe('measured live', () => {
  it('the running month changes at once when a message is reopened; no snapshot fields', async () => {
    expect(await kpi('2026-12', 6)).toMatchObject({ numerator: 2, denominator: 4, fromSnapshot: false, snapshotAt: null, snapshotRecomputed: false, liveDiffers: null, live: null });
    await reopen(ids['2026-12']![0]!);
    expect(await kpi('2026-12', 6)).toMatchObject({ numerator: 1, denominator: 3, fromSnapshot: false, snapshotAt: null, liveDiffers: null });
  });

  it('an ended month without a snapshot changes too', async () => {
    expect(await kpi('2026-10', 6)).toMatchObject({ numerator: 2, denominator: 4, status: 'met', fromSnapshot: false, snapshotAt: null, liveDiffers: null });
    await reopen(ids['2026-10']![0]!);
    expect(await kpi('2026-10', 6)).toMatchObject({ numerator: 1, denominator: 3, status: 'missed', fromSnapshot: false, snapshotAt: null, liveDiffers: null });
  });
});
