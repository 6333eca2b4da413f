import { describe, expect, it } from 'vitest';
import { createTranslator } from '../i18n.ts';
import { literalButton } from '../dialogs/buttons.ts';
import type { View } from '../dialogs/view.ts';
import { numberedChoice, storedVkClient, vkClientOf, vkModeOf } from './client.ts';
import { renderVkViews } from './render.ts';

const t = createTranslator();

describe('client_info → what the app can show', () => {
  it('reads button_actions, keyboard and inline_keyboard as VK sends them; lang_id alone or garbage says nothing', () => {
    const modern = {
      button_actions: ['text', 'vkpay', 'open_app', 'location', 'open_link', 'callback', 'intent_subscribe', 'intent_unsubscribe'],
      keyboard: true,
      inline_keyboard: true,
      carousel: true,
      lang_id: 0,
    };
    expect(vkClientOf(modern)).toEqual({ keyboard: true, inline: true, callback: true, text: true, location: true });
    expect(vkModeOf(vkClientOf(modern))).toBe('callback');
    expect(vkModeOf(vkClientOf({ ...modern, button_actions: ['text', 'location'] }))).toBe('inline-text');
    expect(vkModeOf(vkClientOf({ ...modern, inline_keyboard: false, button_actions: ['text'] }))).toBe('regular');
    expect(vkModeOf(vkClientOf({ ...modern, inline_keyboard: false, keyboard: false }))).toBe('numbered');
    // Keyboards but no text buttons either: nothing to press.
    expect(vkModeOf(vkClientOf({ ...modern, button_actions: [], inline_keyboard: false }))).toBe('numbered');
    for (const unknown of [undefined, null, 'x', [], { lang_id: 3 }, { keyboard: 'yes', button_actions: 'text' }]) expect(vkClientOf(unknown)).toBeUndefined();
    expect(vkModeOf(undefined)).toBe('callback');
  });

  it('a stored client is used only when whole; a typed number is an option only within the list', () => {
    expect(storedVkClient({ keyboard: true, inline: false })).toBeUndefined();
    const stored = storedVkClient({ keyboard: false, inline: false, callback: false, text: true, location: false, options: ['1:a', '1:b'] });
    expect(stored?.options).toEqual(['1:a', '1:b']);
    expect(['2', ' 2 ', '2.', '2)', '№2', '№ 1'].map((typed) => numberedChoice(typed, stored))).toEqual(['1:b', '1:b', '1:b', '1:b', '1:b', '1:a']);
    expect(['0', '3', '12', 'два', '2 дома', '', '-1'].map((typed) => numberedChoice(typed, stored))).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
    expect(numberedChoice('1', { ...stored!, options: [] })).toBeUndefined();
  });
});

describe('a regular keyboard for an app with inline keyboards', () => {
  const location: View = { key: 'filing.send_location', keyboard: { kind: 'reply', rows: [[{ kind: 'location', label: 'filing.send_location' }]], oneTime: true } };
  const modern = { keyboard: true, inline: true, callback: true, text: true, location: true };

  it('the location button only where the app has it; no regular keyboard where it shows none', () => {
    const keyboardOf = (client?: typeof modern) => renderVkViews([location], { language: 'en', t, ...(client && { client }) }).calls[0]!.params.keyboard;
    const withLocation = JSON.stringify({ one_time: true, buttons: [[{ action: { type: 'location', payload: '{"b":"location"}' } }]] });
    expect(keyboardOf()).toBe(withLocation);
    expect(keyboardOf(modern)).toBe(withLocation);
    expect(keyboardOf({ ...modern, location: false })).toBeUndefined();
    expect(keyboardOf({ ...modern, keyboard: false })).toBeUndefined();
  });
});

describe('views for an app without inline keyboards', () => {
  const many = (n: number): View => ({ key: 'menu.main', keyboard: { kind: 'inline', rows: Array.from({ length: n }, (_, i) => [literalButton(`1:o${i + 1}`, `Option ${i + 1}`)]) } });
  const regular = { keyboard: true, inline: false, callback: false, text: true, location: true };

  it('more buttons than a regular keyboard holds (10 rows) are numbered instead, the location button kept', () => {
    const location: View = { key: 'filing.send_location', keyboard: { kind: 'reply', rows: [[{ kind: 'location', label: 'filing.send_location' }]], oneTime: true } };
    const { calls, numbered } = renderVkViews([location, many(10)], { language: 'en', t, client: regular });
    expect(numbered).toEqual(Array.from({ length: 10 }, (_, i) => `1:o${i + 1}`));
    const last = calls.at(-1)!;
    expect(last.method).toBe('messages.send');
    expect(last.params.message).toContain('\n\n1 — Option 1\n2 — Option 2');
    expect(last.params.message).toContain(`10 — Option 10\n${t('en', 'dialog.numbered_hint')}`);
    expect(JSON.parse(last.params.keyboard!)).toEqual({ one_time: true, buttons: [[{ action: { type: 'location', payload: '{"b":"location"}' } }]] });
    // Nine rows and the location button fit: one regular keyboard, nothing numbered.
    const fits = renderVkViews([location, many(9)], { language: 'en', t, client: regular });
    expect(fits.numbered).toBeUndefined();
    expect(JSON.parse(fits.calls.at(-1)!.params.keyboard!).buttons).toHaveLength(10);
  });
});
