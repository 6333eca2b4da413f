// A simple poll's fields (title, local start and end, one single-choice question with its options),
// shared by the new poll's form and a draft's edit form, and their checks at the field. Uncontrolled
// (defaultValue): a notice re-renders the page and must keep what was typed.
import { html, instant, local, refuse } from '../ui.js';

/** Whether the console's form can edit this poll's questions (one single-choice question); others keep theirs. */
export const simpleQuestions = (poll) => poll.questions.length === 1 && poll.questions[0].kind === 'single';

/** The fields, filled from `poll` when one is edited; `questions: false` leaves the questions out. */
export function pollFields(t, poll = null, questions = true) {
  const q = poll?.questions[0];
  return html`
    <label for="title">${t('polls.name')}</label><input id="title" name="title" required maxlength="200" defaultValue=${poll?.title ?? ''} />
    <label for="starts">${t('polls.starts')}</label><input id="starts" name="starts" data-field="startsAt" type="datetime-local" required defaultValue=${poll ? local(poll.startsAt) : ''} />
    <label for="ends">${t('polls.ends')}</label><input id="ends" name="ends" data-field="endsAt" type="datetime-local" required defaultValue=${poll ? local(poll.endsAt) : ''} />
    ${questions && html`<label for="question">${t('polls.question')}</label><input id="question" name="question" required maxlength="500" defaultValue=${q?.text ?? ''} />
      <label for="options">${t('polls.options')}</label><textarea id="options" name="options" data-field="questions.0.options" required defaultValue=${q ? q.options.map((o) => o.text).join('\n') : ''}></textarea>`}`;
}

/**
 * The form's poll fields for the API, or null when a field is wrong: the API's refusals of these
 * name a field in English, so they are said here, at the field, in the console's language.
 */
export function readPoll(t, f) {
  if (!refuse(f.ends, instant(f.ends.value) <= instant(f.starts.value) && t('polls.ends_after_starts'))) return null;
  const body = { title: f.title.value, startsAt: instant(f.starts.value), endsAt: instant(f.ends.value) };
  if (!f.options) return body;
  const options = f.options.value
    .split('\n')
    .map((o) => o.trim())
    .filter(Boolean);
  if (!refuse(f.options, (options.length < 2 || options.length > 10) && t('polls.options_count', { n: options.length }))) return null;
  // The API refuses options that differ only in case ("options must differ"), which the page could only call "filled in wrongly".
  const twice = options.find((o, i) => options.findIndex((p) => p.toLowerCase() === o.toLowerCase()) !== i);
  if (!refuse(f.options, twice !== undefined && t('polls.options_twice', { option: twice }))) return null;
  return { ...body, questions: [{ kind: 'single', text: f.question.value, options }] };
}
