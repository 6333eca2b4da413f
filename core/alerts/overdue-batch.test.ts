import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshMunicipality, insertMessages } from '../kpi/tests/kpi-data.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { linkStaff } from '../../test/staff.ts';
import { ALERT_BATCH, overdueScan, runOverdueAlerts } from './deadlines.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

describe('the overdue alert job over a backlog', () => {
  it('alerts every message once in batches, then its scan finds nothing to do', async () => {
    const m = await freshMunicipality(t.db);
    const executor = (await t.db.insertInto('executor').values({ municipality_id: m, name: 'Служба заказчика ЖКХ', kind: 'organisation' }).returning('id').executeTakeFirstOrThrow()).id;
    const official = (await t.db.insertInto('staff').values({ full_name: 'Исполнитель', role: 'executor', municipality_id: m, executor_id: executor }).returning('id').executeTakeFirstOrThrow()).id;
    const curator = (await t.db.insertInto('staff').values({ full_name: 'Куратор', role: 'curator', municipality_id: m, executor_id: null }).returning('id').executeTakeFirstOrThrow()).id;
    await linkStaff(t.db, official);
    const backlog = 2 * ALERT_BATCH + 37;
    const accepted = new Date('2026-10-01T03:00:00Z');
    await insertMessages(t.db, m, { count: backlog, executorId: executor, acceptedAt: accepted });
    // Excused by an intermediate answer on day 10: never alerted, and not even scanned.
    await insertMessages(t.db, m, { count: 5, executorId: executor, acceptedAt: accepted, firstIntermediateAt: new Date(accepted.getTime() + 10 * 86_400_000) });
    const now = new Date('2026-11-20T03:00:00Z');

    const run = await runOverdueAlerts(t.db, now);
    expect(run).toEqual({ messages: backlog, alerts: 2 * backlog, queued: backlog });
    expect(await overdueScan(t.db, now).execute()).toEqual([]);
    const alerted = await t.db.selectFrom('staff_alert').select(['staff_id']).where('kind', '=', 'alert.overdue').where('staff_id', 'in', [official, curator]).execute();
    expect(alerted).toHaveLength(2 * backlog);
    expect(await runOverdueAlerts(t.db, new Date(now.getTime() + 900_000))).toEqual({ messages: 0, alerts: 0, queued: 0 });
  });
});
