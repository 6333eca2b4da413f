import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionId, positiveIdArg } from '../../core/dialogs/action-id.ts';
import { enqueue, PRIORITY } from '../../core/outbox/outbox.repository.ts';
import { dialogStateOf, newChat, residentOf } from '../../test/bots/chats.ts';
import { BotHarness } from '../../test/bots/harness.ts';
import { CHANNELS, press, tap } from '../../test/bots/player.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { createTranslator } from '../i18n.ts';
import { action, type BotFeature } from './feature.ts';
import { end, enter, num, reply, stay, type Flow } from './flow.ts';
import { menuButton } from './menu.ts';

/**
 * A feature added the way README "How to add a bot feature" says (one BotFeature, here given to
 * the app as an extra one) works end to end in both messengers, with nothing else changed: its
 * command enters its flow, its deep link opens the flow at a step with data, its menu entry is
 * shown only to residents it chooses, and its action button works from an outbox message whatever
 * the dialog is doing. The texts are borrowed from existing locale keys.
 */
const votes: { residentId: number; entry: number }[] = [];

const probeFlow: Flow = {
  name: 'probe',
  first: 'entry',
  needsRegistration: true,
  steps: {
    entry: {
      accepts: ['text', 'button'],
      wrongInput: 'filing.send_text',
      prompt: (c) => [{ key: 'my.comment_prompt', params: { messageId: num(c.data, 'entry') ?? 0 }, keyboard: { kind: 'inline', rows: [[menuButton('menu', 'menu.back_to_menu')]] } }],
      next: (c, input) => (input.kind === 'text' ? end([{ key: 'my.comment_added', params: { messageId: num(c.data, 'entry') ?? 0 } }]) : stay({ reprompt: true })),
    },
  },
};

/** `!pv:<entry>`: "vote for entry N", valid from a broadcast in any dialog state. */
const vote = action<number>({
  tag: 'pv',
  encode: (entry) => [entry],
  decode: (args) => (args.length === 1 ? positiveIdArg(args[0]) : undefined),
  run(c, entry) {
    votes.push({ residentId: c.resident.id, entry });
    return reply([{ key: 'my.rated', params: { stars: entry } }]);
  },
});

const probe: BotFeature = {
  name: 'probe',
  flows: [probeFlow],
  commands: [{ name: 'probe', description: 'commands.help', run: () => enter(probeFlow.name) }],
  deepLinks: [{ prefix: 'probe_', open: (_c, rest) => enter(probeFlow.name, { step: 'entry', data: { entry: Number(rest) || 0 } }) }],
  // Shown only to residents who have filed something (as a campaign entry would be shown only while it is open).
  menu: [
    {
      id: 'probe',
      label: 'menu.open_message',
      labelParams: () => ({ messageId: 0 }),
      row: 25,
      visible: async (c) => (await c.db.selectFrom('message').select('id').where('author_id', '=', c.resident.id).executeTakeFirst()) !== undefined,
      run: () => enter(probeFlow.name),
    },
  ],
  actions: [vote],
};

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
beforeAll(async () => {
  db = await createTestDatabase();
  harness = await BotHarness.start({ database: db, extraFeatures: [probe] });
});
afterAll(async () => {
  await harness?.close();
  await db?.close();
});

describe.each(CHANNELS)('%s: a feature added to the registry', (channel) => {
  it('its command enters its flow (registered residents only), its deep link opens the flow at a step with data', async () => {
    const chat = newChat(harness, channel);
    await chat.say('/probe');
    expect(chat.replyTexts).toEqual([t('ru', 'errors.CONSENT_REQUIRED')]);
    await chat.playFixture('registration.json');
    await chat.say('/probe');
    expect(chat.replyTexts).toEqual([t('ru', 'my.comment_prompt', { messageId: 0 })]);
    await chat.say('Ответ');
    expect(chat.replyTexts).toEqual([t('ru', 'my.comment_added', { messageId: 0 }), t('ru', 'menu.main')]);

    await chat.say('/start probe_17');
    expect(chat.replyTexts).toEqual([t('ru', 'my.comment_prompt', { messageId: 17 })]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'probe', step: 'entry' });
    const recorded = await db.db.selectFrom('start_payload').select('payload').where('channel', '=', channel).where('external_id', '=', chat.externalId).execute();
    expect(recorded.map((r) => r.payload)).toEqual(['probe_17']);
    // Its own buttons and the engine's (back to menu) work inside it.
    await chat.say(press(t('ru', 'menu.back_to_menu')));
    expect(chat.replyTexts).toEqual([t('ru', 'menu.main')]);
    // /help lists it with its description.
    await chat.say('/help');
    expect(chat.replyTexts[0]).toContain(`/probe — ${t('ru', 'commands.help')}`);
  });

  it('its menu entry is shown only to the residents it chooses, in its row', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    const label = t('ru', 'menu.open_message', { messageId: 0 });
    // VK splits a menu of more than 6 rows (or 10 buttons) into several messages: their rows in order.
    const menuLabels = () =>
      chat
        .keyboards()
        .flatMap((k) => k.rows)
        .map((row) => row.map((b) => b.label));
    await chat.say('/menu');
    expect(menuLabels().flat()).not.toContain(label);
    await chat.playFixture('file-message.json');
    await chat.say('/menu');
    expect(menuLabels()[3]).toEqual([label]);
    await chat.say(press(label));
    expect(chat.replyTexts).toEqual([t('ru', 'my.comment_prompt', { messageId: 0 })]);
  });

  it('its action button works from a broadcast (an outbox row) in any dialog state, without moving the dialog; a malformed one is out of date', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    const residentId = await residentOf(db, chat);
    await chat.say('/new', press('Дороги'));
    const keyboard = { kind: 'inline', rows: [[{ id: actionId('pv', 17), label: 'my.stars', labelParams: { stars: 17 } }]] };
    await enqueue(db.db, [{ channel, chatId: chat.externalId, recipientKind: 'resident', residentId, kind: 'broadcast.probe', payload: { key: 'menu.main', keyboard }, priority: PRIORITY.broadcast }]);
    await chat.deliverOutbox();
    await chat.say(press('17 ★'));
    expect(chat.replyTexts).toEqual([t('ru', 'my.rated', { stars: 17 })]);
    expect(votes).toContainEqual({ residentId, entry: 17 });
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'category' });
    await chat.say(tap('!pv:0'));
    expect(chat.replyTexts[0]).toBe(t('ru', 'dialog.outdated'));
  });
});
