import { describe, expect, it } from 'vitest';
import { ERROR_KINDS } from '../core/errors.ts';
import { createTranslator, loadLocaleResources } from './i18n.ts';
import { FEATURES } from './features/registry.ts';

function keysOf(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keysOf(v, prefix ? `${prefix}.${k}` : k));
}

const valueAt = (res: unknown, key: string) => key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], res);

const PLURAL = /_(zero|one|two|few|many|other)$/;
/** Keys with i18next plural suffixes folded: ru needs one/few/many/other where en needs one/other. */
const baseKeys = (keys: string[]) => [...new Set(keys.map((k) => k.replace(PLURAL, '')))].sort();

describe('locales', () => {
  const { ru, en } = loadLocaleResources();

  it('ru and en have exactly the same keys (plural forms folded)', () => {
    expect(baseKeys(keysOf(en))).toEqual(baseKeys(keysOf(ru)));
  });

  it('every plural key has each form its language needs', () => {
    for (const [lang, res] of Object.entries({ ru, en })) {
      const keys = keysOf(res);
      const forms = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
      for (const base of new Set(keys.filter((k) => PLURAL.test(k)).map((k) => k.replace(PLURAL, '')))) {
        for (const form of forms) expect(keys, `${lang}:${base}_${form}`).toContain(`${base}_${form}`);
      }
    }
  });

  it('picks Russian plural forms', () => {
    const t = createTranslator();
    expect([1, 3, 5, 21].map((count) => t('ru', 'filing.photo_count', { count }))).toEqual(['1 фотография', '3 фотографии', '5 фотографий', '21 фотография']);
    expect([1, 2].map((count) => t('en', 'filing.photo_count', { count }))).toEqual(['1 photo', '2 photos']);
  });

  it('each language quotes its own way: ru «…», en “…” (a « standing alone is the back arrow)', () => {
    const textsOf = (res: unknown) => keysOf(res).map((key) => [key, valueAt(res, key)] as const);
    for (const [key, text] of textsOf(ru)) expect(String(text), `ru:${key}`).not.toMatch(/[“”"]/);
    for (const [key, text] of textsOf(en)) expect(String(text), `en:${key}`).not.toMatch(/«\S|»|"/);
  });

  it('no text is empty', () => {
    for (const [lang, res] of Object.entries({ ru, en })) {
      for (const key of keysOf(res)) {
        const value = valueAt(res, key);
        expect(typeof value === 'string' && value.trim().length > 0, `${lang}:${key}`).toBe(true);
      }
    }
  });

  it("a step's wrong-input hint has no parameter: it is said without any, so a {{placeholder}} would reach the resident as it is", () => {
    const t = createTranslator();
    for (const flow of FEATURES.flatMap((f) => f.flows ?? [])) {
      for (const [name, step] of Object.entries(flow.steps)) {
        if (typeof step.wrongInput !== 'string') continue;
        for (const lang of ['ru', 'en'] as const) expect(t(lang, step.wrongInput), `${flow.name}.${name}: ${lang}:${step.wrongInput}`).not.toContain('{{');
      }
    }
  });

  it('every domain error code has a text', () => {
    const codes = Object.keys(ERROR_KINDS);
    for (const code of codes) expect(keysOf(ru)).toContain(`errors.${code}`);
  });

  it('an optional note missing from a notice queued before it existed reads as nothing; other parameters stay visible', () => {
    const t = createTranslator();
    const queuedEarlier = { messageId: 7, categoryRu: 'Ямы', address: 'ул. Ленина, 1', deadline: '05.12.2026', text: 'Яма' };
    const text = t('ru', 'alert.assigned', queuedEarlier);
    expect(text).toBe('Вам назначено сообщение №7.\nКатегория: Ямы\nАдрес: ул. Ленина, 1\nСрок: до 05.12.2026\n\nЯма');
    expect(t('ru', 'notify.rejected', { messageId: 7 })).toContain('{{reason}}');
  });

  it('translates with parameters in both languages', () => {
    const t = createTranslator();
    expect(t('ru', 'notify.rejected', { messageId: 7, reason: 'спам' })).toBe('Ваше сообщение №7 отклонено. Причина: спам');
    expect(t('en', 'notify.rejected', { messageId: 7, reason: 'spam' })).toBe('Your message #7 was rejected. Reason: spam');
  });
});
