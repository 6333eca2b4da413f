/**
 * Public texts (a message's description, an official's answer) may still name their author or
 * carry contacts: answers often address the resident by name. Before anything leaves through the
 * public Open311 façade, the author's names and handles and anything shaped like a phone number,
 * an e-mail address, a messenger handle, a link to a profile, a SNILS or a bank card number are
 * replaced by this mark.
 */
export const REDACTED = '[скрыто]';

/** A link to a person's messenger or social profile (Telegram, VK, OK, WhatsApp): a handle or an id in URL form. */
const PROFILE = /(?<![\p{L}\p{N}.\-/])(?:https?:\/\/)?(?:www\.|m\.)?(?:t\.me|telegram\.me|vk\.com|vk\.ru|ok\.ru|wa\.me)\/[A-Za-z0-9_.\-/]*[A-Za-z0-9_]/giu;

/** A run of digits with the separators phone numbers are written with (spaces, hyphens, dashes, brackets). */
const DIGIT_RUN = /(?<![\p{L}\p{N}+])\+?\s*\(?\d[\d\s()\-\u2010-\u2014]{7,}\d(?![\p{L}\p{N}])/gu;

/**
 * A run is a phone number by its digits, however grouped: +, then 10 to 15 of them (an
 * international number); 11 starting with 7 or 8 (+7 or 8, then the 10 of a Russian number); or
 * those 10 alone, starting as Russian codes do (3 and 4 for cities, 8 and 9 for mobiles and free
 * numbers): 8 (3842) 58-12-34, 913-123-45-67, +375 29 123-45-67.
 */
function isPhone(run: string): boolean {
  const digits = run.replace(/\D/g, '');
  if (run.startsWith('+')) return digits.length >= 10 && digits.length <= 15;
  if (digits.length === 11) return digits.startsWith('7') || digits.startsWith('8');
  return digits.length === 10 && /^[3489]/.test(digits);
}

/** SNILS (the pension insurance number, «123-456-789 01»): 11 digits whose last two check the first nine. */
function isSnils(run: string): boolean {
  const digits = run.replace(/\D/g, '');
  if (digits.length !== 11) return false;
  const sum = [...digits.slice(0, 9)].reduce((total, digit, i) => total + Number(digit) * (9 - i), 0);
  const check = sum < 100 ? sum : sum % 101 === 100 ? 0 : sum % 101;
  return check === Number(digits.slice(9));
}

/** A bank card number («2202 2012 3456 7890»): 13 to 19 digits passing the Luhn check. */
function isCardNumber(run: string): boolean {
  const digits = run.replace(/\D/g, '');
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
const HANDLE = /(?<![\p{L}\p{N}_])@[A-Za-z0-9_.]{3,}/gu;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Cyrillic letters of a name: ё is often written е, and drops to е in declension (Пётр → Петра). */
function lettersPattern(text: string): string {
  return escapeRegExp(text).replace(/[её]/giu, '[её]');
}

/**
 * A Cyrillic name declines (Иван → Ивана, Мария → Марии, Петров → Петровым): its stem plus up to 3
 * letters. An е or ё before the last consonant may drop (Павел → Павла, Павлу).
 */
function wordPattern(word: string): string {
  if (!/^\p{Script=Cyrillic}+$/u.test(word)) return escapeRegExp(word);
  const stem = [...word].length > 3 ? word.replace(/[аяйьоеы]$/iu, '') : word;
  const fleeting = [...stem].length > 3 ? /^(.+)[её]([бвгджзклмнпрстфхцчшщ])$/iu.exec(stem) : null;
  const pattern = fleeting ? `${lettersPattern(fleeting[1]!)}[её]?${lettersPattern(fleeting[2]!)}` : lettersPattern(stem);
  return `${pattern}\\p{L}{0,3}`;
}

/**
 * `names`: the author's display name, username and the like. The whole name and each of its
 * words of three letters or more (declined, for Cyrillic ones) are replaced where they stand as
 * words of their own ("Ивана" in "спросить Ивана", not "Ивановская" in "Ивановская улица").
 */
export function redactPersonal(text: string, names: readonly (string | null | undefined)[]): string {
  let out = text
    .replace(EMAIL, REDACTED)
    .replace(PROFILE, REDACTED)
    .replace(DIGIT_RUN, (run) => (isPhone(run) || isSnils(run) || isCardNumber(run) ? REDACTED : run))
    .replace(HANDLE, REDACTED);
  const words = new Set<string>();
  for (const name of names) {
    const trimmed = name?.replace(/^@/, '').trim();
    if (!trimmed) continue;
    words.add(trimmed);
    for (const word of trimmed.split(/[\s,.]+/)) if ([...word].length >= 3) words.add(word);
  }
  // Longest first, so a full name goes as one piece before its words are looked at.
  for (const word of [...words].sort((a, b) => b.length - a.length)) {
    out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${wordPattern(word)}(?![\\p{L}\\p{N}])`, 'giu'), REDACTED);
  }
  return out;
}
