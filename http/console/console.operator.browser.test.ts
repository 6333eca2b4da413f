import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { issueKey, revokeKey } from '../../core/access/api-keys.service.ts';
import { issueLoginCode, signInWithCode } from '../../core/console/sessions.ts';
import { INDICATORS } from '../../core/kpi/indicators/index.ts';
import { consoleTestPerFile, en, ru, toEnglish } from '../../test/console-browser.ts';
import { operatorId } from '../../test/staff.ts';

/**
 * What a curator and an operator hit in the console: KPI responsibles picked from «Показатель
 * 1…16» with no names, an audit log of raw codes (`message.accept`), and the audit log and the
 * sessions naming only the first 100 staff (the rest showed as «№ 123»).
 */
// Code passed to page.evaluate runs in the page; this stands for its global (no DOM lib here).
declare const document: { querySelectorAll(selector: string): { length: number } };

const now = new Date('2026-12-01T03:00:00.000Z');

/** `count` officials of a municipality, after every staff member there is: their ids in order. */
async function addStaff(count: number, municipalityId: number, name: (i: number) => string): Promise<number[]> {
  const rows = Array.from({ length: count }, (_, i) => ({ full_name: name(i), role: 'responsible' as const, municipality_id: municipalityId, executor_id: null }));
  return (await world.db.db.insertInto('staff').values(rows).returning('id').execute()).map((r) => r.id);
}

/** An audit row's action cell: its phrase and the code shown beside it (small, as `<code>`). */
async function actionOf(row: Locator): Promise<[string, string]> {
  const cell = row.getByRole('cell').nth(1);
  const code = (await cell.locator('code').textContent())!;
  return [(await cell.textContent())!.replace(code, '').trim(), code];
}

const world = consoleTestPerFile({ clock: () => now });

describe("an operator's and a curator's console", () => {
  it("KPI responsibles are chosen and listed by the indicator's number and name, in the console's language, among all of a municipality's officials", async () => {
    // More officials than the staff list's page: the one wanted is the 106th of Kemerovo.
    const added = await addStaff(105, world.kemerovo, (i) => (i === 104 ? 'Ответственная Последняя' : `Ответственный ${i}`));
    const last = added.at(-1)!;
    const curator = await world.signIn(world.staff.curator);
    await curator.goto(`${world.harness.url}/console#/directories/routing`);
    const select = curator.getByLabel(ru('routing.kpi'), { exact: true });
    await select.waitFor();
    expect(await select.locator('option').allTextContents()).toEqual(INDICATORS.map((i) => `${i.number}. ${i.nameRu}`));
    await select.selectOption('7');
    await curator.getByLabel(ru('routing.official'), { exact: true }).selectOption(String(last));
    await curator.getByRole('button', { name: ru('routing.assign_submit'), exact: true }).click();
    const row = curator.getByRole('row').filter({ hasText: 'Ответственная Последняя' });
    await row.getByRole('cell', { name: '7. Доля просроченных сообщений за год', exact: true }).waitFor();
    const stored = await world.db.db.selectFrom('kpi_responsible').select(['kpi', 'staff_id']).where('municipality_id', '=', world.kemerovo).execute();
    expect(stored).toContainEqual({ kpi: 7, staff_id: last });
    expect(await world.seriousViolations(curator)).toEqual([]);

    await toEnglish(curator);
    await curator.getByRole('cell', { name: '7. Overdue messages per year', exact: true }).waitFor();
    expect(await curator.getByLabel(en('routing.kpi'), { exact: true }).locator('option').first().textContent()).toBe('1. New registered users');
    await curator.context().close();
  }, 120_000);

  it('the audit log says each action in words, the code beside it, an unknown code as itself, names staff past the first 100 and links an entry to its card', async () => {
    const [first, far] = [...(await addStaff(120, world.kemerovo, (i) => `Сотрудник ${i}`))].filter((_, i) => i === 0 || i === 119);
    const entry = (staffId: number | null, action: string, entityId: string) => ({
      staff_id: staffId,
      api_key_id: null,
      request_id: null,
      action,
      entity: 'message',
      entity_id: entityId,
      municipality_id: world.kemerovo,
      data: '{}',
      created_at: now,
    });
    await world.db.db
      .insertInto('audit_log')
      .values([entry(first!, 'kpi.placement.create', '1'), entry(far!, 'message.accept', '2'), entry(null, 'legacy.something_old', '3')])
      .execute();
    const operator = await world.signIn(await operatorId(world.db.db));
    await operator.goto(`${world.harness.url}/console#/audit`);
    const accepted = operator.getByRole('row').filter({ hasText: 'message.accept' });
    await accepted.getByRole('cell', { name: 'Сотрудник 119', exact: true }).waitFor();
    expect(await actionOf(accepted)).toEqual(['Сообщение принято в работу', 'message.accept']);
    // The entity opens its card.
    expect(await accepted.getByRole('link', { name: 'message 2', exact: true }).getAttribute('href')).toBe('#/message/2');
    const placement = operator.getByRole('row').filter({ hasText: 'kpi.placement.create' });
    expect(await actionOf(placement)).toEqual(['Добавлено размещение наружной рекламы', 'kpi.placement.create']);
    expect(await placement.getByRole('cell').nth(3).textContent()).toBe('Сотрудник 0');
    // A code the console has no phrase for is shown as it is.
    expect(await actionOf(operator.getByRole('row').filter({ hasText: 'legacy.something_old' }))).toEqual(['', 'legacy.something_old']);
    // Every staff cell of the page names someone: no «№ 123».
    expect(await operator.locator('tbody tr td:nth-child(4)').allTextContents()).not.toContainEqual(expect.stringMatching(/^№ \d+$/));
    expect(await world.seriousViolations(operator)).toEqual([]);

    // The filter offers the actions by their phrases; picking one filters by its code.
    expect(await operator.locator('#audit-actions option[value="message.accept"]').textContent()).toBe('Сообщение принято в работу');
    await operator.getByLabel(ru('audit.action')).fill('message.accept');
    await operator.getByRole('button', { name: ru('audit.filter') }).click();
    await operator.getByRole('row').filter({ hasText: 'kpi.placement.create' }).waitFor({ state: 'detached' });
    await accepted.waitFor();

    await toEnglish(operator);
    expect(await actionOf(accepted)).toEqual(['Message accepted into work', 'message.accept']);
    await operator.context().close();
  }, 120_000);

  it("an operator's list of everyone's sessions names an official past the first 100 staff", async () => {
    const [far] = (await addStaff(110, world.kemerovo, (i) => `Дальний ${i}`)).slice(-1);
    const { code } = await issueLoginCode(world.db.db, far!, now);
    await signInWithCode(world.db.db, { code, client: '192.0.2.1' }, now);
    const operator = await world.signIn(await operatorId(world.db.db));
    await operator.goto(`${world.harness.url}/console#/sessions`);
    await operator.getByRole('heading', { name: ru('sessions.title_all'), exact: true }).waitFor();
    await operator.getByRole('cell', { name: 'Дальний 109', exact: true }).waitFor();
    expect(await operator.locator('tbody tr td:nth-child(2)').allTextContents()).not.toContainEqual(expect.stringMatching(/^№ \d+$/));
    await operator.context().close();
  }, 120_000);

  it("the directories list every official, not only the staff list's first 100: «more» reads on and the last one's card opens", async () => {
    const count = async () =>
      Number(
        (
          await world.db.db
            .selectFrom('staff')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    // Past two pages of the list (with or without the tests above), the newcomer last.
    const adding = Math.max(30, 230 - (await count()));
    const [newcomer] = (await addStaff(adding, world.kemerovo, (i) => (i === adding - 1 ? 'Новичок Последний' : `Новичок ${i}`))).slice(-1);
    const total = await count();
    expect(total).toBeGreaterThan(200);
    const operator = await world.signIn(await operatorId(world.db.db));
    await operator.goto(`${world.harness.url}/console#/directories`);
    const staffRows = operator.locator('main table').last().locator('tbody tr');
    await staffRows.first().waitFor();
    expect(await staffRows.count()).toBe(100);
    const more = operator.getByRole('button', { name: ru('list.more'), exact: true });
    while ((await staffRows.count()) < total) {
      const before = await staffRows.count();
      await more.click();
      await operator.waitForFunction((n) => document.querySelectorAll('main > table:last-of-type tbody tr').length > n, before);
    }
    expect(await staffRows.count()).toBe(total);
    expect(await more.count()).toBe(0);
    await operator.getByRole('link', { name: 'Новичок Последний', exact: true }).click();
    await operator.getByRole('heading', { name: 'Новичок Последний', exact: true }).waitFor();
    expect(operator.url()).toContain(`#/staff/${newcomer}`);
    await operator.context().close();
  }, 120_000);

  it("a staff card lists every key, not only the first 100: a long-rotated account's live key (listed last) can be revoked", async () => {
    const [account] = await addStaff(1, world.kemerovo, () => 'Интеграция');
    for (let i = 0; i < 101; i++) {
      const old = await issueKey(world.db.db, { staffId: account!, label: `старый ${i}`, createdBy: null }, now);
      await revokeKey(world.db.db, old.key.id, now);
    }
    const live = await issueKey(world.db.db, { staffId: account!, label: 'рабочий', createdBy: null }, now);
    const operator = await world.signIn(await operatorId(world.db.db));
    await operator.goto(`${world.harness.url}/console#/staff/${account}`);
    await operator.getByRole('button', { name: `${ru('staff_card.revoke')} ${live.key.prefix}`, exact: true }).click();
    await operator.getByRole('button', { name: ru('confirm.revoke'), exact: true }).click();
    await operator.getByRole('row').filter({ hasText: 'рабочий' }).getByText(ru('staff_card.revoked')).waitFor();
    const stored = await world.db.db.selectFrom('api_key').select('revoked_at').where('id', '=', live.key.id).executeTakeFirstOrThrow();
    expect(stored.revoked_at).not.toBeNull();
    await operator.context().close();
  }, 120_000);
});
