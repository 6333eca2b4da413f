/**
 * Text that PostgreSQL cannot store, or that is not text at all: a NUL character (text columns
 * and jsonb refuse U+0000) or a lone UTF-16 surrogate (no UTF-8 encoding exists for it; drivers
 * would turn it into U+FFFD or fail). Every text from outside is checked for both before it
 * reaches the database: the admin API in one middleware, the bots in validText and the adapters.
 */
export type TextProblem = 'nul' | 'surrogate';

/** A high surrogate not followed by a low one, or a low one not preceded by a high one (code units: no `u` flag). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

export function textProblem(text: string): TextProblem | undefined {
  if (text.includes('\u0000')) return 'nul';
  if (LONE_SURROGATE.test(text)) return 'surrogate';
  return undefined;
}

export const TEXT_PROBLEM_MESSAGES: Record<TextProblem, string> = {
  nul: 'must not contain the NUL character (U+0000)',
  surrogate: 'must be valid Unicode: it contains an unpaired UTF-16 surrogate',
};

/** The first string (value or object key) in a parsed JSON value that has a problem, with its path. */
export function findUnsafeText(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; problem: TextProblem } | undefined {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem && { path, problem };
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findUnsafeText(item, [...path, index]);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const keyProblem = textProblem(key);
      if (keyProblem) return { path: [...path, key], problem: keyProblem };
      const found = findUnsafeText(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/** The same text made storable: NUL dropped, lone surrogates replaced by U+FFFD (for names and ids, not for texts a resident wrote). */
export function storableText(text: string): string {
  return text.replaceAll('\u0000', '').replace(LONE_SURROGATES, '\uFFFD');
}
