import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { consoleTestPerFile, navOf, ru } from '../../test/console-browser.ts';
import { linkStaff, messageInWork, operatorId } from '../../test/staff.ts';
import { approveAnswer, draftAnswer } from '../../core/messages/answers.service.ts';
import { rateMessage } from '../../core/messages/feedback.service.ts';

/**
 * API capabilities officials had no console page for: adding a staff member, changing their
 * settings (how new messages are announced to a moderator), unlinking a lost messenger (the card says which are linked).
 */
const now = new Date('2026-12-01T03:00:00.000Z');

const world = consoleTestPerFile({ clock: () => now });

/** The browser's own message for an invalid field (what its bubble says). */
const bubble = (page: Page, label: string) => page.getByLabel(label, { exact: true }).evaluate((el) => (el as unknown as { validationMessage: string }).validationMessage);

describe('staff in the console', () => {
  it('an operator adds an executor official: the executor is required, then the card opens and the row exists', async () => {
    const db = world.db.db;
    const operator = await world.signIn(await operatorId(db));
    await operator.getByRole('link', { name: ru('nav.directories'), exact: true }).click();
    await operator.getByRole('link', { name: ru('directories.new_staff') }).click();
    await operator.getByRole('heading', { name: ru('staff_card.new') }).waitFor();
    await operator.getByLabel(ru('staff_card.full_name')).fill('Петров Пётр Петрович');
    await operator.getByLabel(ru('directories.role')).selectOption('executor');
    await operator.getByLabel(ru('incidents.municipality')).selectOption(String(world.kemerovo));
    // No executor chosen: said at the field, in Russian, and nothing is sent.
    await operator.getByRole('button', { name: ru('staff_card.create') }).click();
    expect(await bubble(operator, ru('directories.executors'))).toBe(ru('staff_card.executor_required'));
    expect(await db.selectFrom('staff').select('id').where('full_name', '=', 'Петров Пётр Петрович').execute()).toEqual([]);

    const executor = await db.selectFrom('executor').select(['id', 'name']).where('municipality_id', '=', world.kemerovo).where('active', '=', true).orderBy('id').executeTakeFirstOrThrow();
    await operator.getByLabel(ru('directories.executors')).selectOption(String(executor.id));
    await operator.getByRole('button', { name: ru('staff_card.create') }).click();
    await operator.getByRole('heading', { name: 'Петров Пётр Петрович' }).waitFor();
    await operator.getByText(ru('staff_card.created', { name: 'Петров Пётр Петрович' })).waitFor();
    const row = await db.selectFrom('staff').select(['role', 'municipality_id', 'executor_id', 'active']).where('full_name', '=', 'Петров Пётр Петрович').executeTakeFirstOrThrow();
    expect(row).toEqual({ role: 'executor', municipality_id: world.kemerovo, executor_id: executor.id, active: true });
    expect(await world.seriousViolations(operator)).toEqual([]);
    await operator.context().close();
  }, 60_000);

  it('a new staff member without a name is refused at the field in Russian', async () => {
    const operator = await world.signIn(await operatorId(world.db.db));
    await operator.goto(`${world.harness.url}/console#/directories/new-staff`);
    await operator.getByRole('heading', { name: ru('staff_card.new') }).waitFor();
    await operator.getByLabel(ru('staff_card.full_name')).fill('   ');
    await operator.getByRole('button', { name: ru('staff_card.create') }).click();
    expect(await bubble(operator, ru('staff_card.full_name'))).toBe(ru('staff_card.name_required'));
    await operator.context().close();
  }, 60_000);

  it("an operator switches a moderator's alerts to the digest and renames them; an empty name is refused", async () => {
    const db = world.db.db;
    const operator = await world.signIn(await operatorId(db));
    await operator.goto(`${world.harness.url}/console#/staff/${world.staff.moderator}`);
    await operator.getByRole('heading', { name: ru('staff_card.settings') }).waitFor();
    expect(await operator.getByLabel(ru('staff_card.alerts')).inputValue()).toBe('immediate');
    await operator.getByLabel(ru('staff_card.full_name')).fill('');
    await operator.getByRole('button', { name: ru('staff_card.save') }).click();
    expect(await bubble(operator, ru('staff_card.full_name'))).toBe(ru('staff_card.name_required'));

    await operator.getByLabel(ru('staff_card.full_name')).fill('Модератор Новиков');
    await operator.getByLabel(ru('staff_card.alerts')).selectOption('digest');
    await operator.getByRole('button', { name: ru('staff_card.save') }).click();
    await operator.getByRole('heading', { name: 'Модератор Новиков' }).waitFor();
    const row = await db.selectFrom('staff').select(['full_name', 'new_message_alerts']).where('id', '=', world.staff.moderator).executeTakeFirstOrThrow();
    expect(row).toEqual({ full_name: 'Модератор Новиков', new_message_alerts: 'digest' });
    expect(await operator.getByLabel(ru('staff_card.alerts')).inputValue()).toBe('digest');
    await operator.context().close();
  }, 60_000);

  it("a curator sees a colleague's linked Telegram and unlinks it (a lost phone); no settings for curators", async () => {
    const db = world.db.db;
    await linkStaff(db, world.staff.executor, 'tg');
    const curator = await world.signIn(world.staff.curator);
    await curator.goto(`${world.harness.url}/console#/staff/${world.staff.executor}`);
    const tg = ru('staff_card.channel.tg');
    const unlink = curator.getByRole('button', { name: ru('staff_card.unlink_channel', { channel: tg }) });
    await unlink.waitFor();
    // Only what is linked is offered.
    expect(await curator.getByRole('button', { name: ru('staff_card.unlink_channel', { channel: ru('staff_card.channel.vk') }) }).count()).toBe(0);
    await unlink.click();
    await curator.getByText(ru('staff_card.unlinked', { channel: tg })).waitFor();
    await curator.getByText(ru('staff_card.no_messengers')).waitFor();
    expect(await db.selectFrom('staff_identity').select('id').where('staff_id', '=', world.staff.executor).execute()).toEqual([]);
    // Settings and new staff members are the operators' (staff.write).
    expect(await curator.getByRole('heading', { name: ru('staff_card.settings') }).count()).toBe(0);
    await curator.getByRole('link', { name: ru('nav.directories'), exact: true }).click();
    await curator.getByRole('heading', { name: ru('directories.title') }).waitFor();
    expect(await curator.getByRole('link', { name: ru('directories.new_staff') }).count()).toBe(0);
    expect(await navOf(curator)).toContain(ru('nav.directories'));
    await curator.context().close();
  }, 60_000);
});

describe('a message back in work', () => {
  it('a curator reads the 1-star rating on a solved message and puts it back in work with a reason; a moderator is not offered it', async () => {
    const db = world.db.db;
    const id = await messageInWork(db, { municipalityId: world.kemerovo, acceptedAt: new Date(now.getTime() - 86_400_000) });
    const { answer } = await draftAnswer(db, { messageId: id, kind: 'final', resolution: 'solved', text: 'Яму засыпали', actor: { kind: 'staff', staffId: world.staff.executor } }, now);
    if (answer.state === 'draft') await approveAnswer(db, { answerId: answer.id, actor: { kind: 'staff', staffId: world.staff.curator } }, now);
    const author = await db.selectFrom('message').select('author_id').where('id', '=', id).executeTakeFirstOrThrow();
    await rateMessage(db, { residentId: author.author_id!, messageId: id, stars: 1 }, now);

    const moderator = await world.signIn(world.staff.moderator);
    await moderator.goto(`${world.harness.url}/console#/message/${id}`);
    await moderator.getByRole('heading', { name: ru('card.history') }).waitFor();
    expect(await moderator.getByRole('button', { name: ru('act.reopen') }).count()).toBe(0);
    await moderator.context().close();

    const curator = await world.signIn(world.staff.curator);
    await curator.goto(`${world.harness.url}/console#/message/${id}`);
    await curator.getByLabel(ru('act.reopen_reason')).fill('Яму засыпали щебнем, асфальт не положили');
    await curator.getByRole('button', { name: ru('act.reopen') }).click();
    await curator.getByText(`${ru('history.reopened')} → ${ru('status.in_work')}`, { exact: false }).waitFor();
    const row = await db.selectFrom('message').select(['status', 'closed_at']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'in_work', closed_at: null });
    await curator.context().close();
  }, 60_000);
});
