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

/** A step of the walk below: the value, and its path as a chain back to the root (built into an array only when found). */
type Step = { value: unknown; key: string | number | undefined; parent: Step | undefined };

function pathOf(step: Step | undefined, base: (string | number)[]): (string | number)[] {
  const keys: (string | number)[] = [];
  for (let s = step; s?.key !== undefined; s = s.parent) keys.push(s.key);
  return [...base, ...keys.reverse()];
}

/**
 * The first string (value or object key) in a parsed JSON value that has a problem, with its path.
 * Walked with an explicit stack, not recursion: a body nested a few thousand levels deep is valid
 * JSON that JSON.parse accepts, and must get the route's own answer, not a stack overflow (500).
 */
export function findUnsafeText(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; problem: TextProblem } | undefined {
  const stack: Step[] = [{ value, key: undefined, parent: undefined }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    const current = step.value;
    const keyProblem = typeof step.key === 'string' ? textProblem(step.key) : undefined;
    if (keyProblem) return { path: pathOf(step, path), problem: keyProblem };
    if (typeof current === 'string') {
      const problem = textProblem(current);
      if (problem) return { path: pathOf(step, path), problem };
    } else if (typeof current === 'object' && current !== null) {
      const children: Step[] = [];
      if (Array.isArray(current)) {
        for (const [index, item] of current.entries()) children.push({ value: item, key: index, parent: step });
      } else {
        for (const [key, item] of Object.entries(current)) children.push({ value: item, key, parent: step });
      }
      // Reversed onto the stack, so the first problem in document order is the one reported.
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
  }
  return undefined;
}

/**
 * Characters that show nothing on their own: white space, control and format characters (zero-width
 * space and joiners, direction marks, the byte order mark) and the blank "letters" messengers'
 * users send to post an empty-looking message (braille blank U+2800, the Hangul fillers).
 */
const INVISIBLE = /^[\s\p{Cc}\p{Cf}\u2800\u3164\u115F\u1160\uFFA0]*$/u;

/** Whether a text a person wrote shows nothing at all: it counts as empty wherever a text is required. */
export function isBlankText(text: string): boolean {
  return INVISIBLE.test(text);
}

/** The same text made storable: NUL dropped, lone surrogates replaced by U+FFFD (for names and ids, not for texts a resident wrote). */
export function storableText(text: string): string {
  return text.replaceAll('\u0000', '').replace(LONE_SURROGATES, '\uFFFD');
}
