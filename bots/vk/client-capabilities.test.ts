import { describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../test/database.ts';
import { botHarnessPerFile, type BotHarness } from '../../test/bots/harness.ts';
import { registeredChat } from '../../test/bots/chats.ts';
import type { RecordedVkCall } from '../../test/fakes/vk-api.ts';
import { VkConversation, newVkUser } from '../../test/vk/conversation.ts';
import { enqueue, PRIORITY } from '../../core/outbox/outbox.repository.ts';
import { createPoll, publishPoll } from '../../core/polls/polls.ts';
import { pollResults } from '../../core/polls/results.ts';
import { expandFully } from '../../test/expand.ts';
import { menuButton } from '../dialogs/menu.ts';
import { createTranslator, type Translate } from '../i18n.ts';
import { loadVkClient } from './client.ts';
import { renderVkRow, vkChatRender, type VkMessage } from './render.ts';

/**
 * Old and limited VK apps: the client_info of each message_new says which buttons the resident's
 * app shows (bots/vk/client.ts); the replies (and later notifications) are rendered for it, and a
 * press of every fallback reaches the same dialog action as the callback press would.
 */
let db: TestDatabase;
let harness: BotHarness;
botHarnessPerFile(
  (d, h) => {
    db = d;
    harness = h;
  },
  { outbox: 'all' },
);
const t = createTranslator();

type Json = Record<string, unknown>;
interface ShownButton {
  type: string;
  label?: string;
  payload?: string;
}
interface Shown {
  inline?: boolean;
  one_time?: boolean;
  buttons: { action: ShownButton }[][];
}

/** An app with inline keyboards but no callback buttons (VK apps before callback buttons came). */
const NO_CALLBACK = { button_actions: ['text', 'vkpay', 'open_app', 'location', 'open_link'], keyboard: true, inline_keyboard: false, carousel: false, lang_id: 0 };
const INLINE_NO_CALLBACK = { ...NO_CALLBACK, inline_keyboard: true };
/** An app with regular keyboards only. */
const NO_INLINE = NO_CALLBACK;
/** An app without bot keyboards at all. */
const NO_KEYBOARD = { button_actions: ['text'], keyboard: false, inline_keyboard: false, carousel: false, lang_id: 0 };

/** A message_new of the resident's app `client_info` (press: the label of the text button pressed, as VK sends it). */
const said = (clientInfo: Json, message: Json): Json => ({ type: 'message_new', object: { message, client_info: clientInfo } });
const typed = (clientInfo: Json, text: string) => said(clientInfo, { text });
const pressed = (clientInfo: Json, label: string) => said(clientInfo, { payload: `$press:${label}` });

const sends = (calls: RecordedVkCall[]) => calls.filter((c) => c.method === 'messages.send');
const keyboardOf = (call: RecordedVkCall | undefined): Shown | undefined => (call?.params.keyboard ? (JSON.parse(call.params.keyboard) as Shown) : undefined);
const buttonsOf = (call: RecordedVkCall | undefined) =>
  keyboardOf(call)
    ?.buttons.flat()
    .map((b) => b.action) ?? [];
const idOf = (b: ShownButton) => (JSON.parse(b.payload ?? '{}') as { b?: string }).b;
const storedClient = async (chat: VkConversation) =>
  (await db.db.selectFrom('dialog_state').select('client').where('channel', '=', 'vk').where('external_id', '=', chat.externalId).executeTakeFirstOrThrow()).client;
const stateOf = async (chat: VkConversation) =>
  db.db.selectFrom('dialog_state').select(['flow', 'step']).where('channel', '=', 'vk').where('external_id', '=', chat.externalId).executeTakeFirstOrThrow();

describe('VK apps that cannot show every button', () => {
  it('capabilities unknown (no client_info): inline keyboards of callback buttons, as before; nothing is stored', async () => {
    const chat = new VkConversation(harness, newVkUser());
    const event = chat.complete({ type: 'message_new', object: { message: { text: '/start' } } });
    delete (event.object as Json).client_info;
    const before = harness.vkFake.calls.length;
    expect((await harness.postVk(event)).status).toBe(200);
    const [language] = sends(harness.vkFake.calls.slice(before));
    expect(keyboardOf(language)).toMatchObject({ inline: true });
    expect(buttonsOf(language).map((b) => [b.type, b.label])).toEqual([
      ['callback', 'Русский'],
      ['callback', 'English'],
    ]);
    expect(await storedClient(chat)).toBeNull();
  });

  it('inline keyboards without callback buttons: text buttons with the same payload, and their press (a message_new) goes on as the callback press does', async () => {
    const chat = new VkConversation(harness, newVkUser());
    await chat.send(typed(INLINE_NO_CALLBACK, '/start'));
    const [language] = sends(chat.replies);
    expect(keyboardOf(language)).toMatchObject({ inline: true });
    expect(buttonsOf(language).map((b) => [b.type, b.label])).toEqual([
      ['text', 'Русский'],
      ['text', 'English'],
    ]);
    expect(buttonsOf(language).map(idOf)).toEqual([expect.stringMatching(/:lang:ru$/), expect.stringMatching(/:lang:en$/)]);
    expect(await storedClient(chat)).toEqual({ keyboard: true, inline: true, callback: false, text: true, location: true });

    await chat.send(pressed(INLINE_NO_CALLBACK, 'English'));
    expect(chat.replyTexts).toEqual([t('en', 'reg.about')]);
    expect(buttonsOf(sends(chat.replies)[0])).toEqual([{ type: 'text', label: t('en', 'reg.continue'), payload: expect.stringMatching(/:ok"\}$/) }]);
    await chat.send(pressed(INLINE_NO_CALLBACK, t('en', 'reg.continue')));
    expect(buttonsOf(sends(chat.replies).at(-1)).map((b) => [b.type, b.label])).toEqual([
      ['text', t('en', 'reg.consent_agree')],
      ['text', t('en', 'reg.consent_decline')],
    ]);
    expect(await stateOf(chat)).toEqual({ flow: 'registration', step: 'consent' });
    // No press was a callback: nothing to answer with sendMessageEventAnswer.
    expect(harness.vkFake.calls.filter((c) => c.method === 'messages.sendMessageEventAnswer' && c.params.user_id === chat.externalId)).toEqual([]);
  });

  it('no inline keyboards: one one-time regular keyboard of text buttons per reply, the location button and the list together; registration is done with it', async () => {
    const chat = new VkConversation(harness, newVkUser());
    await chat.send(typed(NO_INLINE, '/start'));
    const [language] = sends(chat.replies);
    expect(keyboardOf(language)).toMatchObject({ one_time: true });
    expect(keyboardOf(language)?.inline).toBeUndefined();
    expect(buttonsOf(language).map((b) => [b.type, b.label])).toEqual([
      ['text', 'Русский'],
      ['text', 'English'],
    ]);
    await chat.send(pressed(NO_INLINE, 'Русский'));
    expect(chat.replyTexts).toEqual([t('ru', 'reg.about')]);
    await chat.send(pressed(NO_INLINE, t('ru', 'reg.continue')));
    await chat.send(pressed(NO_INLINE, t('ru', 'reg.consent_agree')));
    expect(await stateOf(chat)).toEqual({ flow: 'registration', step: 'phone' });
    await chat.send(pressed(NO_INLINE, t('ru', 'reg.skip')));
    // The municipality step: its two views (the location prompt, the list) in two messages, and
    // both keyboards as one regular keyboard on the last: the location button first, then the list.
    const messages = sends(chat.replies);
    expect(messages).toHaveLength(2);
    expect(keyboardOf(messages[0])).toBeUndefined();
    const keyboard = keyboardOf(messages[1]);
    expect(keyboard).toMatchObject({ one_time: true });
    expect(keyboard?.buttons[0]).toEqual([{ action: { type: 'location', payload: '{"b":"location"}' } }]);
    const kemerovo = buttonsOf(messages[1]).find((b) => b.label === 'Кемеровский городской округ');
    expect(kemerovo?.type).toBe('text');
    await chat.send(pressed(NO_INLINE, kemerovo!.label!));
    expect(chat.replyTexts[0]).toContain(t('ru', 'reg.done', { municipality: '' }).slice(0, 20));
    expect(await stateOf(chat)).toEqual({ flow: 'idle', step: 'idle' });
  });

  it('no keyboards at all: the options numbered in the text, and the typed number is the press; another text is asked for a number', async () => {
    const chat = new VkConversation(harness, newVkUser());
    await chat.send(typed(NO_KEYBOARD, '/start'));
    const [language] = sends(chat.replies);
    expect(language?.params.keyboard).toBeUndefined();
    expect(language?.params.message).toBe(`${t('ru', 'reg.choose_language')}\n\n1 — Русский\n2 — English\n${t('ru', 'dialog.numbered_hint')}`);
    expect(await storedClient(chat)).toMatchObject({ keyboard: false, inline: false, options: [expect.stringMatching(/:lang:ru$/), expect.stringMatching(/:lang:en$/)] });

    await chat.send(typed(NO_KEYBOARD, '2'));
    expect(chat.replyTexts).toEqual([`${t('en', 'reg.about')}\n\n1 — ${t('en', 'reg.continue')}\n${t('en', 'dialog.numbered_hint')}`]);
    expect(sends(chat.replies)[0]?.params.keyboard).toBeUndefined();
    // A text that is no number: the step asks for a number, not for buttons the app does not show.
    await chat.send(typed(NO_KEYBOARD, 'hello'));
    expect(chat.replyTexts[0]).toBe(t('en', 'dialog.use_numbers'));
    await chat.send(typed(NO_KEYBOARD, '1.'));
    expect(await stateOf(chat)).toEqual({ flow: 'registration', step: 'consent' });
    expect(chat.replyTexts.at(-1)).toMatch(new RegExp(`\\n\\n1 — ${t('en', 'reg.consent_agree')}\\n2 — ${t('en', 'reg.consent_decline')}\\n`));
    // A number beyond the list is a text like any other.
    await chat.send(typed(NO_KEYBOARD, '7'));
    expect(chat.replyTexts[0]).toBe(t('en', 'dialog.use_numbers'));
    expect(await stateOf(chat)).toEqual({ flow: 'registration', step: 'consent' });
    // On to the end of registration: the phone typed, the municipality by its number.
    await chat.send(typed(NO_KEYBOARD, '1'));
    expect(await stateOf(chat)).toEqual({ flow: 'registration', step: 'phone' });
    await chat.send(typed(NO_KEYBOARD, '+7 900 123-45-67'));
    expect(await stateOf(chat)).toEqual({ flow: 'registration', step: 'municipality' });
    const list = chat.replyTexts.at(-1)!;
    const kemerovo = /\n(\d+) — Kemerovo[^\n]*\n/.exec(list);
    expect(kemerovo).not.toBeNull();
    await chat.send(typed(NO_KEYBOARD, kemerovo![1]!));
    expect(await stateOf(chat)).toEqual({ flow: 'idle', step: 'idle' });
    // The main menu after it, numbered: «2 — 📋 My messages» typed as 2 opens them.
    const menu = chat.replyTexts.at(-1)!;
    expect(menu.startsWith(t('en', 'menu.main'))).toBe(true);
    const my = new RegExp(`\\n(\\d+) — ${t('en', 'menu.my')}\\n`).exec(menu);
    expect(my).not.toBeNull();
    await chat.send(typed(NO_KEYBOARD, my![1]!));
    // Its own options numbered anew from 1 (what a 1 typed now means).
    expect(chat.replyTexts[0]?.startsWith(`${t('en', 'my.empty')}\n\n1 — `)).toBe(true);
    // A reply that numbers nothing (/help: typed commands) clears the options: a number typed now is only a text.
    await chat.send(typed(NO_KEYBOARD, '/help'));
    expect(chat.replyTexts[0]).toContain('/new — ');
    expect(await storedClient(chat)).toEqual({ keyboard: false, inline: false, callback: false, text: true, location: false });
  });

  it('an app without the location button (VK on a computer): the place is asked without telling to press a button it does not show', async () => {
    const NO_LOCATION = { button_actions: ['text', 'vkpay', 'open_app', 'open_link', 'callback'], keyboard: true, inline_keyboard: true, carousel: true, lang_id: 0 };
    const { chat: registered } = await registeredChat(db, harness, 'vk');
    const chat = registered as VkConversation;
    await chat.send(typed(NO_LOCATION, '/new'));
    await chat.say({ press: 'Дороги' }, { press: 'Ямы на дороге' });
    await chat.send(typed(NO_LOCATION, 'Яма у въезда во двор'));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.location_vk_no_button')]);
    expect(buttonsOf(sends(chat.replies)[0]).some((b) => b.type === 'location')).toBe(false);
    await chat.send(typed(NO_LOCATION, 'у моста'));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.send_location_hint_vk_no_button'), t('ru', 'filing.location_vk_no_button')]);
    // An app without keyboards at all, the same; and for the problems nearby.
    await chat.send(typed(NO_KEYBOARD, '/cancel'));
    await chat.send(typed(NO_KEYBOARD, '/nearby'));
    expect(chat.replyTexts[0]).toBe(t('ru', 'nearby.where_vk_no_button', { radius: 1000 }));
    await chat.send(typed(NO_KEYBOARD, 'здесь'));
    expect(chat.replyTexts[0]).toBe(t('ru', 'nearby.where_hint_vk_no_button'));
    // With the button, the texts that name it, as before.
    await chat.send(typed(NO_INLINE, '/nearby'));
    expect(chat.replyTexts[0]).toBe(t('ru', 'nearby.where_vk', { radius: 1000 }));
    for (const language of ['ru', 'en'] as const) {
      for (const key of ['filing.location_vk_no_button', 'filing.send_location_hint_vk_no_button', 'nearby.where_vk_no_button', 'nearby.where_hint_vk_no_button']) {
        expect(t(language, key, { radius: 1000 })).not.toMatch(/Отправить местоположение|Send location/);
      }
    }
  });

  it('the location keyboard left by a button: the line that takes it away comes where the reply has inline keyboards, and nowhere the last message takes it away itself', async () => {
    const { chat: registered } = await registeredChat(db, harness, 'vk');
    const chat = registered as VkConversation;
    const menu = t('ru', 'menu.back_to_menu');
    const hasLocation = (message: RecordedVkCall | undefined) => buttonsOf(message).some((b) => b.type === 'location');
    // Inline keyboards of text buttons: the menu's message has its own, so a line of its own takes the location keyboard away first.
    await chat.send(typed(INLINE_NO_CALLBACK, '/nearby'));
    expect(sends(chat.replies).some(hasLocation)).toBe(true);
    await chat.send(pressed(INLINE_NO_CALLBACK, menu));
    expect(chat.replyTexts).toEqual([t('ru', 'dialog.keyboard_gone'), t('ru', 'menu.main')]);
    expect(keyboardOf(sends(chat.replies)[0])).toEqual({ one_time: true, buttons: [] });
    expect(keyboardOf(sends(chat.replies)[1])).toMatchObject({ inline: true });

    // Regular keyboards only: the menu's buttons come on the last message's regular keyboard, which replaces the location one.
    await chat.send(typed(NO_INLINE, '/nearby'));
    expect(hasLocation(sends(chat.replies).at(-1))).toBe(true);
    await chat.send(pressed(NO_INLINE, menu));
    expect(sends(chat.replies)).toHaveLength(1);
    expect(chat.replyTexts[0]!.startsWith(t('ru', 'menu.main'))).toBe(true);
    expect(keyboardOf(sends(chat.replies)[0])).toMatchObject({ one_time: true });
    expect(keyboardOf(sends(chat.replies)[0])?.inline).toBeUndefined();
    expect(hasLocation(sends(chat.replies)[0])).toBe(false);

    // No bot keyboards at all: no location keyboard was shown, nothing to take away, no line.
    await chat.send(typed(NO_KEYBOARD, '/nearby'));
    const number = new RegExp(`\\n(\\d+) — ${menu}\\n`).exec(chat.replyTexts.at(-1)!);
    expect(number).not.toBeNull();
    await chat.send(typed(NO_KEYBOARD, number![1]!));
    expect(chat.replyTexts).toHaveLength(1);
    expect(chat.replyTexts[0]!.startsWith(t('ru', 'menu.main'))).toBe(true);
    expect(await stateOf(chat)).toEqual({ flow: 'idle', step: 'idle' });
  });

  it('no keyboards, a list of pages: the page it is on is a line of the list, not an option to type; the next page is chosen by its number', async () => {
    const { chat: registered } = await registeredChat(db, harness, 'vk');
    const chat = registered as VkConversation;
    await chat.send(typed(NO_KEYBOARD, '/new'));
    const list = chat.replyTexts.at(-1)!;
    const pageOf = t('ru', 'dialog.page_of', { page: 1, pages: 2 });
    expect(list).not.toMatch(new RegExp(`\\d+ — ${pageOf}`));
    expect(list).toContain(`\n(${pageOf})\n`);
    // Every number listed is an option that does something: the options stored are as many as the numbers shown.
    const numbers = [...list.matchAll(/\n(\d+) — /g)].map((m) => Number(m[1]));
    const options = ((await storedClient(chat)) as { options: string[] }).options;
    expect(numbers).toEqual(options.map((_, i) => i + 1));
    expect(options.some((id) => id.includes(':pg:0'))).toBe(false);
    const next = new RegExp(`\\n(\\d+) — ${t('ru', 'dialog.page_next')}\\n`).exec(list);
    await chat.send(typed(NO_KEYBOARD, next![1]!));
    expect(chat.replyTexts.at(-1)).toContain(`(${t('ru', 'dialog.page_of', { page: 2, pages: 2 })})`);
  });

  it("no keyboards, a step whose answer is written (a poll's free-text question): a typed number is the answer, an option is chosen with «№»; a choice step keeps bare numbers", async () => {
    const { chat } = await registeredChat(db, harness, 'vk');
    const vk = chat as VkConversation;
    const now = harness.now();
    const poll = await createPoll(
      db.db,
      {
        municipalityId: db.demo.municipalities.Kemerovo,
        kind: 'poll',
        title: 'Двор на Весенней',
        description: 'Что сделать во дворе',
        startsAt: new Date(now.getTime() - 3_600_000),
        endsAt: new Date(now.getTime() + 86_400_000),
        questions: [
          { kind: 'text', text: 'Сколько детских площадок нужно?' },
          { kind: 'single', text: 'Что важнее?', options: ['Освещение', 'Скамейки'] },
        ],
      },
      null,
      now,
    );
    const { broadcastId } = await publishPoll(db.db, poll.id, { force: true }, now);
    await expandFully(db.db, broadcastId!);
    // The announcement is sent by the outbox's bulk lane, after replies: it is awaited here, so it is
    // not taken for a reply to a later step.
    await harness.vkFake.waitFor(() => sends(harness.vkFake.calls).some((c) => c.params.peer_id === vk.externalId && c.params.message?.includes('Двор на Весенней')), 10_000);
    await vk.send(typed(NO_KEYBOARD, `/start poll_${poll.id}`));
    const textQuestion = t('ru', 'polls.question_text', { index: 1, count: 2, text: 'Сколько детских площадок нужно?' });
    // Its options (after the header's, numbered on across the reply) listed to be chosen with «№», the hint saying so.
    expect(vk.replyTexts.at(-1)).toBe(`${textQuestion}\n\n№3 — ${t('ru', 'polls.skip')}\n№4 — ${t('ru', 'polls.back')}\n${t('ru', 'dialog.numbered_hint_typed')}`);
    // «№3» is Skip.
    await vk.send(typed(NO_KEYBOARD, '№3'));
    const choice = t('ru', 'polls.question', { index: 2, count: 2, text: 'Что важнее?' });
    expect(vk.replyTexts).toEqual([`${choice}\n\n1 — Освещение\n2 — Скамейки\n3 — ${t('ru', 'polls.back')}\n${t('ru', 'dialog.numbered_hint')}`]);
    // On a choice, a bare number is the option (3: Back).
    await vk.send(typed(NO_KEYBOARD, '3'));
    expect(vk.replyTexts).toEqual([`${textQuestion}\n\n№1 — ${t('ru', 'polls.skip')}\n№2 — ${t('ru', 'polls.back')}\n${t('ru', 'dialog.numbered_hint_typed')}`]);
    // On the written answer, «2» is the answer, not Back.
    await vk.send(typed(NO_KEYBOARD, '2'));
    expect(vk.replyTexts[0]!.startsWith(`${choice}\n\n1 — `)).toBe(true);
    await vk.send(typed(NO_KEYBOARD, '2'));
    expect(vk.replyTexts[0]).toContain(t('ru', 'polls.summary_line', { index: 1, question: 'Сколько детских площадок нужно?', answer: '2' }));
    expect(vk.replyTexts[0]).toContain(t('ru', 'polls.summary_line', { index: 2, question: 'Что важнее?', answer: 'Скамейки' }));
    await vk.send(typed(NO_KEYBOARD, '1'));
    expect(vk.replyTexts[0]).toBe(t('ru', 'polls.thanks'));
    expect((await pollResults(db.db, poll.id, { withTexts: true })).questions[0]!.texts).toEqual(['2']);
  });

  it("a notification with buttons is rendered for the chat's stored app, and its fallback press opens the menu entry", async () => {
    const { chat, residentId } = await registeredChat(db, harness, 'vk');
    const vk = chat as VkConversation;
    // The resident's app says what it shows with any message (here /help).
    await vk.send(typed(NO_INLINE, '/help'));
    expect(await storedClient(vk)).toMatchObject({ inline: false, keyboard: true });
    const before = harness.vkFake.calls.length;
    await enqueue(db.db, [
      {
        channel: 'vk',
        chatId: vk.externalId,
        recipientKind: 'resident',
        residentId,
        kind: 'notice',
        payload: { key: 'dialog.help', language: 'ru', keyboard: { kind: 'inline', rows: [[menuButton('my', 'menu.my')]] } },
        priority: PRIORITY.notification,
      },
    ]);
    harness.app.outbox.kick();
    let shown: RecordedVkCall | undefined;
    for (let i = 0; i < 400 && !shown; i++) {
      shown = harness.vkFake.calls.slice(before).find((c) => c.method === 'messages.send' && c.params.peer_id === vk.externalId);
      if (!shown) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(shown?.params.message).toBe(t('ru', 'dialog.help'));
    expect(keyboardOf(shown)).toEqual({ one_time: true, buttons: [[{ action: { type: 'text', label: t('ru', 'menu.my'), payload: JSON.stringify({ b: menuButton('my', 'menu.my').id }) } }]] });
    await vk.send(pressed(NO_INLINE, t('ru', 'menu.my')));
    expect(vk.replyTexts[0]).toBe(t('ru', 'my.empty'));
  });

  it("a notification with buttons is rendered once, for the chat's stored app (its keyboard, not a first render, says to read the app)", async () => {
    const { chat } = await registeredChat(db, harness, 'vk');
    const vk = chat as VkConversation;
    await vk.send(typed(NO_INLINE, '/help'));
    let translations = 0;
    const counted: Translate = (...args) => {
      translations++;
      return t(...args);
    };
    const row = { kind: 'notice', chat_id: vk.externalId, payload: { key: 'dialog.help', language: 'ru' as const, keyboard: { kind: 'inline' as const, rows: [[menuButton('my', 'menu.my')]] } } };
    const parts = await vkChatRender(db.db, counted)(row);
    const byChatRender = translations;
    translations = 0;
    const once = renderVkRow(row, counted, await loadVkClient(db.db, vk.externalId));
    expect(parts).toEqual(once.parts);
    // The stored app has no inline keyboards: a one-time regular keyboard, as the sender shows it.
    expect(JSON.parse((parts[0] as VkMessage).keyboard ?? '{}')).toMatchObject({ one_time: true });
    expect(byChatRender).toBe(translations);
  });
});
