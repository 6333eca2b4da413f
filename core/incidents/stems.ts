/**
 * Keyword matching for monitored pages: a light Russian stemmer (inflection endings stripped,
 * ё read as е), applied to the dictionary's words and to the post's words alike, so «яма»,
 * «ямы», «ямой» and «ям» meet on one stem. A dictionary entry may also be a stem itself
 * («освещ*» style, written without the star): a post word matches when its stem starts with it,
 * if the entry has at least PREFIX_STEM_MIN letters (a shorter one matches its own forms and its
 * diminutives only, see stemMatches).
 */
const ENDINGS = [
  // Longest first: adjectives and participles, then nouns and verbs.
  'ующими',
  'ающими',
  'ившись',
  'ывшись',
  'иями',
  'ями',
  'ами',
  'ого',
  'его',
  'ому',
  'ему',
  'ыми',
  'ими',
  'ием',
  'ией',
  'иях',
  'иям',
  'ях',
  'ах',
  'ям',
  'ам',
  'ов',
  'ев',
  'ей',
  'ой',
  'ый',
  'ий',
  'ая',
  'яя',
  'ое',
  'ее',
  'ые',
  'ие',
  'ую',
  'юю',
  'ом',
  'ем',
  'ым',
  'им',
  'ых',
  'их',
  'ия',
  'ие',
  'ию',
  'ии',
  'ть',
  'ет',
  'ит',
  'ют',
  'ят',
  'ут',
  'ат',
  'ла',
  'ло',
  'ли',
  'а',
  'я',
  'о',
  'е',
  'ы',
  'и',
  'у',
  'ю',
  'ь',
  'й',
].sort((a, b) => b.length - a.length);

const MIN_STEM = 2;

export function normalizeWord(word: string): string {
  return word.toLowerCase().replaceAll('ё', 'е');
}

export function stem(word: string): string {
  const w = normalizeWord(word);
  for (const ending of ENDINGS) {
    if (w.endsWith(ending) && w.length - ending.length >= MIN_STEM) return w.slice(0, -ending.length);
  }
  return w;
}

/** The words of a text (letters and digits), lower case. */
export function wordsOf(text: string): string[] {
  return normalizeWord(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Stems of a rule's keywords: each keyword stemmed, duplicates and empties dropped. */
export function stemsOf(keywords: string[]): string[] {
  return [
    ...new Set(
      keywords
        .flatMap(wordsOf)
        .map(stem)
        .filter((s) => s.length >= 2),
    ),
  ];
}

/**
 * A rule's stem shorter than this matches only a word of that same stem: as a prefix, «вод» (вода)
 * took «водитель» and «газ» took «газета», «газон» and «Газель», flooding the queue with posts of
 * other topics under a wrong suggested category. Longer stems («освещ», «водопровод») stay prefixes.
 */
export const PREFIX_STEM_MIN = 4;

/**
 * What a short stem takes besides its own forms: the same word with a diminutive or augmentative
 * suffix, as the stemmer leaves it («ямка», «ямку», «ямкой» → ямк; «ямок» → ямок; «ямочка» → ямочк;
 * «водица» → водиц; «ямища» → ямищ). Only these suffixes: «водитель» (вод + ител), «газета»
 * (газ + ет), «газон», «Газель» stay other words.
 */
const DERIVED_SUFFIXES = ['к', 'ок', 'ек', 'ик', 'чик', 'очк', 'ечк', 'ичк', 'оньк', 'еньк', 'ушк', 'юшк', 'ышк', 'иц', 'ищ', 'ишк'];

/** Words of that shape that name something else: «водка» is not a small «вода», «полка» not a small «пол». */
const LEXICALISED = new Set(['водк', 'водок', 'полк', 'полок', 'леск']);

/** Whether a post word's stem is a rule's stem: a long stem as a prefix, a short one as itself or derived from it. */
export function stemMatches(ruleStem: string, wordStem: string): boolean {
  if (ruleStem.length >= PREFIX_STEM_MIN) return wordStem.startsWith(ruleStem);
  if (wordStem === ruleStem) return true;
  if (!wordStem.startsWith(ruleStem) || LEXICALISED.has(wordStem)) return false;
  return DERIVED_SUFFIXES.includes(wordStem.slice(ruleStem.length));
}

/** How many of `stems` the text contains (each counted once). */
export function matchCount(text: string, stems: string[]): number {
  const words = wordsOf(text).map(stem);
  return stems.filter((s) => words.some((w) => stemMatches(s, w))).length;
}
