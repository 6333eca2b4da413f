import type { Language } from '../core/db/types.ts';
import { isReaderDate } from '../core/text/reader-date.ts';
import { formatDate } from './dialogs/format.ts';
import { isLocalText, type View } from './dialogs/view.ts';
import type { Translate } from './i18n.ts';

function resolveParams(t: Translate, language: Language, params: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!params) return {};
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => [name, resolveValue(t, language, value)]),
  );
}

/** A local text or a date in the language; a list of texts, one per line (a digest's lines); anything else as it is. */
function resolveValue(t: Translate, language: Language, value: unknown): unknown {
  if (isLocalText(value)) return t(language, value.$key, resolveParams(t, language, value.$params));
  if (isReaderDate(value)) {
    const at = new Date(value.$date);
    return Number.isNaN(at.getTime()) ? '' : formatDate(at, language, value.$timeZone);
  }
  if (Array.isArray(value) && value.length > 0 && value.every(isLocalText)) return value.map((v) => resolveValue(t, language, v)).join('\n');
  return value;
}

/** The full text of a view in one language: the main key, then its extra lines. Shared by every adapter. */
export function renderText(t: Translate, language: Language, view: Pick<View, 'key' | 'params' | 'lines'>): string {
  const main = t(language, view.key, resolveParams(t, language, view.params));
  const lines = (view.lines ?? []).map((line) => t(language, line.key, resolveParams(t, language, line.params)));
  return [main, ...lines].join('\n');
}

export function renderLabel(language: Language, button: { label?: string; labelParams?: Record<string, unknown>; text?: string }, t: Translate): string {
  if (button.text !== undefined) return button.text;
  return t(language, button.label ?? '', resolveParams(t, language, button.labelParams));
}
