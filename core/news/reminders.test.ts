import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, isRealPostgres, type TestDatabase } from '../../test/database.ts';
import { eventDraft } from '../../test/event-draft.ts';
import { KEMEROVO_CENTER, registeredResident } from '../../test/residents.ts';
import { createEvent, publishEvent, queueDueReminders, remindMe, unremindMe, updateEvent } from './events.service.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const HOUR = 3_600_000;
const now = new Date('2026-12-01T03:00:00Z');

async function eventIn(hours: number, title = 'Концерт') {
  const draft = await createEvent(t.db, eventDraft({ municipalityId: t.demo.municipalities.Kemerovo, title, startsAt: new Date(now.getTime() + hours * HOUR) }), now);
  return publishEvent(t.db, draft.id, now, null);
}

const reminderRows = (resident: number) => t.db.selectFrom('outbox').select(['state', 'payload']).where('resident_id', '=', resident).where('kind', '=', 'event.reminder').orderBy('id').execute();

describe('a reminder queued and not sent yet follows an edit of what it shows', () => {
  it('a new title or a corrected map point alone: the reminder is queued again as the event now is; a description is not shown and changes nothing', async () => {
    const resident = await registeredResident(t.db, { municipalityId: t.demo.municipalities.Kemerovo, now });
    const event = await eventIn(1, 'Ёлка');
    expect(await remindMe(t.db, event.id, resident, now)).toBe('soon');

    await updateEvent(t.db, event.id, { description: 'Для всей семьи' }, new Date(now.getTime() + 1000));
    expect((await reminderRows(resident)).map((r) => r.state)).toEqual(['pending']);
    await updateEvent(t.db, event.id, { title: 'Новогодняя ёлка' }, new Date(now.getTime() + 2000));
    const pin = { ...event.venue, lat: KEMEROVO_CENTER.lat + 0.001 };
    // The same millisecond as the edit before: the queued-again reminder still gets its own row.
    await updateEvent(t.db, event.id, { venue: pin }, new Date(now.getTime() + 2000));
    const rows = await reminderRows(resident);
    expect(rows.map((r) => r.state)).toEqual(['cancelled', 'cancelled', 'pending']);
    expect(rows[2]!.payload).toMatchObject({ params: { title: 'Новогодняя ёлка' }, location: { lat: pin.lat } });
    const reminder = await t.db.selectFrom('event_reminder').select('queued_at').where('event_id', '=', event.id).executeTakeFirstOrThrow();
    expect(reminder.queued_at).not.toBeNull();
  });
});

describe('turning a reminder off while the cron run queues it', () => {
  it.runIf(isRealPostgres())('neither order sends it: a run after the turning off skips it, a run before it has its row cancelled', async () => {
    const at = new Date(now.getTime() + 1.5 * HOUR);

    // Turned off first (not committed yet): the run does not queue it behind the resident's back.
    const first = await registeredResident(t.db, { municipalityId: t.demo.municipalities.Kemerovo, now });
    const early = await eventIn(4);
    expect(await remindMe(t.db, early.id, first, now)).toBe('scheduled');
    const off = await t.db.startTransaction().execute();
    expect(await unremindMe(off, early.id, first)).toBe('off');
    const run = t.db.transaction().execute((trx) => queueDueReminders(trx, at));
    await Promise.race([run, new Promise((resolve) => setTimeout(resolve, 1000))]);
    await off.commit().execute();
    expect(await run).toEqual({ queued: 0, failed: 0 });
    expect(await reminderRows(first)).toEqual([]);

    // Queued first (the run not committed yet): turning off waits for it and cancels what it queued.
    const second = await registeredResident(t.db, { municipalityId: t.demo.municipalities.Kemerovo, now });
    const late = await eventIn(4.2);
    expect(await remindMe(t.db, late.id, second, now)).toBe('scheduled');
    const cron = await t.db.startTransaction().execute();
    expect(await queueDueReminders(cron, at)).toEqual({ queued: 1, failed: 0 });
    const turningOff = unremindMe(t.db, late.id, second);
    await Promise.race([turningOff, new Promise((resolve) => setTimeout(resolve, 200))]);
    await cron.commit().execute();
    expect(await turningOff).toBe('off');
    expect((await reminderRows(second)).map((r) => r.state)).toEqual(['cancelled']);
  });
});
