import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { NOVOKUZNETSK_CENTER } from '../../test/residents.ts';
import { demoStaff, linkStaff, messageInWork } from '../../test/staff.ts';
import { draftAnswer } from '../messages/answers.service.ts';
import { listAlerts } from './alerts.ts';
import { runFirstResponseAlerts } from './deadlines.ts';

let t: TestDatabase;
let kemerovo: number;
let novokuznetsk: number;
beforeAll(async () => {
  t = await createTestDatabase();
  kemerovo = t.demo.municipalities.Kemerovo;
  novokuznetsk = t.demo.municipalities.Novokuznetsk;
  for (const municipality of [kemerovo, novokuznetsk]) {
    const s = await demoStaff(t.db, municipality);
    for (const id of [s.executor, s.curator, s.moderator]) await linkStaff(t.db, id);
  }
});
afterAll(() => t.close());

/** Local wall-clock time in Kuzbass (UTC+7, no DST) as a UTC instant. */
const local = (iso: string) => new Date(`${iso}+07:00`);

async function lateAlerts(messageId: number) {
  return (await listAlerts(t.db, { messageId, kind: 'alert.first_response_late' })).map((a) => a.staffId).sort();
}

describe('the one-working-hour rule for open-source and urgent messages (seed 004 §13)', () => {
  it('accepted Friday 17:30: the hour ends Monday 09:30, and only then are executor and curator alerted, once', async () => {
    const staff = await demoStaff(t.db, kemerovo);
    const urgent = await messageInWork(t.db, { municipalityId: kemerovo, acceptedAt: local('2026-11-06T17:30:00'), flags: { urgent: true } });
    const plain = await messageInWork(t.db, { municipalityId: kemerovo, acceptedAt: local('2026-11-06T17:30:00') });

    for (const at of ['2026-11-06T18:31:00', '2026-11-07T12:00:00', '2026-11-08T23:59:00', '2026-11-09T09:29:59']) {
      expect(await runFirstResponseAlerts(t.db, local(at)), at).toMatchObject({ alerts: 0 });
    }
    expect(await lateAlerts(urgent)).toEqual([]);

    expect(await runFirstResponseAlerts(t.db, local('2026-11-09T09:30:00'))).toEqual({ messages: 1, alerts: 2, queued: 2 });
    expect(await lateAlerts(urgent)).toEqual([staff.executor, staff.curator].sort());
    const rows = await t.db.selectFrom('outbox').select(['staff_id', 'payload']).where('kind', '=', 'alert.first_response_late').execute();
    expect(rows.find((r) => r.staff_id === staff.executor)!.payload).toMatchObject({ key: 'alert.first_response_late', params: { messageId: urgent, due: '09.11.2026 09:30', context: 'urgent' } });

    expect(await runFirstResponseAlerts(t.db, local('2026-11-09T10:00:00'))).toMatchObject({ alerts: 0, queued: 0 });
    expect(await lateAlerts(plain)).toEqual([]);
  });

  it('a draft of any kind within the hour (here a clarification request, still unapproved) means no alert', async () => {
    const staff = await demoStaff(t.db, kemerovo);
    const id = await messageInWork(t.db, { municipalityId: kemerovo, acceptedAt: local('2026-11-13T17:30:00'), flags: { openSource: true } });
    await draftAnswer(t.db, { messageId: id, kind: 'clarification', text: 'Уточните адрес', actor: { kind: 'staff', staffId: staff.executor } }, local('2026-11-16T09:10:00'));
    await runFirstResponseAlerts(t.db, local('2026-11-16T10:00:00'));
    expect(await lateAlerts(id)).toEqual([]);
  });

  it('a holiday on Monday moves the end of the hour to Tuesday 09:30', async () => {
    await t.db.updateTable('municipality').set({ work_calendar: JSON.stringify({ holidays: ['2026-12-14'] }) }).where('id', '=', novokuznetsk).execute();
    const staff = await demoStaff(t.db, novokuznetsk);
    const id = await messageInWork(t.db, { municipalityId: novokuznetsk, acceptedAt: local('2026-12-11T17:30:00'), flags: { openSource: true }, point: NOVOKUZNETSK_CENTER });

    expect(await runFirstResponseAlerts(t.db, local('2026-12-14T12:00:00'))).toMatchObject({ alerts: 0 });
    expect(await runFirstResponseAlerts(t.db, local('2026-12-15T09:29:00'))).toMatchObject({ alerts: 0 });
    expect(await runFirstResponseAlerts(t.db, local('2026-12-15T09:30:00'))).toMatchObject({ messages: 1, alerts: 2 });
    expect(await lateAlerts(id)).toEqual([staff.executor, staff.curator].sort());
    const row = await t.db.selectFrom('outbox').select('payload').where('kind', '=', 'alert.first_response_late').where('staff_id', '=', staff.curator).executeTakeFirstOrThrow();
    expect(row.payload.params).toMatchObject({ due: '15.12.2026 09:30', context: 'open_source' });
  });
});
