import { describe, expect, it } from 'vitest';
import { acceptIncident } from '../../core/incidents/incidents.service.ts';
import { WALL_COMMENT_KIND } from '../../core/incidents/publish.ts';
import { createRule, createSource } from '../../core/incidents/settings.service.ts';
import { pollIncidentSources } from '../../core/incidents/vk-wall.ts';
import { approveAnswer, draftAnswer, toAnswer, withDelivery } from '../../core/messages/answers.service.ts';
import { claimDue } from '../../core/outbox/outbox.queue.ts';
import { botHarnessPerFile, TEST_VK_GROUP_ID, TEST_VK_SECRET, TEST_VK_TOKEN, type BotHarness } from '../../test/bots/harness.ts';
import type { TestDatabase } from '../../test/database.ts';
import { eventually, fastSettings, relaxedLimits, silentLogger } from '../../test/outbox.ts';
import { createOutboxSender } from '../outbox/sender.ts';
import { createVkTransport } from '../outbox/vk-transport.ts';
import { createVkWallReader } from './wall-reader.ts';

/**
 * Incident management against the fake VK API: Callback API wall events into the triage queue
 * (deduplicated by event and by post URL, across restarts), monitored pages polled with wall.get and
 * keyword rules, and the approved answer posted once as the community's comment (wall.createComment
 * with a guid) even when the sender dies after the call and another instance retries.
 */
let t: TestDatabase;
let h: BotHarness;
botHarnessPerFile((db, harness) => {
  t = db;
  h = harness;
});

let eventSeq = 0;
const wallEvent = (type: 'wall_post_new' | 'wall_reply_new', object: Record<string, unknown>, eventId = `wall-ev-${++eventSeq}`) => ({
  type,
  group_id: TEST_VK_GROUP_ID,
  secret: TEST_VK_SECRET,
  v: '5.199',
  event_id: eventId,
  object: { owner_id: -TEST_VK_GROUP_ID, date: 1_796_100_000, ...object },
});

const itemsAt = (url: string) => t.db.selectFrom('incident').selectAll().where('source_url', '=', url).execute();
const kemerovo = () => t.demo.municipalities.Kemerovo;
const categoryId = async (code: string) => (await t.db.selectFrom('category').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
const staffOf = async (role: 'moderator' | 'executor' | 'curator') =>
  (await t.db.selectFrom('staff').select('id').where('municipality_id', '=', kemerovo()).where('role', '=', role).orderBy('id').executeTakeFirstOrThrow()).id;

describe('the community wall through the Callback API', () => {
  it('a wall post and a comment become triage items once each, across restarts and re-sent events', async () => {
    const post = wallEvent('wall_post_new', {
      id: 601,
      from_id: 700000041,
      text: 'Во дворе Весенней 7 яма',
      attachments: [
        {
          type: 'photo',
          photo: {
            id: 1,
            owner_id: 700000041,
            sizes: [
              { url: 'https://sun.userapi.com/s.jpg', width: 100, height: 75 },
              { url: 'https://sun.userapi.com/x.jpg', width: 1280, height: 960 },
            ],
          },
        },
      ],
    });
    const reply = wallEvent('wall_reply_new', { id: 9101, post_id: 601, from_id: 700000042, text: 'И у нас такая же' });
    for (const event of [post, post, reply]) expect(await (await h.postVk(event)).text()).toBe('ok');
    await h.restart();
    // VK re-sends both after the restart (new delivery, same event), and once more with a new event id.
    expect(await (await h.postVk(post)).text()).toBe('ok');
    expect(await (await h.postVk({ ...reply, event_id: 'wall-ev-resent' })).text()).toBe('ok');

    const [item] = await itemsAt(`https://vk.com/wall-${TEST_VK_GROUP_ID}_601`);
    expect(await itemsAt(`https://vk.com/wall-${TEST_VK_GROUP_ID}_601`)).toHaveLength(1);
    expect(item).toMatchObject({
      source: 'vk_wall',
      municipality_id: null,
      state: 'new',
      author_name: 'https://vk.com/id700000041',
      text: 'Во дворе Весенней 7 яма',
      photos: ['https://sun.userapi.com/x.jpg'],
    });
    expect(item!.source_ref).toEqual({ ownerId: -TEST_VK_GROUP_ID, postId: 601 });
    const replies = await itemsAt(`https://vk.com/wall-${TEST_VK_GROUP_ID}_601?reply=9101`);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.source_ref).toEqual({ ownerId: -TEST_VK_GROUP_ID, postId: 601, commentId: 9101 });
    // The region's shared queue: every municipality's curators and moderators are alerted, once.
    const alerts = await t.db.selectFrom('staff_alert').select('staff_id').where('kind', '=', 'alert.incident_new').where('dedupe_key', 'like', `incident:${item!.id}:%`).execute();
    const triage = await t.db.selectFrom('staff').select('id').where('role', 'in', ['curator', 'moderator']).where('municipality_id', 'is not', null).where('active', '=', true).execute();
    expect(alerts.map((a) => a.staff_id).sort()).toEqual(triage.map((s) => s.id).sort());
  });

  it("the community's own posts and comments (our published answers come back as wall_reply_new) are not items", async () => {
    await h.postVk(wallEvent('wall_post_new', { id: 602, from_id: -TEST_VK_GROUP_ID, text: 'Новости города' }));
    await h.postVk(wallEvent('wall_reply_new', { id: 9102, post_id: 601, from_id: -TEST_VK_GROUP_ID, text: 'Заявка передана' }));
    await h.postVk(wallEvent('wall_post_new', { id: 603, from_id: 700000043, text: '   ' }));
    expect(await itemsAt(`https://vk.com/wall-${TEST_VK_GROUP_ID}_602`)).toEqual([]);
    expect(await itemsAt(`https://vk.com/wall-${TEST_VK_GROUP_ID}_601?reply=9102`)).toEqual([]);
    expect(await itemsAt(`https://vk.com/wall-${TEST_VK_GROUP_ID}_603`)).toEqual([]);
  });
});

describe('monitored pages', () => {
  it('polled twice, a page yields no duplicates; keyword rules pick the category and skip the rest', async () => {
    const now = new Date('2026-12-01T04:00:00Z');
    const source = await createSource(t.db, { municipalityId: kemerovo(), ownerId: -777, name: 'Типичный Кемерово' }, now);
    const pothole = await categoryId('roads.pothole');
    const lighting = await categoryId('roads.lighting');
    await createRule(t.db, { municipalityId: kemerovo(), categoryId: pothole, keywords: ['яма', 'выбоина'] }, now);
    await createRule(t.db, { municipalityId: kemerovo(), categoryId: lighting, keywords: ['фонари', 'освещение'] }, now);
    h.vkFake.addWallPost(-777, { id: 3, text: 'Правила группы (закреплено): про ямы пишите сюда', pinned: true });
    h.vkFake.reset();
    // The pinned old post was there before monitoring began: the poller starts after it.
    await t.db.updateTable('incident_source').set({ last_post_id: 3 }).where('id', '=', source.id).execute();
    h.vkFake.addWallPost(-777, { id: 10, text: 'На Советском проспекте глубокие ямы, не проехать', fromId: 555 });
    h.vkFake.addWallPost(-777, { id: 11, text: 'Продам гараж недорого' });
    h.vkFake.addWallPost(-777, { id: 12, text: 'Не горят фонари во дворе на Тухачевского' });
    const read = createVkWallReader({ token: 'service-token-1', apiBaseUrl: h.vkFake.apiBaseUrl });

    expect(await pollIncidentSources(t.db, read, now)).toEqual({ pages: 1, failed: 0, posts: 3, matched: 2 });
    expect(await pollIncidentSources(t.db, read, now)).toEqual({ pages: 1, failed: 0, posts: 0, matched: 0 });
    const items = await t.db
      .selectFrom('incident')
      .select(['source_url', 'suggested_category_id', 'municipality_id', 'source', 'author_name'])
      .where('incident_source_id', '=', source.id)
      .orderBy('id')
      .execute();
    expect(items).toEqual([
      { source_url: 'https://vk.com/wall-777_10', suggested_category_id: pothole, municipality_id: kemerovo(), source: 'vk_page', author_name: 'https://vk.com/id555' },
      { source_url: 'https://vk.com/wall-777_12', suggested_category_id: lighting, municipality_id: kemerovo(), source: 'vk_page', author_name: 'https://vk.com/id1' },
    ]);
    const call = h.vkFake.calls.find((c) => c.method === 'wall.get')!;
    expect(call.params).toMatchObject({ owner_id: '-777', access_token: 'service-token-1' });

    // VK fails once: the page is skipped and nothing is lost; the next poll takes the new post.
    h.vkFake.addWallPost(-777, { id: 13, text: 'Опять выбоина на том же месте' });
    h.vkFake.failNext({ errorCode: 10, errorMsg: 'Internal server error' });
    expect(await pollIncidentSources(t.db, read, now)).toEqual({ pages: 0, failed: 1, posts: 0, matched: 0 });
    expect(await pollIncidentSources(t.db, read, now)).toEqual({ pages: 1, failed: 0, posts: 1, matched: 1 });
    const state = await t.db.selectFrom('incident_source').select(['last_post_id', 'last_polled_at']).where('id', '=', source.id).executeTakeFirstOrThrow();
    expect(Number(state.last_post_id)).toBe(13);
    expect(state.last_polled_at).toEqual(now);
  });

  it("comments under the page's posts are matched too, each once", async () => {
    const now = new Date('2026-12-01T05:00:00Z');
    const read = createVkWallReader({ token: 'service-token-1', apiBaseUrl: h.vkFake.apiBaseUrl });
    h.vkFake.addWallComment(-777, 11, { id: 20, text: 'А у нас во дворе опять не горят фонари', fromId: 777001 });
    h.vkFake.addWallComment(-777, 11, { id: 21, text: 'Гараж ещё продаётся?' });
    expect(await pollIncidentSources(t.db, read, now)).toEqual({ pages: 1, failed: 0, posts: 2, matched: 1 });
    expect(await pollIncidentSources(t.db, read, now)).toEqual({ pages: 1, failed: 0, posts: 0, matched: 0 });
    const [item] = await itemsAt('https://vk.com/wall-777_11?reply=20');
    expect(item).toMatchObject({ source: 'vk_page', suggested_category_id: await categoryId('roads.lighting'), author_name: 'https://vk.com/id777001' });
    expect(item!.source_ref).toEqual({ ownerId: -777, postId: 11, commentId: 20 });
    expect(await itemsAt('https://vk.com/wall-777_11?reply=21')).toEqual([]);
    const comments = h.vkFake.calls.filter((c) => c.method === 'wall.getComments');
    expect(comments[0]!.params).toMatchObject({ owner_id: '-777', post_id: '11', access_token: 'service-token-1' });
  });
});

describe('the answer as a comment under the post', () => {
  it('approval queues one wall comment; sent exactly once although the sender dies after the call and another retries', async () => {
    const now = h.now();
    const [post] = await itemsAt(`https://vk.com/wall-${TEST_VK_GROUP_ID}_601`);
    const scope = { municipalityId: kemerovo(), executorId: null };
    const { message } = await acceptIncident(
      t.db,
      scope,
      { incidentId: post!.id, municipalityId: kemerovo(), categoryId: await categoryId('roads.pothole'), actor: { kind: 'staff', staffId: await staffOf('moderator') } },
      now,
    );
    expect(message).toMatchObject({ status: 'in_work', source: 'vk_wall', answerTarget: 'source_comment', openSource: true });
    const { answer } = await draftAnswer(
      t.db,
      { messageId: message.id, kind: 'intermediate', text: 'Яму осмотрят завтра, ремонт в плане на неделю.', actor: { kind: 'staff', staffId: await staffOf('executor') } },
      now,
    );
    expect(answer.state).toBe('draft');
    expect(await t.db.selectFrom('outbox').select('id').where('kind', '=', WALL_COMMENT_KIND).execute()).toEqual([]);
    const approved = await approveAnswer(t.db, { answerId: answer.id, actor: { kind: 'staff', staffId: await staffOf('curator') } }, now);
    // Approved and queued: delivered only once VK has the comment (the delivery comes from the outbox row).
    expect(approved.answer).toMatchObject({ state: 'approved', delivery: { state: 'queued' } });
    await expect(approveAnswer(t.db, { answerId: answer.id, actor: { kind: 'staff', staffId: await staffOf('curator') } }, now)).rejects.toMatchObject({ code: 'ANSWER_NOT_PENDING' });
    const rows = await t.db.selectFrom('outbox').selectAll().where('kind', '=', WALL_COMMENT_KIND).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ channel: 'vk', chat_id: `wall-${TEST_VK_GROUP_ID}_601`, state: 'pending' });

    h.vkFake.reset();
    const transport = () => createVkTransport({ token: TEST_VK_TOKEN, apiBaseUrl: h.vkFake.apiBaseUrl, render: () => [], timeoutMs: 2000, groupId: TEST_VK_GROUP_ID });
    // A sender claims the row, makes the call (the comment appears) and dies before settling it.
    const [claimed] = await claimDue(t.db, { channel: 'vk', claimedBy: 'victim', limit: 10 });
    expect(claimed!.id).toBe(rows[0]!.id);
    const victim = transport();
    expect((await victim.send(claimed!, async () => {})).kind).toBe('sent');
    await victim.close?.();
    expect(h.vkFake.wallComments).toHaveLength(1);
    // Another instance takes the expired lease over and sends again with the same guid.
    const sender = createOutboxSender({ db: t.db, transport: transport(), limits: relaxedLimits, settings: { ...fastSettings, leaseMs: 300 }, logger: silentLogger });
    sender.start();
    try {
      await eventually(async () => (await t.db.selectFrom('outbox').select('state').where('id', '=', rows[0]!.id).executeTakeFirstOrThrow()).state === 'sent', 10_000, 'the row to be sent');
    } finally {
      await sender.stop();
    }
    const calls = h.vkFake.calls.filter((c) => c.method === 'wall.createComment');
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => c.params.guid)).toEqual([`otklik-outbox-${rows[0]!.id}`, `otklik-outbox-${rows[0]!.id}`]);
    expect(h.vkFake.wallComments).toHaveLength(1);
    expect(h.vkFake.wallComments[0]).toMatchObject({ ownerId: `-${TEST_VK_GROUP_ID}`, postId: '601', fromGroup: String(TEST_VK_GROUP_ID), text: 'Яму осмотрят завтра, ремонт в плане на неделю.' });
    expect(h.vkFake.wallComments[0]!.replyTo).toBeUndefined();
    const [after] = await withDelivery(t.db, [toAnswer(await t.db.selectFrom('answer').selectAll().where('id', '=', answer.id).executeTakeFirstOrThrow())]);
    expect(after).toMatchObject({ state: 'delivered', delivery: { state: 'sent' } });
  });

  it('an answer to a comment goes into its thread (reply_to_comment)', async () => {
    const now = h.now();
    const [reply] = await itemsAt(`https://vk.com/wall-${TEST_VK_GROUP_ID}_601?reply=9101`);
    const { message } = await acceptIncident(
      t.db,
      { municipalityId: kemerovo(), executorId: null },
      { incidentId: reply!.id, municipalityId: kemerovo(), categoryId: await categoryId('roads.pothole'), actor: { kind: 'staff', staffId: await staffOf('curator') } },
      now,
    );
    const { answer } = await draftAnswer(
      t.db,
      { messageId: message.id, kind: 'clarification', text: 'Уточните номер дома, пожалуйста.', actor: { kind: 'staff', staffId: await staffOf('executor') } },
      now,
    );
    await approveAnswer(t.db, { answerId: answer.id, actor: { kind: 'staff', staffId: await staffOf('curator') } }, now);
    const row = await t.db.selectFrom('outbox').select('payload').where('kind', '=', WALL_COMMENT_KIND).where('dedupe_key', '=', `wall.comment:answer:${answer.id}`).executeTakeFirstOrThrow();
    expect(row.payload.params).toMatchObject({ ownerId: -TEST_VK_GROUP_ID, postId: 601, replyToComment: 9101, text: 'Уточните номер дома, пожалуйста.' });
  });
});
