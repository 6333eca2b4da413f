import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import i18next, { type TFunction } from 'i18next';
import type { Language } from '../core/db/types.ts';

const localesDir = fileURLToPath(new URL('../locales', import.meta.url));

/**
 * Reads locales/<language>/<area>.json; each file's keys live under its file name, so
 * locales/ru/notify.json { "accepted": … } is the key `notify.accepted`. One file per area
 * keeps features from editing each other's texts.
 */
export function loadLocaleResources(): Record<Language, Record<string, unknown>> {
  const read = (language: Language) =>
    Object.fromEntries(
      readdirSync(`${localesDir}/${language}`)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => [f.slice(0, -'.json'.length), JSON.parse(readFileSync(`${localesDir}/${language}/${f}`, 'utf8'))]),
    );
  return { ru: read('ru'), en: read('en') };
}

export type Translate = (language: Language, key: string, params?: Record<string, unknown>) => string;

/** An i18next instance of its own (not the global one), Russian first with English complete. */
export function createTranslator(): Translate {
  const resources = loadLocaleResources();
  const instance = i18next.createInstance();
  void instance.init({
    initAsync: false,
    lng: 'ru',
    fallbackLng: 'ru',
    supportedLngs: ['ru', 'en'],
    resources: { ru: { translation: resources.ru }, en: { translation: resources.en } },
    interpolation: { escapeValue: false },
    returnNull: false,
    // Notices queued before a deploy that added an optional note to their text (e.g. photosNote)
    // lack the parameter: such a note reads as nothing rather than as a literal {{photosNote}}.
    missingInterpolationHandler: (_text: string, match: RegExpExecArray) => (/^\s*\w+Note\s*$/.test(match[1] ?? '') ? '' : match[0]),
  });
  const fixed = new Map<Language, TFunction>([
    ['ru', instance.getFixedT('ru')],
    ['en', instance.getFixedT('en')],
  ]);
  // A text without parameters is the same every time (the resources never change after init):
  // remembered, since a reply's keyboard alone asks for a dozen of them.
  const plain = new Map<string, string>();
  return (language, key, params) => {
    if (params !== undefined && Object.keys(params).length > 0) return fixed.get(language)!(key, params) as string;
    const id = `${language}:${key}`;
    let text = plain.get(id);
    if (text === undefined) {
      text = fixed.get(language)!(key, {}) as string;
      if (plain.size < 10_000) plain.set(id, text);
    }
    return text;
  };
}
