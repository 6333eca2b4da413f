import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { demoStaff, operatorId } from '../../test/staff.ts';
import { DEFAULT_LINK_CODE_TTL_HOURS, consumeLinkCode, createLinkCode, linkCodeFromStartPayload, staffByIdentity, staffStartPayload, unlinkIdentity, unlinkStaff } from './link-codes.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const now = new Date('2026-11-10T03:00:00Z');
const later = (hours: number) => new Date(now.getTime() + hours * 3_600_000);
const tg = (id: string) => ({ channel: 'tg' as const, externalId: id, chatId: id });

async function identities(staffId: number) {
  return t.db.selectFrom('staff_identity').select(['channel', 'external_id', 'chat_id']).where('staff_id', '=', staffId).orderBy('channel').execute();
}

describe('staff link codes', () => {
  it('create → consume links the messenger account; only a hash is stored', async () => {
    const kemerovo = await demoStaff(t.db, t.demo.municipalities.Kemerovo);
    const issued = await createLinkCode(t.db, { actorStaffId: kemerovo.curator, staffId: kemerovo.executor }, now);
    expect(issued.code).toMatch(/^[a-z2-9]{16}$/);
    expect(issued.expiresAt).toEqual(later(DEFAULT_LINK_CODE_TTL_HOURS));
    const stored = await t.db.selectFrom('staff_link_code').selectAll().where('staff_id', '=', kemerovo.executor).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.code_hash).not.toContain(issued.code);
    expect(stored[0]!.created_by).toBe(kemerovo.curator);

    const payload = staffStartPayload(issued.code);
    expect(payload).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(linkCodeFromStartPayload(payload)).toBe(issued.code);
    expect(linkCodeFromStartPayload('ref_123')).toBeNull();
    expect(linkCodeFromStartPayload('staff_')).toBeNull();
    expect(linkCodeFromStartPayload(undefined)).toBeNull();

    const linked = await consumeLinkCode(t.db, `  ${issued.code.toUpperCase()} `, tg('1001'), later(1));
    expect(linked).toEqual({ staffId: kemerovo.executor, role: 'executor', municipalityId: t.demo.municipalities.Kemerovo, language: 'ru' });
    expect(await identities(kemerovo.executor)).toEqual([{ channel: 'tg', external_id: '1001', chat_id: '1001' }]);
    expect(await staffByIdentity(t.db, 'tg', '1001')).toMatchObject({ staffId: kemerovo.executor });
  });

  it('refuses a used code, an expired code and an unknown code', async () => {
    const belovo = await demoStaff(t.db, t.demo.municipalities.Belovo);
    const used = await createLinkCode(t.db, { actorStaffId: belovo.curator, staffId: belovo.moderator }, now);
    await consumeLinkCode(t.db, used.code, tg('2001'), later(1));
    await expect(consumeLinkCode(t.db, used.code, tg('2002'), later(2))).rejects.toMatchObject({ code: 'LINK_CODE_USED' });

    const expiring = await createLinkCode(t.db, { actorStaffId: belovo.curator, staffId: belovo.executor, ttlHours: 2 }, now);
    await expect(consumeLinkCode(t.db, expiring.code, tg('2003'), later(2))).rejects.toMatchObject({ code: 'LINK_CODE_EXPIRED' });
    await expect(consumeLinkCode(t.db, 'abcdefghjkmnpqrs', tg('2004'), later(1))).rejects.toMatchObject({ code: 'LINK_CODE_INVALID' });
    await expect(consumeLinkCode(t.db, '', tg('2004'), later(1))).rejects.toMatchObject({ code: 'LINK_CODE_INVALID' });
    expect(await identities(belovo.executor)).toEqual([]);
    expect(await staffByIdentity(t.db, 'tg', '2002')).toBeNull();
  });

  it('a new code replaces an unused older one', async () => {
    const belovo = await demoStaff(t.db, t.demo.municipalities.Belovo);
    const first = await createLinkCode(t.db, { actorStaffId: belovo.curator, staffId: belovo.utilityExecutor }, now);
    const second = await createLinkCode(t.db, { actorStaffId: belovo.curator, staffId: belovo.utilityExecutor }, later(1));
    await expect(consumeLinkCode(t.db, first.code, tg('2101'), later(2))).rejects.toMatchObject({ code: 'LINK_CODE_INVALID' });
    await expect(consumeLinkCode(t.db, second.code, tg('2101'), later(2))).resolves.toMatchObject({ staffId: belovo.utilityExecutor });
  });

  it('only an operator, or a curator of the same municipality, issues codes', async () => {
    const kemerovo = await demoStaff(t.db, t.demo.municipalities.Kemerovo);
    const novokuznetsk = await demoStaff(t.db, t.demo.municipalities.Novokuznetsk);
    const operator = await operatorId(t.db);
    await expect(createLinkCode(t.db, { actorStaffId: novokuznetsk.curator, staffId: kemerovo.executor }, now)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(createLinkCode(t.db, { actorStaffId: kemerovo.moderator, staffId: kemerovo.executor }, now)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(createLinkCode(t.db, { actorStaffId: kemerovo.executor, staffId: kemerovo.executor }, now)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(createLinkCode(t.db, { actorStaffId: kemerovo.curator, staffId: operator }, now)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(createLinkCode(t.db, { actorStaffId: operator, staffId: 999_999 }, now)).rejects.toMatchObject({ code: 'STAFF_NOT_FOUND' });
    await expect(createLinkCode(t.db, { actorStaffId: operator, staffId: novokuznetsk.executor }, now)).resolves.toMatchObject({ staffId: novokuznetsk.executor });
    const refused = await t.db.selectFrom('staff_link_code').select('id').where('staff_id', '=', kemerovo.executor).where('created_by', '=', novokuznetsk.curator).execute();
    expect(refused).toEqual([]);
  });

  it('relinking replaces the old identity of that channel, and an account belongs to one official', async () => {
    const novokuznetsk = await demoStaff(t.db, t.demo.municipalities.Novokuznetsk);
    const operator = await operatorId(t.db);
    const link = async (staffId: number, externalId: string, channel: 'tg' | 'vk' = 'tg') => {
      const { code } = await createLinkCode(t.db, { actorStaffId: operator, staffId }, now);
      return consumeLinkCode(t.db, code, { channel, externalId, chatId: `chat-${externalId}` }, later(1));
    };
    await link(novokuznetsk.curator, '3001');
    await link(novokuznetsk.curator, '3001', 'vk');
    await link(novokuznetsk.curator, '3002');
    expect(await identities(novokuznetsk.curator)).toEqual([
      { channel: 'tg', external_id: '3002', chat_id: 'chat-3002' },
      { channel: 'vk', external_id: '3001', chat_id: 'chat-3001' },
    ]);
    // The same Telegram account now links the moderator: it leaves the curator.
    await link(novokuznetsk.moderator, '3002');
    expect((await identities(novokuznetsk.curator)).map((i) => i.channel)).toEqual(['vk']);
    expect(await staffByIdentity(t.db, 'tg', '3002')).toMatchObject({ staffId: novokuznetsk.moderator, role: 'moderator' });
  });

  it('unlinks one channel, all channels, or the account that asks', async () => {
    const novokuznetsk = await demoStaff(t.db, t.demo.municipalities.Novokuznetsk);
    const operator = await operatorId(t.db);
    for (const channel of ['tg', 'vk'] as const) {
      const { code } = await createLinkCode(t.db, { actorStaffId: operator, staffId: novokuznetsk.executor }, now);
      await consumeLinkCode(t.db, code, { channel, externalId: `40${channel}`, chatId: `40${channel}` }, later(1));
    }
    expect(await unlinkStaff(t.db, novokuznetsk.executor, 'vk')).toBe(1);
    expect((await identities(novokuznetsk.executor)).map((i) => i.channel)).toEqual(['tg']);
    expect(await unlinkIdentity(t.db, 'tg', '40tg')).toBe(novokuznetsk.executor);
    expect(await unlinkIdentity(t.db, 'tg', '40tg')).toBeNull();
    expect(await unlinkStaff(t.db, novokuznetsk.executor)).toBe(0);
    expect(await identities(novokuznetsk.executor)).toEqual([]);
  });
});
