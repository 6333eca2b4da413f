// A contest's attributes (contests.write: operators, curators), shared by the new contest's form and
// a draft's edit form, and their checks at the field: a draft may lack any attribute, but the dates
// it has must be in the order the API's publication demands (entries, voting, results; at most one
// month from the start of entries to the results, KPI 10), said in the console's language. The
// fields are uncontrolled (defaultValue, selected): a notice re-renders the page and keeps what was typed.
// The numbers (winners, entries per resident, the media limits: a file's size and a video's length)
// are checked against the API's ranges here too, in the console's language (the forms are noValidate).
import { fromWall, html, instant, local, refuse, wallOf, when } from '../ui.js';

const TEXTS = [
  ['title', 200],
  ['organiser', 300],
  ['topic', 300],
];
const LONG_TEXTS = [
  ['terms', 4000],
  ['prizes', 1000],
];
export const DATES = ['entriesFrom', 'entriesTo', 'votingFrom', 'votingTo', 'resultsOn'];
/** [earlier, later, may be equal]: checkDates of core/contests/contests.ts. */
const ORDER = [
  ['entriesFrom', 'entriesTo', false],
  ['votingFrom', 'votingTo', false],
  ['entriesFrom', 'votingFrom', true],
  ['entriesTo', 'votingTo', true],
  ['entriesTo', 'votingFrom', true],
  ['votingTo', 'resultsOn', true],
];
/** [name, min, max, required]: whole numbers in the ranges of the API's contest schema (ContestFieldsSchema). */
const NUMBERS = [
  ['winnersCount', 1, 100, false],
  ['maxEntriesPerResident', 1, 20, true],
  ['maxSizeMb', 1, 2000, false],
  ['maxDurationSeconds', 1, 36000, false],
];
/** What publication requires (REQUIRED_ATTRIBUTES of core/contests/contests.ts). */
export const REQUIRED = ['title', 'organiser', 'terms', 'topic', 'prizes', ...DATES, 'drawingFormat', 'winnersCount', 'entryKind'];

/** The fields, filled from `contest` when a draft is edited. */
export function contestFields(t, contest = null) {
  const value = (name) => contest?.[name] ?? '';
  const select = (name, options) => html`<label for=${name}>${t(`contests.field.${name}`)}</label>
    <select id=${name} name=${name}><option value="">—</option>${options.map(([v, key]) => html`<option value=${v} selected=${value(name) === v}>${t(key)}</option>`)}</select>`;
  const number = ([name, min, max, required]) => html`<label for=${name}>${t(`contests.field.${name}`)}</label>
    <input id=${name} name=${name} type="number" inputmode="numeric" step="1" min=${min} max=${max} required=${required} defaultValue=${name === 'maxEntriesPerResident' ? (contest?.[name] ?? 1) : value(name)} />`;
  return html`
    ${TEXTS.map(([name, max]) => html`<label for=${name}>${t(`contests.field.${name}`)}</label><input id=${name} name=${name} maxlength=${max} defaultValue=${value(name)} />`)}
    ${LONG_TEXTS.map(([name, max]) => html`<label for=${name}>${t(`contests.field.${name}`)}</label><textarea id=${name} name=${name} maxlength=${max} defaultValue=${value(name)}></textarea>`)}
    ${select(
      'drawingFormat',
      ['audience_vote', 'jury', 'random_draw'].map((f) => [f, `contests.formats.${f}`]),
    )}
    ${number(NUMBERS[0])}
    ${select(
      'entryKind',
      ['photo', 'video', 'any'].map((k) => [k, `contests.kinds.${k}`]),
    )}
    ${NUMBERS.slice(1).map(number)}
    ${DATES.map((name) => html`<label for=${name}>${t(`contests.field.${name}`)}</label><input id=${name} name=${name} type="datetime-local" defaultValue=${contest?.[name] ? local(contest[name]) : ''} />`)}`;
}

/** The latest results date KPI 10 allows: one calendar month after the start of entries. */
const monthAfter = (iso) => {
  // Counted in the console's zone, as the API counts it in the municipality's (Kuzbass time);
  // the 31st's month after is the next month's last day, as date-fns' addMonths on the server.
  const d = new Date(wallOf(new Date(iso).getTime()));
  const day = d.getUTCDate();
  d.setUTCMonth(d.getUTCMonth() + 1);
  if (d.getUTCDate() !== day) d.setUTCDate(0);
  return new Date(fromWall(d.getTime()));
};

/**
 * The form's attributes for the API (an empty field: null), or null when one is wrong: checked here
 * so the refusal names the field in the console's language. `current`: the draft being edited.
 */
export function readContest(t, f, current = null) {
  const body = {};
  for (const [name] of [...TEXTS, ...LONG_TEXTS]) {
    const text = f[name].value.trim();
    if (!refuse(f[name], f[name].value !== '' && text === '' && t('contests.check.blank'))) return null;
    body[name] = text || null;
  }
  body.drawingFormat = f.drawingFormat.value || null;
  body.entryKind = f.entryKind.value || null;
  // The form has noValidate: the browser's own bubbles would speak its language, not the console's.
  for (const [name, min, max, required] of NUMBERS) {
    const field = f[name];
    const n = Number(field.value);
    const empty = field.value === '' && !field.validity.badInput;
    const wrong = empty ? required : !Number.isInteger(n) || n < min || n > max;
    if (!refuse(field, wrong && t('contests.check.range', { min, max }))) return null;
    body[name] = empty ? null : n;
  }
  for (const name of DATES) {
    if (!refuse(f[name], f[name].validity.badInput && t('contests.check.partial'))) return null;
    // A field left as shown keeps the stored instant: the form shows minutes, and a plain date's end
    // of day (23:59:59.999) saved back as 23:59 would close entries a minute early.
    const kept = current?.[name] && f[name].value === local(current[name]);
    body[name] = kept ? current[name] : f[name].value ? instant(f[name].value) : null;
  }
  for (const [a, b, equal] of ORDER) {
    const wrong = body[a] && body[b] && (body[b] < body[a] || (!equal && body[b] === body[a]));
    if (!refuse(f[b], wrong && t(equal ? 'contests.check.not_before' : 'contests.check.after', { field: t(`contests.field.${a}`) }))) return null;
  }
  if (body.entriesFrom && body.resultsOn) {
    const latest = monthAfter(body.entriesFrom);
    if (!refuse(f.resultsOn, new Date(body.resultsOn) > latest && t('contests.check.month', { latest: when(latest.toISOString()) }))) return null;
  }
  return body;
}
