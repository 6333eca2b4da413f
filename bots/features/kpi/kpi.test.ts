import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignKpiResponsible } from '../../../core/kpi/kpi-responsible.service.ts';
import { saveStaffGroup } from '../../../core/kpi/groups.service.ts';
import { createLinkCode } from '../../../core/staff/link-codes.ts';
import { newChat } from '../../../test/bots/chats.ts';
import { BotHarness } from '../../../test/bots/harness.ts';
import { CHANNELS } from '../../../test/bots/player.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/database.ts';
import { operatorId } from '../../../test/staff.ts';
import { createTranslator } from '../../i18n.ts';

/** `/kpi` over HTTP in each messenger: a linked responsible official sees their indicators; anyone else is told it is for officials. */
let db: TestDatabase;
let harness: BotHarness;
const now = new Date('2026-12-01T03:00:00.000Z');
const t = createTranslator();

beforeAll(async () => {
  db = await createTestDatabase();
  harness = await BotHarness.start({ database: db, clock: () => now });
});
afterAll(async () => {
  await harness?.close();
  await db?.close();
});

describe.each(CHANNELS)('%s: /kpi', (channel) => {
  it('lists the indicators of a linked responsible official (in person and through a group)', async () => {
    const m = db.demo.municipalities.Kemerovo;
    const staffId = (
      await db.db
        .insertInto('staff')
        .values({ full_name: `Ответственный ${channel}`, role: 'responsible', municipality_id: m, executor_id: null })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    await assignKpiResponsible(db.db, { municipalityId: m, kpi: 16, staffId }, now);
    await saveStaffGroup(db.db, { municipalityId: m, name: `Рабочая группа ${channel}`, staffIds: [staffId], kpis: [6] }, now);
    const { code } = await createLinkCode(db.db, { actorStaffId: await operatorId(db.db), staffId }, now);
    const chat = newChat(harness, channel, 'Официальное лицо');
    await chat.say(`/start staff_${code}`);
    await chat.say('/kpi');
    const line = (kpi: number, mark: string, value: string, target: string) => t('ru', 'kpi.line', { mark, kpi, name: t('ru', `kpi.name_${kpi}`), value, target });
    // 1 December, 10:00 local: too early in the month to call a shortfall at risk.
    expect(chat.replyTexts).toEqual([['Ваши показатели за декабрь 2026 г.:', line(6, '🟢', '—', '≥ 45 %'), line(16, '🟢', '0', '≥ 20')].join('\n')]);
  });

  it('names the month in words and writes a share with a decimal comma in Russian', async () => {
    const m = db.demo.municipalities.Novokuznetsk;
    const staffId = (
      await db.db
        .insertInto('staff')
        .values({ full_name: `Ответственный за сроки ${channel}`, role: 'responsible', municipality_id: m, executor_id: null })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    await assignKpiResponsible(db.db, { municipalityId: m, kpi: 7, staffId }, now);
    const { code } = await createLinkCode(db.db, { actorStaffId: await operatorId(db.db), staffId }, now);
    const chat = newChat(harness, channel, 'Официальное лицо');
    await chat.say(`/start staff_${code}`);
    await chat.say('/kpi');
    expect(chat.replyTexts).toEqual([`Ваши показатели за декабрь 2026 г.:\n🟢 №7 ${t('ru', 'kpi.name_7')}: — (цель ≤ 0,3 %)`]);
  });

  it('tells a linked regional official (no municipality, so no indicator of their own) that none is assigned, not that /kpi is for officials', async () => {
    const staffId = (
      await db.db
        .insertInto('staff')
        .values({ full_name: `Куратор ЦУР ${channel}`, role: 'curator', municipality_id: null, executor_id: null })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const { code } = await createLinkCode(db.db, { actorStaffId: await operatorId(db.db), staffId }, now);
    const chat = newChat(harness, channel, 'Куратор ЦУР');
    await chat.say(`/start staff_${code}`);
    await chat.say('/kpi');
    expect(chat.replyTexts).toEqual([t('ru', 'kpi.none')]);
  });

  it('tells a resident who is not a linked official that the command is for officials', async () => {
    const chat = newChat(harness, channel, 'Житель');
    await chat.say('/kpi');
    expect(chat.replyTexts).toEqual([t('ru', 'kpi.not_official')]);
  });
});
