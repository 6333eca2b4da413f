import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { demoStaff, messageInWork, operatorId } from '../../test/staff.ts';
import { draftAnswer } from '../messages/answers.service.ts';
import { authorizeAlertAction } from './authorize.ts';
import { parseAlertButton } from './buttons.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

describe('who may press an alert button', () => {
  it('answer buttons: the assigned executor only; approve / return: curators of that municipality and operators; what an official cannot see is "not found"', async () => {
    const kemerovo = await demoStaff(t.db, t.demo.municipalities.Kemerovo);
    const novokuznetsk = await demoStaff(t.db, t.demo.municipalities.Novokuznetsk);
    const id = await messageInWork(t.db, { municipalityId: t.demo.municipalities.Kemerovo, acceptedAt: new Date('2026-11-02T03:00:00Z') });
    const answerTap = parseAlertButton(`!ans:f:${id}`)!;
    await expect(authorizeAlertAction(t.db, kemerovo.executor, answerTap)).resolves.toBeUndefined();
    // Another organisation's executor and another municipality's see no such message: as if it were missing.
    for (const other of [kemerovo.utilityExecutor, novokuznetsk.executor, novokuznetsk.curator]) {
      await expect(authorizeAlertAction(t.db, other, answerTap)).rejects.toMatchObject({ code: 'MESSAGE_NOT_FOUND', details: { id } });
    }
    await expect(authorizeAlertAction(t.db, kemerovo.curator, answerTap)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(authorizeAlertAction(t.db, kemerovo.executor, parseAlertButton('!ans:i:999999')!)).rejects.toMatchObject({ code: 'MESSAGE_NOT_FOUND' });

    const { answer } = await draftAnswer(t.db, { messageId: id, kind: 'intermediate', text: 'В работе', actor: { kind: 'staff', staffId: kemerovo.executor } }, new Date('2026-11-03T03:00:00Z'));
    const approveTap = parseAlertButton(`!apr:a:${answer.id}`)!;
    await expect(authorizeAlertAction(t.db, kemerovo.curator, approveTap)).resolves.toBeUndefined();
    await expect(authorizeAlertAction(t.db, await operatorId(t.db), parseAlertButton(`!apr:r:${answer.id}`)!)).resolves.toBeUndefined();
    await expect(authorizeAlertAction(t.db, novokuznetsk.curator, approveTap)).rejects.toMatchObject({ code: 'ANSWER_NOT_FOUND' });
    await expect(authorizeAlertAction(t.db, kemerovo.utilityExecutor, approveTap)).rejects.toMatchObject({ code: 'ANSWER_NOT_FOUND' });
    for (const other of [kemerovo.executor, kemerovo.moderator]) {
      await expect(authorizeAlertAction(t.db, other, approveTap)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    await t.db.updateTable('staff').set({ active: false }).where('id', '=', kemerovo.curator).execute();
    await expect(authorizeAlertAction(t.db, kemerovo.curator, approveTap)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
