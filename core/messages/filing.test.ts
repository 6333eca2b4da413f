import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { categoryId, KEMEROVO_CENTER, NOVOKUZNETSK_CENTER, registeredResident } from '../../test/residents.ts';
import { giveConsent, withdrawConsent } from '../residents/consent.service.ts';
import { touchResident } from '../residents/resident.repository.ts';
import { fileMessage, type FileMessageInput } from './filing.service.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

async function countMessages() {
  const row = await t.db.selectFrom('message').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function input(overrides: Partial<FileMessageInput> = {}): Promise<FileMessageInput> {
  return {
    residentId: overrides.residentId ?? (await registeredResident(t.db, { municipalityId: t.demo.municipalities.Kemerovo })),
    categoryId: await categoryId(t.db, 'roads.pothole'),
    text: 'Яма',
    point: KEMEROVO_CENTER,
    channel: 'tg',
    ...overrides,
  };
}

describe('filing a message', () => {
  it('finds the municipality from the point', async () => {
    const { message } = await fileMessage(t.db, await input({ point: NOVOKUZNETSK_CENTER }), new Date());
    expect(message.municipalityId).toBe(t.demo.municipalities.Novokuznetsk);
  });

  it.each([
    ['at 0,0', { lat: 0, lon: 0 }, 'INVALID_POINT'],
    ['out of range', { lat: 95, lon: 86 }, 'INVALID_POINT'],
    ['in Moscow, outside every municipality', { lat: 55.7558, lon: 37.6173 }, 'OUTSIDE_MUNICIPALITY'],
    ['between Kemerovo and Belovo', { lat: 54.9, lon: 86.2 }, 'OUTSIDE_MUNICIPALITY'],
  ])('refuses a point %s and saves nothing', async (_name, point, code) => {
    const request = await input({ point });
    const before = await countMessages();
    await expect(fileMessage(t.db, request, new Date())).rejects.toMatchObject({ code });
    expect(await countMessages()).toBe(before);
  });

  it.each([
    ['empty', '   ', 'TEXT_EMPTY'],
    ['10,000 characters', 'я'.repeat(10_000), 'TEXT_TOO_LONG'],
  ])('refuses %s text', async (_name, text, code) => {
    const request = await input({ text });
    await expect(fileMessage(t.db, request, new Date())).rejects.toMatchObject({ code });
  });

  it('accepts exactly 4000 characters and refuses 6 photos', async () => {
    const { message } = await fileMessage(t.db, await input({ text: 'я'.repeat(4000) }), new Date());
    expect(message.text).toHaveLength(4000);
    const photos = Array.from({ length: 6 }, (_, i) => ({ fileId: `f${i}` }));
    await expect(fileMessage(t.db, await input({ photos }), new Date())).rejects.toMatchObject({ code: 'TOO_MANY_PHOTOS' });
  });

  it('refuses residents without consent or registration', async () => {
    const now = new Date();
    const { resident } = await touchResident(t.db, { channel: 'tg', externalId: '9000000001', chatId: '9000000001' }, now);
    await expect(fileMessage(t.db, await input({ residentId: resident.id }), now)).rejects.toMatchObject({ code: 'CONSENT_REQUIRED' });
    await giveConsent(t.db, resident.id, 'tg', 'text', now);
    await expect(fileMessage(t.db, await input({ residentId: resident.id }), now)).rejects.toMatchObject({ code: 'NOT_REGISTERED' });
    const registered = await registeredResident(t.db, { municipalityId: t.demo.municipalities.Kemerovo });
    await withdrawConsent(t.db, registered, now);
    await expect(fileMessage(t.db, await input({ residentId: registered }), now)).rejects.toMatchObject({ code: 'CONSENT_REQUIRED' });
  });

  it('refuses a resident who does not exist (RESIDENT_NOT_FOUND naming the id) and saves nothing', async () => {
    const before = await countMessages();
    await expect(fileMessage(t.db, await input({ residentId: 999_999 }), new Date())).rejects.toMatchObject({ code: 'RESIDENT_NOT_FOUND', details: { id: 999_999 } });
    expect(await countMessages()).toBe(before);
  });

  it('refuses an unknown category', async () => {
    await expect(fileMessage(t.db, await input({ categoryId: 999_999 }), new Date())).rejects.toMatchObject({ code: 'CATEGORY_NOT_FOUND' });
  });
});
