import { describe, expect, it } from 'vitest';
import { ERROR_KINDS } from '../core/errors.ts';
import { createTranslator, loadLocaleResources } from './i18n.ts';

function keysOf(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keysOf(v, prefix ? `${prefix}.${k}` : k));
}

describe('locales', () => {
  const { ru, en } = loadLocaleResources();

  it('ru and en have exactly the same keys', () => {
    expect(keysOf(en).sort()).toEqual(keysOf(ru).sort());
  });

  it('no text is empty', () => {
    for (const [lang, res] of Object.entries({ ru, en })) {
      for (const key of keysOf(res)) {
        const value = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], res);
        expect(typeof value === 'string' && value.trim().length > 0, `${lang}:${key}`).toBe(true);
      }
    }
  });

  it('every domain error code has a text', () => {
    const codes = Object.keys(ERROR_KINDS);
    for (const code of codes) expect(keysOf(ru)).toContain(`errors.${code}`);
  });

  it('translates with parameters in both languages', () => {
    const t = createTranslator();
    expect(t('ru', 'notify.rejected', { messageId: 7, reason: 'спам' })).toBe('Ваше сообщение №7 отклонено. Причина: спам');
    expect(t('en', 'notify.rejected', { messageId: 7, reason: 'spam' })).toBe('Your message #7 was rejected. Reason: spam');
  });
});
