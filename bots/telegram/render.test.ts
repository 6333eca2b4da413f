import { describe, expect, it } from 'vitest';
import { createTranslator } from '../i18n.ts';
import { notificationView } from '../notification-views.ts';
import { MAX_TEXT, renderOutboxRow, renderTelegram, type TelegramCall } from './render.ts';

const t = createTranslator();
const chatId = '6100000000123';

describe('renderTelegram', () => {
  it("an album's running line: sent (and marked for its record) until one of its slot went out, then an edit of that message with a new message as fallback", () => {
    const line = { key: 'filing.photo_added', params: { count: 2, max: 5 }, slot: 'filing_photos', album: 'g-1', keyboard: { kind: 'inline' as const, rows: [[{ id: '4:done', label: 'filing.photos_done' }]] } };
    const first = renderTelegram(line, { chatId, language: 'ru', t })[0] as Extract<TelegramCall, { method: 'sendMessage' }>;
    expect(first).toMatchObject({ method: 'sendMessage', line: { album: 'g-1', slot: 'filing_photos' } });
    // Another slot's message, or none: sent anew.
    expect(renderTelegram(line, { chatId, language: 'ru', t, lines: { filing_photos_over: 7 } })[0]!.method).toBe('sendMessage');
    const [edit] = renderTelegram(line, { chatId, language: 'ru', t, lines: { filing_photos: 41 } });
    expect(edit).toMatchObject({
      method: 'editMessageText',
      params: { chat_id: chatId, message_id: 41, text: first.params.text, reply_markup: first.params.reply_markup },
      fallback: { method: 'sendMessage', params: first.params, line: { album: 'g-1', slot: 'filing_photos' } },
      line: { album: 'g-1', slot: 'filing_photos' },
    });
    // A line of no album (a photo of its own, a VK message's) is never an edit; a keyboard's removal needs a message of its own.
    const { album: _album, ...single } = line;
    expect(renderTelegram(single, { chatId, language: 'ru', t, lines: { filing_photos: 41 } })).toEqual([{ method: 'sendMessage', params: first.params }]);
    expect(renderTelegram({ ...line, keyboard: { kind: 'remove' } }, { chatId, language: 'ru', t, lines: { filing_photos: 41 } })[0]!.method).toBe('sendMessage');
    // A reply keyboard (the place step's button), shown by the line edited: the text alone.
    const place = renderTelegram({ ...line, keyboard: { kind: 'reply', rows: [[{ kind: 'location', label: 'filing.send_location' }]], oneTime: true } }, { chatId, language: 'ru', t, lines: { filing_photos: 41 } });
    expect(place).toHaveLength(1);
    expect(place[0]!.method).toBe('editMessageText');
    expect(place[0]!.params).not.toHaveProperty('reply_markup');
    expect((place[0] as { fallback: { params: { reply_markup: unknown } } }).fallback.params.reply_markup).toMatchObject({ keyboard: [[{ request_location: true }]] });
  });

  it('maps an inline keyboard to callback buttons with translated labels', () => {
    const calls = renderTelegram(
      { key: 'filing.summary', params: { category: 'Ямы', municipality: 'Кемерово', point: '55.36010, 86.09020', address: '—', text: 'Яма', photos: { $key: 'filing.photo_count', $params: { count: 3 } } }, keyboard: { kind: 'inline', rows: [[{ id: '3:send', label: 'filing.send' }], [{ id: '3:c:7', text: 'Буквально' }]] } },
      { chatId, language: 'ru', t },
    );
    expect(calls).toEqual([
      {
        method: 'sendMessage',
        params: {
          chat_id: chatId,
          text: 'Проверьте сообщение:\n\nКатегория: Ямы\nМесто: 55.36010, 86.09020 — Кемерово\nАдрес или ориентир: —\nФото: 3 фотографии\n\nЯма',
          reply_markup: { inline_keyboard: [[{ text: '✅ Отправить', callback_data: '3:send' }], [{ text: 'Буквально', callback_data: '3:c:7' }]] },
          link_preview_options: { is_disabled: true },
        },
      },
    ]);
  });

  it('maps reply keyboards with location and contact requests, and removal', () => {
    const [location] = renderTelegram({ key: 'filing.location', keyboard: { kind: 'reply', rows: [[{ kind: 'location', label: 'filing.send_location' }, { kind: 'contact', label: 'reg.share_phone' }, { kind: 'text', label: 'reg.skip' }]], oneTime: true } }, { chatId, language: 'en', t });
    expect(location!.params).toMatchObject({
      reply_markup: { keyboard: [[{ text: '📍 Send location', request_location: true }, { text: '📱 Share my number', request_contact: true }, { text: 'Skip' }]], resize_keyboard: true, one_time_keyboard: true },
    });
    const [removed] = renderTelegram({ key: 'dialog.cancelled', keyboard: { kind: 'remove' } }, { chatId, language: 'en', t });
    expect(removed!.params).toMatchObject({ text: 'Cancelled.', reply_markup: { remove_keyboard: true } });
  });

  it('splits a text longer than Telegram allows and puts the keyboard on the last part', () => {
    const long = 'щ'.repeat(MAX_TEXT + 10);
    const calls = renderTelegram({ key: 'notify.comment_reply', params: { messageId: 1, text: long }, keyboard: { kind: 'inline', rows: [[{ id: '!o:1', label: 'menu.reply' }]] } }, { chatId, language: 'ru', t });
    expect(calls.map((c) => c.method)).toEqual(['sendMessage', 'sendMessage']);
    const first = calls[0]!;
    if (first.method !== 'sendMessage') throw new Error('expected sendMessage');
    expect([...first.params.text].length).toBe(MAX_TEXT);
    expect('reply_markup' in calls[0]!.params).toBe(false);
    expect('reply_markup' in calls[1]!.params).toBe(true);
  });

  it('sends photos and a place before the text; edits the pressed message when asked', () => {
    const calls = renderTelegram({ key: 'my.card_photos', params: { messageId: 3 }, photos: ['a', 'b'], location: { lat: 55.35, lon: 86.08 } }, { chatId, language: 'ru', t });
    expect(calls.map((c) => c.method)).toEqual(['sendMediaGroup', 'sendLocation', 'sendMessage']);
    const [edit] = renderTelegram({ key: 'filing.sector', edit: true, keyboard: { kind: 'inline', rows: [[{ id: '2:pg:1', label: 'dialog.page_next' }]] } }, { chatId, language: 'ru', t, editMessageId: 99 });
    expect(edit).toMatchObject({ method: 'editMessageText', params: { message_id: 99, text: 'О какой сфере ваше сообщение?' } });
  });

  it('sends stored files as albums of up to 10 (one sendMediaGroup each), a file left alone by itself', () => {
    const stored = (count: number) =>
      renderTelegram({ key: 'alert.late_photos', params: { messageId: 3 }, media: Array.from({ length: count }, (_, i) => i + 1) }, { chatId, language: 'ru', t }).map((c) => [c.method, 'media' in c.params ? c.params.media : undefined]);
    expect(stored(1)).toEqual([['sendStoredMedia', 1], ['sendMessage', undefined]]);
    expect(stored(2)).toEqual([['sendStoredMediaGroup', [1, 2]], ['sendMessage', undefined]]);
    expect(stored(11)).toEqual([['sendStoredMediaGroup', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]], ['sendStoredMedia', 11], ['sendMessage', undefined]]);
  });

  it('refuses a button id over 64 bytes rather than let Telegram reject the message', () => {
    expect(() => renderTelegram({ key: 'dialog.hint', keyboard: { kind: 'inline', rows: [[{ id: `1:${'я'.repeat(40)}`, text: 'x' }]] } }, { chatId, language: 'ru', t })).toThrow(/64 bytes/);
  });
});

describe('notification views', () => {
  const finalRow = { kind: 'answer.final', chat_id: chatId, payload: { key: 'notify.answer_final', params: { messageId: 12, text: 'Fixed.', resolution: 'explained' }, language: 'en' } };

  it('a final answer gets its resolution label and the 1–5 rating buttons', () => {
    const [call] = renderOutboxRow(finalRow, t);
    expect(call!.params).toMatchObject({ chat_id: chatId, text: 'Answer on message #12 (explained):\nFixed.\n\nPlease rate the result.' });
    const keyboard = (call!.params as { reply_markup: { inline_keyboard: { text: string; callback_data: string }[][] } }).reply_markup.inline_keyboard;
    expect(keyboard[0]!.map((b) => b.callback_data)).toEqual(['!r:12:1', '!r:12:2', '!r:12:3', '!r:12:4', '!r:12:5']);
    expect(keyboard[1]).toEqual([{ text: 'Open message #12', callback_data: '!o:12' }]);
  });

  it('accepted gets "open message", a clarification "reply", unknown kinds and alerts stay plain', () => {
    expect(notificationView('status.accepted', { key: 'notify.accepted', params: { messageId: 5, executor: 'X' } }).keyboard).toEqual({ kind: 'inline', rows: [[{ id: '!o:5', label: 'menu.open_message', labelParams: { messageId: 5 } }]] });
    expect(notificationView('answer.clarification', { key: 'notify.answer_clarification', params: { messageId: 5, text: '?' } }).keyboard).toMatchObject({ rows: [[{ id: '!c:5' }], [{ id: '!o:5' }]] });
    expect(notificationView('alert.assigned', { key: 'alert.assigned', params: { messageId: 5 } }).keyboard).toBeUndefined();
    expect(notificationView('status.accepted', { key: 'notify.accepted', params: {} }).keyboard).toBeUndefined();
  });

  it('a keyboard stored in the payload wins; a malformed one is dropped', () => {
    const own = { kind: 'inline' as const, rows: [[{ id: '!m:my', label: 'menu.my' }]] };
    expect(notificationView('answer.final', { key: 'notify.answer_final', params: { messageId: 1, resolution: 'solved', text: 'x' }, keyboard: own }).keyboard).toEqual(own);
    expect(notificationView('status.rejected', { key: 'notify.rejected', params: { messageId: 1, reason: 'r' }, keyboard: { kind: 'weird' } }).keyboard).toMatchObject({ rows: [[{ id: '!o:1' }]] });
  });
});
