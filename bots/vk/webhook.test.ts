import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { createLogger } from '../../logger.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { BotHarness, TEST_VK_CONFIRMATION, TEST_VK_GROUP_ID, TEST_VK_SECRET } from '../../test/bots/harness.ts';
import { loadVkFixture, newVkUser, VkConversation, vkFixturePath } from '../../test/vk/conversation.ts';
import { reply } from '../dialogs/flow.ts';
import { createTranslator } from '../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
beforeAll(async () => {
  db = await createTestDatabase();
  harness = await BotHarness.start({
    database: db,
    extraFeatures: [
      {
        name: 'test',
        deepLinks: [
          { prefix: 'boom_', open: () => Promise.reject(new Error('a bug in a deep-link handler')) },
          // A credential-like payload, as a staff link code is: recorded by its prefix only.
          { prefix: 'probe_', secret: true, open: () => reply([{ key: 'dialog.help' }]) },
        ],
      },
    ],
  });
});
afterAll(async () => {
  await harness?.close();
  await db?.close();
});

const count = async (table: 'processed_update' | 'resident' | 'start_payload' | 'dialog_state') =>
  Number((await db.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
const startEvent = (eventId: string, userId: number, text = '/start') => ({
  type: 'message_new',
  group_id: TEST_VK_GROUP_ID,
  event_id: eventId,
  v: '5.199',
  secret: TEST_VK_SECRET,
  object: {
    message: { date: 1764000000, from_id: userId, peer_id: userId, id: 0, out: 0, text, attachments: [], fwd_messages: [], conversation_message_id: 1 },
    client_info: { button_actions: ['text', 'callback', 'location'], keyboard: true, inline_keyboard: true, carousel: true, lang_id: 0 },
  },
});

describe('POST /webhooks/vk', () => {
  it('answers the confirmation request with the code as plain text', async () => {
    const response = await harness.postVk({ type: 'confirmation', group_id: TEST_VK_GROUP_ID, secret: TEST_VK_SECRET });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toBe(TEST_VK_CONFIRMATION);
    // The fixture (what VK really posts) gets the same answer through the conversation player.
    const conversation = new VkConversation(harness, newVkUser());
    const [confirmation] = loadVkFixture(vkFixturePath('confirmation.json')).updates;
    expect(await conversation.send(confirmation!)).toEqual({ status: 200, body: TEST_VK_CONFIRMATION });
  });

  it('refuses a wrong or missing secret with 403 and stores nothing', async () => {
    const before = { updates: await count('processed_update'), residents: await count('resident'), calls: harness.vkFake.calls.length };
    const user = newVkUser();
    for (const secret of ['wrong-secret', `${TEST_VK_SECRET}x`, '', undefined]) {
      const response = await harness.postVk({ ...startEvent('sec-1', user.id), secret });
      expect(response.status).toBe(403);
      expect(await response.text()).not.toBe('ok');
    }
    const confirmation = await harness.postVk({ type: 'confirmation', group_id: TEST_VK_GROUP_ID, secret: 'wrong' });
    expect(confirmation.status).toBe(403);
    expect(await confirmation.text()).not.toContain(TEST_VK_CONFIRMATION);
    expect({ updates: await count('processed_update'), residents: await count('resident'), calls: harness.vkFake.calls.length }).toEqual(before);
  });

  it('refuses an event for another community, even with the right secret', async () => {
    const before = await count('processed_update');
    const response = await harness.postVk({ ...startEvent('other-group-1', newVkUser().id), group_id: TEST_VK_GROUP_ID + 1 });
    expect(response.status).toBe(403);
    const confirmation = await harness.postVk({ type: 'confirmation', group_id: TEST_VK_GROUP_ID + 1, secret: TEST_VK_SECRET });
    expect(await confirmation.text()).not.toBe(TEST_VK_CONFIRMATION);
    expect(await count('processed_update')).toBe(before);
  });

  it('answers 400 with a clear text to a body that is not JSON or not an event, without touching the database', async () => {
    const before = await count('processed_update');
    for (const [body, answer] of [
      ['not json', 'the body is not JSON'],
      ['[1,2]', 'not a VK Callback API event'],
      [JSON.stringify({ group_id: TEST_VK_GROUP_ID }), 'not a VK Callback API event'],
      [JSON.stringify({ type: 'message_new' }), 'not a VK Callback API event'],
    ] as const) {
      const response = await harness.postVk(body);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain(answer);
    }
    expect(await count('processed_update')).toBe(before);
  });

  it('refuses a body over 1 MB with 413 before reading it, and records nothing', async () => {
    const before = await count('processed_update');
    const response = await harness.postVk({ ...startEvent('huge-1', newVkUser().id), padding: 'x'.repeat(1024 * 1024) });
    expect(response.status).toBe(413);
    expect(await response.text()).toBe('body too large');
    expect(await count('processed_update')).toBe(before);
  });

  it('an event\'s reply, all of its inputs\' views in one row, is inserted already claimed by the VK sender (in the event\'s own transaction) and sent', async () => {
    const user = newVkUser();
    const photo = { type: 'photo', photo: { id: 457, owner_id: user.id, sizes: [{ type: 'x', width: 604, height: 453, url: 'https://sun9-1.userapi.com/x.jpg' }] } };
    const event = startEvent('claim-1', user.id, '/start');
    // Text and a photo in one message: two inputs, one turn each, one reply.
    (event.object.message as { attachments: unknown[] }).attachments = [photo];
    const response = await harness.postVk(event);
    expect(await response.text()).toBe('ok');
    const rows = await db.db.selectFrom('outbox').selectAll().where('channel', '=', 'vk').where('chat_id', '=', String(user.id)).execute();
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect((row!.payload as { views: unknown[] }).views.length).toBeGreaterThanOrEqual(2);
    // Claimed by the statement that inserted it: the claim's time is the inserting transaction's.
    expect(row!.claimed_at).toEqual(row!.created_at);
    expect(row).toMatchObject({ state: 'sent', attempts: 1, kind: 'reply' });
    expect(harness.vkFake.textsTo(user.id).join('\n')).toContain(t('ru', 'reg.choose_language'));
  });

  it('a duplicate event_id is answered "ok" without effect', async () => {
    const user = newVkUser();
    const conversation = new VkConversation(harness, user);
    const event = startEvent('dup-event-1', user.id);
    expect(await conversation.send(event)).toEqual({ status: 200, body: 'ok' });
    expect(conversation.replyTexts[0]).toContain('Выберите язык');
    const stateBefore = await db.db.selectFrom('dialog_state').selectAll().where('channel', '=', 'vk').where('external_id', '=', String(user.id)).executeTakeFirstOrThrow();
    expect(await conversation.send(event)).toEqual({ status: 200, body: 'ok' });
    expect(conversation.replies).toEqual([]);
    const stateAfter = await db.db.selectFrom('dialog_state').selectAll().where('channel', '=', 'vk').where('external_id', '=', String(user.id)).executeTakeFirstOrThrow();
    expect(stateAfter.version).toBe(stateBefore.version);
    expect(await db.db.selectFrom('processed_update').select('channel').where('update_id', '=', 'dup-event-1').execute()).toEqual([{ channel: 'vk' }]);
  });

  it('an unknown event type is answered "ok" and recorded, with no VK call', async () => {
    const before = harness.vkFake.calls.length;
    const response = await harness.postVk({ type: 'wall_post_new', group_id: TEST_VK_GROUP_ID, event_id: 'unknown-type-1', secret: TEST_VK_SECRET, object: { id: 1, owner_id: -TEST_VK_GROUP_ID, text: 'пост' } });
    expect([response.status, await response.text()]).toEqual([200, 'ok']);
    expect(harness.vkFake.calls.length).toBe(before);
  });

  it('a handler error rolls back, is recorded once, answers "ok" and apologises; a retry is not handled again', async () => {
    const user = newVkUser();
    const payloadsBefore = await count('start_payload');
    const conversation = new VkConversation(harness, user);
    const event = startEvent('poison-1', user.id, '/start boom_1');
    expect(await conversation.send(event)).toEqual({ status: 200, body: 'ok' });
    expect(conversation.replyTexts).toEqual([t('ru', 'errors.unexpected')]);
    expect(await count('start_payload')).toBe(payloadsBefore);
    expect(await db.db.selectFrom('resident_identity').select('id').where('channel', '=', 'vk').where('external_id', '=', String(user.id)).execute()).toEqual([]);
    expect(await conversation.send(event)).toEqual({ status: 200, body: 'ok' });
    expect(conversation.replies).toEqual([]);
  });

  it('a deep link (ref) and a typed "/start probe_<code>" reach the same deep-link handlers', async () => {
    const user = newVkUser();
    const conversation = new VkConversation(harness, user);
    await conversation.send({ type: 'message_new', object: { message: { text: 'Здравствуйте', ref: 'probe_abc123', ref_source: 'site' } } });
    expect(conversation.replyTexts[0]).toBe(t('ru', 'dialog.help'));
    await conversation.send({ type: 'message_new', object: { message: { text: '/start probe_def456' } } });
    expect(conversation.replyTexts[0]).toBe(t('ru', 'dialog.help'));
    const rows = await db.db.selectFrom('start_payload').select(['channel', 'payload']).where('external_id', '=', String(user.id)).orderBy('id').execute();
    // Both reached the deep link; its payload is a secret, so only its prefix is kept.
    expect(rows).toEqual([
      { channel: 'vk', payload: 'probe_' },
      { channel: 'vk', payload: 'probe_' },
    ]);
  });

  it('a resident who forbids messages is marked unreachable (901 on a reply, or message_deny); message_allow clears it', async () => {
    const user = newVkUser();
    const conversation = new VkConversation(harness, user);
    await conversation.play(loadVkFixture(vkFixturePath('registration.json')).updates);
    harness.vkFake.block(user.id);
    expect((await conversation.send({ type: 'message_new', object: { message: { text: '/help' } } })).body).toBe('ok');
    const identity = () => db.db.selectFrom('resident_identity').selectAll().where('channel', '=', 'vk').where('external_id', '=', String(user.id)).executeTakeFirstOrThrow();
    expect((await identity()).unreachable_at).not.toBeNull();
    expect(harness.vkFake.rejected.some((c) => c.params.peer_id === String(user.id))).toBe(true);
    await conversation.send({ type: 'message_allow', object: { user_id: user.id, key: 'x' } });
    expect((await identity()).unreachable_at).toBeNull();
    await conversation.send({ type: 'message_deny', object: { user_id: user.id } });
    expect((await identity()).unreachable_at).not.toBeNull();
  });

  it('a community whose Callback API is set to a version before 5.103 (message_new\'s object is the message itself) is answered all the same', async () => {
    const user = newVkUser();
    const message = { date: 1764000000, from_id: user.id, peer_id: user.id, id: 0, out: 0, text: '', attachments: [], fwd_messages: [], conversation_message_id: 1, important: false, is_hidden: false };
    // Posted as VK posts it (not completed by the conversation, which wraps the message as 5.103+ does).
    const post = async (eventId: string, object: Record<string, unknown>) => {
      const before = harness.vkFake.calls.length;
      const response = await harness.postVk({ type: 'message_new', group_id: TEST_VK_GROUP_ID, event_id: eventId, v: '5.92', secret: TEST_VK_SECRET, object: { ...message, ...object } });
      expect(await response.text()).toBe('ok');
      return harness.vkFake.calls.slice(before).filter((c) => c.method === 'messages.send').map((c) => c.params.message ?? '');
    };
    expect((await post('old-1', { text: '/start' }))[0]).toBe(t('ru', 'reg.choose_language'));
    expect((await post('old-2', { text: '/help' }))[0]).toContain('/new — ');
    // The community's own message in that shape, and one in a group conversation, are still not answered.
    expect(await post('old-3', { text: 'ответ', from_id: -TEST_VK_GROUP_ID, out: 1 })).toEqual([]);
    expect(await post('old-4', { text: 'привет всем', peer_id: 2_000_000_005 })).toEqual([]);
  });

  it('a callback button of an older release (a payload that is not ours) is answered as a stale button is: the press answered, "this menu is out of date" and the current screen', async () => {
    const user = newVkUser();
    const conversation = new VkConversation(harness, user);
    await conversation.play(loadVkFixture(vkFixturePath('registration.json')).updates);
    await conversation.say('/my');
    const before = harness.vkFake.calls.length;
    for (const payload of [{ command: 'my_messages' }, 'garbage', 42]) {
      await conversation.send({ type: 'message_event', object: { payload } });
      expect(conversation.replyTexts[0], JSON.stringify(payload)).toBe(t('ru', 'dialog.outdated'));
      expect(conversation.replyTexts[1]).toBe(t('ru', 'my.empty'));
    }
    // Every press got its spinner stopped.
    expect(harness.vkFake.calls.slice(before).filter((c) => c.method === 'messages.sendMessageEventAnswer')).toHaveLength(3);
    // In a group conversation such a press is only answered, as before.
    const inGroup = harness.vkFake.calls.length;
    await conversation.send({ type: 'message_event', object: { payload: { command: 'x' }, peer_id: 2_000_000_005 } });
    expect(harness.vkFake.calls.slice(inGroup).map((c) => c.method)).toEqual(['messages.sendMessageEventAnswer']);
  });

  it('group conversations and the community\'s own messages are ignored; /start there gets the hint to write privately, as in Telegram', async () => {
    const user = newVkUser();
    const residents = await count('resident');
    const before = harness.vkFake.calls.length;
    const conversation = new VkConversation(harness, user);
    await conversation.send({ type: 'message_new', object: { message: { text: 'привет всем', peer_id: 2_000_000_005 } } });
    await conversation.send({ type: 'message_new', object: { message: { text: 'ответ', from_id: -TEST_VK_GROUP_ID, out: 1 } } });
    expect(harness.vkFake.calls.length).toBe(before);
    await conversation.send({ type: 'message_new', object: { message: { text: `[club${TEST_VK_GROUP_ID}|@otklik] /start`, peer_id: 2_000_000_005 } } });
    const sent = harness.vkFake.calls.slice(before);
    expect(sent.map((c) => [c.method, String(c.params.peer_id)])).toEqual([['messages.send', '2000000005']]);
    expect(sent[0]!.params.message).toBe(t('ru', 'dialog.group_only_private'));
    expect(await count('resident')).toBe(residents);
  });
});

describe('message_edit', () => {
  const edit = (eventId: string, object: Record<string, unknown>) => ({ type: 'message_edit', event_id: eventId, object: { text: 'исправленный текст', conversation_message_id: 3, ...object } });

  it("a resident's edit gets Telegram's answer (edits are not taken) once per event_id, and changes nothing", async () => {
    const user = newVkUser();
    const conversation = new VkConversation(harness, user);
    await conversation.play(loadVkFixture(vkFixturePath('registration.json')).updates);
    await conversation.send({ type: 'message_new', object: { message: { text: '/new' } } });
    const stateBefore = await db.db.selectFrom('dialog_state').select(['flow', 'step', 'version']).where('channel', '=', 'vk').where('external_id', '=', String(user.id)).executeTakeFirstOrThrow();
    expect(await conversation.send(edit('edit-1', {}))).toEqual({ status: 200, body: 'ok' });
    expect(conversation.replyTexts).toEqual([t('ru', 'dialog.edited_ignored')]);
    // VK delivers the same event again: acknowledged, not answered twice.
    expect(await conversation.send(edit('edit-1', {}))).toEqual({ status: 200, body: 'ok' });
    expect(conversation.replies).toEqual([]);
    const stateAfter = await db.db.selectFrom('dialog_state').select(['flow', 'step', 'version']).where('channel', '=', 'vk').where('external_id', '=', String(user.id)).executeTakeFirstOrThrow();
    expect(stateAfter).toEqual(stateBefore);
  });

  it("the community's own edits (a list paged in place), edits in group conversations and a moving point are acknowledged without an answer", async () => {
    const user = newVkUser();
    const conversation = new VkConversation(harness, user);
    const residents = await count('resident');
    const before = harness.vkFake.calls.length;
    for (const [eventId, object] of [
      ['own-edit-1', { from_id: -TEST_VK_GROUP_ID, out: 1, text: 'Ваши сообщения, страница 2' }],
      ['own-edit-2', { from_id: -TEST_VK_GROUP_ID, text: 'без out' }],
      ['group-edit-1', { peer_id: 2_000_000_005 }],
      ['geo-edit-1', { text: '', geo: { type: 'point', coordinates: { latitude: 55.36, longitude: 86.09 } } }],
    ] as const) {
      expect(await conversation.send(edit(eventId, object)), eventId).toEqual({ status: 200, body: 'ok' });
    }
    expect(harness.vkFake.calls.length).toBe(before);
    expect(await count('resident')).toBe(residents);
  });
});

describe('VK startup', () => {
  it('callback mode refuses to start without the secret or the confirmation code', async () => {
    const base = { VK_GROUP_TOKEN: 'vk1.a.x', VK_GROUP_ID: '1', VK_MODE: 'callback', LOG_LEVEL: 'silent' };
    await expect(buildApp({ config: loadConfig({ ...base, VK_CONFIRMATION_CODE: 'c' }), logger: createLogger('silent'), database: db })).rejects.toThrow(/VK_SECRET and VK_CONFIRMATION_CODE are required/);
    await expect(buildApp({ config: loadConfig({ ...base, VK_SECRET: 's' }), logger: createLogger('silent'), database: db })).rejects.toThrow(/VK_SECRET and VK_CONFIRMATION_CODE are required/);
    await expect(buildApp({ config: loadConfig({ VK_GROUP_TOKEN: 'vk1.a.x', LOG_LEVEL: 'silent' }), logger: createLogger('silent'), database: db })).rejects.toThrow(/VK_GROUP_ID is required/);
  });

  it('has no VK route when VK is off', async () => {
    const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), logger: createLogger('silent'), database: db });
    const response = await app.http.request('/webhooks/vk', { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    await app.stop();
  });
});
