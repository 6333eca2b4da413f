import { textProblem } from '../../../core/text/unsafe-text.ts';
import { asTyped } from '../../dialogs/menu.ts';
import type { Translate } from '../../i18n.ts';

const escaped = (phrase: string) => phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const patterns = new WeakMap<Translate, Map<string, RegExp>>();

/** The phrases of both languages that the locale lists `keys` name (`|`-separated), one or more in a row. */
function phrasesPattern(t: Translate, keys: readonly string[]): RegExp {
  const known = patterns.get(t) ?? new Map<string, RegExp>();
  patterns.set(t, known);
  const id = keys.join(' ');
  const pattern = known.get(id);
  if (pattern) return pattern;
  const phrases = (['ru', 'en'] as const)
    .flatMap((language) => keys.flatMap((key) => t(language, key).split('|')))
    .map(asTyped)
    .filter((p) => p.length > 0)
    .sort((a, b) => b.length - a.length)
    .map(escaped);
  const made = new RegExp(`^(?:(?:${phrases.join('|')})(?: |$))+$`, 'u');
  known.set(id, made);
  return made;
}

const COURTESY = ['my.clarification_courtesy_words'] as const;
const PLEASANTRIES = ['my.clarification_courtesy_words', 'dialog.greeting_words'] as const;

/**
 * Whether a text is only a courtesy («Спасибо!», «ок 👍», «Thank you very much»): one or more of the
 * phrases the locales list, case, punctuation and emoji aside, or nothing but emoji and punctuation.
 * Sent right after a clarification reply, it adds nothing the official needs to read. A text with
 * characters that cannot be stored (a lone surrogate has no letters either) is none: it is refused as such.
 */
export function isCourtesy(t: Translate, text: string): boolean {
  if (textProblem(text)) return false;
  const words = asTyped(text);
  return words.length === 0 || phrasesPattern(t, COURTESY).test(words);
}

/**
 * What a text of words is when it says nothing but courtesies: thanks or an "ok" («Спасибо большое,
 * всего доброго»), or a greeting, perhaps with thanks («Здравствуйте!», «Привет, спасибо»). Emoji
 * alone are neither (no words to answer). Undefined for anything else.
 */
export function pleasantryOf(t: Translate, text: string): 'thanks' | 'greeting' | undefined {
  if (textProblem(text)) return undefined;
  const words = asTyped(text);
  if (words.length === 0) return undefined;
  if (phrasesPattern(t, COURTESY).test(words)) return 'thanks';
  return phrasesPattern(t, PLEASANTRIES).test(words) ? 'greeting' : undefined;
}
