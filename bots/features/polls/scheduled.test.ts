import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandFully } from '../../../test/expand.ts';
import { issueKey } from '../../../core/access/api-keys.service.ts';
import { runJob } from '../../../core/jobs/run-job.ts';
import { JOBS } from '../../../cron/jobs.ts';
import { registeredChat } from '../../../test/bots/chats.ts';
import { BotHarness } from '../../../test/bots/harness.ts';
import { CHANNELS, press } from '../../../test/bots/player.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/database.ts';
import { demoStaffId } from '../../../test/residents.ts';
import { createTranslator } from '../../i18n.ts';

/**
 * A poll published ahead of its start, as residents see it: the curator publishes it through the
 * admin API over HTTP; nothing reaches the bots until the poll opens; at its start the
 * poll-announcements job announces it, and the "Answer" button opens the first question.
 */
let db: TestDatabase;
let harness: BotHarness;
let now = new Date('2026-12-01T03:00:00.000Z');
let curatorKey = '';
const t = createTranslator();
const ru = (key: string, params?: Record<string, unknown>) => t('ru', key, params);

beforeAll(async () => {
  db = await createTestDatabase();
  harness = await BotHarness.start({ database: db, clock: () => now });
  const curator = await demoStaffId(db.db, db.demo.municipalities.Kemerovo, 'curator');
  curatorKey = (await issueKey(db.db, { staffId: curator, label: 'test', createdBy: null }, now)).token;
});
afterAll(async () => {
  await harness?.close();
  await db?.close();
});

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${harness.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${curatorKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { id: number; state: string; announcedAt: string | null } };
}

async function expandAll(): Promise<void> {
  const rows = await db.db.selectFrom('broadcast').select('id').where('state', '=', 'expanding').execute();
  for (const { id } of rows) await expandFully(db.db, id);
}

describe.each(CHANNELS)('a poll published ahead of its start (%s)', (channel) => {
  it('is not announced at publication; at its start the announcement arrives and its Answer button opens the poll', async () => {
    const { chat } = await registeredChat(db, harness, channel, 'Kemerovo', 'Ольга', now);
    // Each messenger's poll opens on a day of its own (KPI 3 allows one poll a day): 09:00 local (UTC+7).
    const day = channel === 'tg' ? 10 : 11;
    const startsAt = new Date(`2026-12-${day}T09:00:00+07:00`);
    const title = `Опрос с ${day} декабря`;
    const created = await api('POST', '/polls', {
      municipalityId: db.demo.municipalities.Kemerovo,
      kind: 'vote',
      title,
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 7 * 86_400_000).toISOString(),
      questions: [{ kind: 'single', text: 'Открыть каток в парке?', options: ['Да', 'Нет'] }],
    });
    expect(created.status).toBe(201);
    const published = await api('POST', `/polls/${created.body.id}/publish`, {});
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ state: 'published', announcedAt: null });

    // The day before: the job runs, nothing reaches the resident.
    now = new Date(startsAt.getTime() - 86_400_000);
    await runJob(db.db, JOBS.pollAnnouncements, () => now);
    await expandAll();
    await chat.deliverOutbox();
    expect(chat.replyTexts).toEqual([]);
    // A poster's link followed early says when the poll opens (local time), not "started or over".
    await chat.say(`/start poll_${created.body.id}`);
    expect(chat.replyTexts).toEqual([ru('polls.not_started', { title, startsAt: `${day}.12.2026, 09:00` })]);

    // The poll opens: the announcement, with a button that works.
    now = startsAt;
    await runJob(db.db, JOBS.pollAnnouncements, () => now);
    await expandAll();
    await chat.deliverOutbox();
    expect(chat.replyTexts.join('\n')).toContain(title);
    await chat.say(press(ru('polls.answer')));
    expect(chat.replyTexts.join('\n')).not.toContain(ru('errors.POLL_NOT_OPEN'));
    expect(chat.replyTexts.at(-1)).toBe(ru('polls.question', { index: 1, count: 1, text: 'Открыть каток в парке?' }));

    // The next run sends nothing again.
    now = new Date(startsAt.getTime() + 60_000);
    await runJob(db.db, JOBS.pollAnnouncements, () => now);
    await expandAll();
    await chat.deliverOutbox();
    expect(chat.replyTexts).toEqual([]);
  });
});
