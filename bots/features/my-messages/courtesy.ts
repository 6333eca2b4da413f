import { textProblem } from '../../../core/text/unsafe-text.ts';
import { asTyped } from '../../dialogs/menu.ts';
import type { Translate } from '../../i18n.ts';

const escaped = (phrase: string) => phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const patterns = new WeakMap<Translate, RegExp>();

/** The courtesy phrases of both languages (`my.clarification_courtesy_words`, `|`-separated), one or more in a row. */
function courtesyPattern(t: Translate): RegExp {
  const known = patterns.get(t);
  if (known) return known;
  const phrases = (['ru', 'en'] as const)
    .flatMap((language) => t(language, 'my.clarification_courtesy_words').split('|'))
    .map(asTyped)
    .filter((p) => p.length > 0)
    .sort((a, b) => b.length - a.length)
    .map(escaped);
  const pattern = new RegExp(`^(?:(?:${phrases.join('|')})(?: |$))+$`, 'u');
  patterns.set(t, pattern);
  return pattern;
}

/**
 * Whether a text is only a courtesy («Спасибо!», «ок 👍», «Thank you very much»): one or more of the
 * phrases the locales list, case, punctuation and emoji aside, or nothing but emoji and punctuation.
 * Sent right after a clarification reply, it adds nothing the official needs to read. A text with
 * characters that cannot be stored (a lone surrogate has no letters either) is none: it is refused as such.
 */
export function isCourtesy(t: Translate, text: string): boolean {
  if (textProblem(text)) return false;
  const words = asTyped(text);
  return words.length === 0 || courtesyPattern(t).test(words);
}
