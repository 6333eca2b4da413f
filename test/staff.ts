import type { Channel, Db } from '../core/db/types.ts';
import { approveAnswer, draftAnswer } from '../core/messages/answers.service.ts';
import { acceptMessage } from '../core/messages/moderation.service.ts';
import { fileMessage } from '../core/messages/filing.service.ts';
import { consumeLinkCode, createLinkCode } from '../core/staff/link-codes.ts';
import { categoryId, KEMEROVO_CENTER, registeredResident } from './residents.ts';

let counter = 0;

/** The region's operator (the demo seed has none); created on first use. */
export async function operatorId(db: Db): Promise<number> {
  const existing = await db.selectFrom('staff').select('id').where('role', '=', 'operator').orderBy('id').executeTakeFirst();
  if (existing) return existing.id;
  const row = await db.insertInto('staff').values({ full_name: 'Оператор', role: 'operator', municipality_id: null, executor_id: null }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Links a messenger account to a staff member the way officials do it (a code, then /start); returns the chat id. */
export async function linkStaff(db: Db, staffId: number, channel: Channel = 'tg', now = new Date('2026-11-01T00:00:00Z')): Promise<string> {
  const { code } = await createLinkCode(db, { actorStaffId: await operatorId(db), staffId }, now);
  const externalId = String(7_000_000_000 + process.pid * 1000 + ++counter);
  await consumeLinkCode(db, code, { channel, externalId, chatId: externalId }, now);
  return externalId;
}

/** The staff of a demo municipality by role; `executor` is the city administration's official. */
export async function demoStaff(db: Db, municipalityId: number) {
  const rows = await db.selectFrom('staff').select(['id', 'role', 'full_name', 'executor_id']).where('municipality_id', '=', municipalityId).orderBy('id').execute();
  const find = (pick: (r: (typeof rows)[number]) => boolean) => rows.find(pick)!.id;
  return {
    curator: find((r) => r.role === 'curator'),
    moderator: find((r) => r.role === 'moderator'),
    executor: find((r) => r.role === 'executor' && !r.full_name.includes('УК')),
    utilityExecutor: find((r) => r.role === 'executor' && r.full_name.includes('УК')),
  };
}

/** A regional curator (no municipality: the ЦУР's), linked to Telegram unless `linked` is false. */
export async function regionalCurator(db: Db, name: string, options: { linked?: boolean; active?: boolean } = {}): Promise<number> {
  const { id } = await db.insertInto('staff').values({ full_name: name, role: 'curator', municipality_id: null, executor_id: null }).returning('id').executeTakeFirstOrThrow();
  if (options.linked !== false) await linkStaff(db, id);
  if (options.active === false) await db.updateTable('staff').set({ active: false }).where('id', '=', id).execute();
  return id;
}

/**
 * A pothole report in Kemerovo filed and accepted at `acceptedAt` (routed to the city
 * administration); `flags` marks it open-source or urgent before acceptance.
 */
export async function messageInWork(
  db: Db,
  options: { municipalityId: number; acceptedAt: Date; flags?: { openSource?: boolean; urgent?: boolean }; point?: { lat: number; lon: number } },
): Promise<number> {
  const filedAt = new Date(options.acceptedAt.getTime() - 60_000);
  const residentId = await registeredResident(db, { municipalityId: options.municipalityId, now: filedAt });
  const { message } = await fileMessage(
    db,
    { residentId, categoryId: await categoryId(db, 'roads.pothole'), text: 'Яма на дороге', point: options.point ?? KEMEROVO_CENTER, channel: 'tg' },
    filedAt,
  );
  if (options.flags) {
    await db.updateTable('message').set({ open_source: options.flags.openSource ?? false, urgent: options.flags.urgent ?? false }).where('id', '=', message.id).execute();
  }
  const moderator = await db.selectFrom('staff').select('id').where('municipality_id', '=', options.municipalityId).where('role', '=', 'moderator').executeTakeFirstOrThrow();
  await acceptMessage(db, { messageId: message.id, actor: { kind: 'staff', staffId: moderator.id } }, options.acceptedAt);
  return message.id;
}

/**
 * A message as messageInWork makes it, closed as solved: the city administration's final answer at
 * `solvedAt`, approved by the curator an hour later where answers need approval.
 */
export async function solvedMessage(db: Db, options: { municipalityId: number; acceptedAt: Date; solvedAt: Date; point?: { lat: number; lon: number } }): Promise<number> {
  const messageId = await messageInWork(db, options);
  const staff = await demoStaff(db, options.municipalityId);
  const { answer } = await draftAnswer(
    db,
    { messageId, kind: 'final', resolution: 'solved', text: 'Яму заделали.', actor: { kind: 'staff', staffId: staff.executor } },
    options.solvedAt,
  );
  if (answer.state === 'draft') await approveAnswer(db, { answerId: answer.id, actor: { kind: 'staff', staffId: staff.curator } }, new Date(options.solvedAt.getTime() + 3_600_000));
  return messageId;
}
