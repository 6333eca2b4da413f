// The console shell: session, language, hash routing (#/queue, #/message/<id>, #/incidents, …) and
// a nav of the pages the caller's role may use.
import { h, render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import htm from 'htm';
import { del, get, post, SessionEnded, setCsrf } from './api.js';
import { can, mayOpen } from './access.js';
import { MessageCard, Queue, Sessions } from './pages.js';
import { Audit, Jobs, Outbox } from './pages/admin.js';
import { DirectLineQuestions, DirectLines, NewDirectLine } from './pages/direct-lines.js';
import { Directories } from './pages/directories.js';
import { DirectoriesCalendar } from './pages/calendar.js';
import { DirectoriesRouting } from './pages/routing.js';
import { NewStaff, StaffCard } from './pages/staff-card.js';
import { Broadcasts } from './pages/broadcasts.js';
import { Comments } from './pages/comments.js';
import { ContestCard, Contests, NewContest } from './pages/contests.js';
import { Kpi } from './pages/kpi.js';
import { EventCard, Events, NewEvent } from './pages/events.js';
import { NewNews, News, NewsCard } from './pages/news.js';
import { IncidentCard, Incidents } from './pages/incidents.js';
import { NewPoll, PollCard, Polls } from './pages/polls.js';
import { fieldRefusal } from './ui.js';

const html = htm.bind(h);

async function loadTexts(lang) {
  const response = await fetch(`/console/i18n/${lang}.json`);
  return response.json();
}

/** `t('card.title', { id: 3 })`: nested keys, {{param}} interpolation; a missing key shows itself. */
export function translator(texts) {
  return (key, params = {}) => {
    const value = key.split('.').reduce((node, part) => (node && typeof node === 'object' ? node[part] : undefined), texts);
    if (typeof value !== 'string') return key;
    return value.replace(/\{\{(\w+)\}\}/g, (_, name) => String(params[name] ?? ''));
  };
}

/** The nav's pages, in order; each shown only to the roles that may use it (access.js). */
const NAV = ['queue', 'incidents', 'polls', 'direct-lines', 'news', 'events', 'broadcasts', 'contests', 'kpi', 'comments', 'directories', 'audit', 'outbox', 'jobs', 'sessions'];

/** `#/<page>` or `#/<card>/<id>`; a card belongs to a nav page (its permission). */
const CARDS = { message: ['queue', MessageCard], incident: ['incidents', IncidentCard], poll: ['polls', PollCard], 'direct-line': ['direct-lines', DirectLineQuestions], contest: ['contests', ContestCard], 'news-item': ['news', NewsCard], event: ['events', EventCard], staff: ['directories', StaffCard] };
const PAGES = { queue: Queue, incidents: Incidents, polls: Polls, 'polls/new': NewPoll, 'direct-lines': DirectLines, 'direct-lines/new': NewDirectLine, news: News, 'news/new': NewNews, broadcasts: Broadcasts, events: Events, 'events/new': NewEvent, contests: Contests, 'contests/new': NewContest, kpi: Kpi, comments: Comments, directories: Directories, 'directories/routing': DirectoriesRouting, 'directories/calendar': DirectoriesCalendar, 'directories/new-staff': NewStaff, audit: Audit, outbox: Outbox, jobs: Jobs, sessions: Sessions };

function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const card = /^([a-z-]+)\/(\d{1,12})$/.exec(hash);
  if (card && CARDS[card[1]]) return { page: CARDS[card[1]][0], view: CARDS[card[1]][1], id: Number(card[2]) };
  // A sub-page (`polls/new`, `directories/routing`) belongs to its nav page.
  if (PAGES[hash]) return { page: hash.split('/')[0], view: PAGES[hash] };
  return { page: 'queue', view: Queue };
}

/**
 * The API's refusal in the console's language when the locale names its code (`error.code.*`; a
 * field's refusal that no form said at its field: fieldRefusal), else the API's own detail.
 */
export function refusal(t, error) {
  if (error.code === 'VALIDATION') return fieldRefusal(t, null, error).message;
  const key = `error.code.${error.code}`;
  const text = error.code ? t(key, error.details ?? {}) : key;
  return text === key ? error.message : text;
}

function SignIn({ t, onSignedIn }) {
  const [useKey, setUseKey] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    const value = event.target.elements.secret.value.trim();
    setError(null);
    try {
      onSignedIn(await post('/console/session', useKey ? { apiKey: value } : { code: value }));
    } catch (e) {
      setError(e.status === 429 ? t('sign_in.throttled') : t('sign_in.failed'));
    }
  };
  return html`<main>
    <h1>${t('sign_in.title')}</h1>
    <form onSubmit=${submit}>
      ${useKey ? null : html`<p>${t('sign_in.code_hint')}</p>`}
      <label for="secret">${useKey ? t('sign_in.key') : t('sign_in.code')}</label>
      <input id="secret" name="secret" autocomplete="one-time-code" required type=${useKey ? 'password' : 'text'} />
      <p><button type="submit">${t('sign_in.submit')}</button></p>
      ${error && html`<p class="error" role="alert">${error}</p>`}
    </form>
    <p><button type="button" class="secondary" onClick=${() => setUseKey(!useKey)}>${t(useKey ? 'sign_in.code_toggle' : 'sign_in.key_toggle')}</button></p>
  </main>`;
}

function App() {
  const [lang, setLang] = useState(localStorage.getItem('otklik.console.lang') === 'en' ? 'en' : 'ru');
  const [t, setT] = useState(null);
  const [session, setSession] = useState(undefined);
  const [where, setWhere] = useState(route());
  const [notice, setNotice] = useState(null);

  useEffect(() => {
    loadTexts(lang).then((texts) => setT(() => translator(texts)));
    document.documentElement.lang = lang;
    localStorage.setItem('otklik.console.lang', lang);
  }, [lang]);
  useEffect(() => {
    get('/console/session').then((body) => (body.signedIn ? signedIn(body) : setSession(null)), () => setSession(null));
    const onHash = () => {
      setWhere(route());
      // A notice given for the page being opened (a saved draft's list) stays there once; any other goes.
      setNotice((n) => (n?.next && n.next === location.hash ? { ...n, next: undefined } : null));
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    if (t) document.title = t('title');
  }, [t]);
  useEffect(() => {
    if (!t) return undefined;
    // The browser's own bubbles speak the browser's language («Please fill out this field.» on a
    // Russian page): a field left empty, a link that is not one, a number out of range are said in
    // the console's. A refusal the page already gave (refuse, fieldRefusal) is kept.
    const onInvalid = (event) => {
      const field = event.target;
      const v = field.validity;
      if (!v || v.customError) return;
      // A list left at its «choose» line is asked to be chosen from, not filled in.
      const problem = v.valueMissing
        ? t(field.tagName === 'SELECT' ? 'error.problem.choose' : 'error.problem.empty')
        : v.typeMismatch && field.type === 'url'
          ? t('error.problem.url')
          : v.rangeUnderflow || v.rangeOverflow || v.stepMismatch
            ? t('error.problem.range')
            : v.tooLong
              ? t('error.problem.too_long', { max: field.maxLength })
              : v.patternMismatch && field.title
                ? field.title
                : t('error.problem.invalid');
      field.setCustomValidity(problem.charAt(0).toUpperCase() + problem.slice(1));
      const clear = () => field.setCustomValidity('');
      field.addEventListener('input', clear, { once: true });
      field.addEventListener('change', clear, { once: true });
    };
    document.addEventListener('invalid', onInvalid, true);
    return () => document.removeEventListener('invalid', onInvalid, true);
  }, [t]);

  function signedIn(body) {
    setCsrf(body.csrfToken);
    setSession(body);
  }
  /** Every page reports failures here; an ended session returns to the sign-in form. */
  function fail(error) {
    if (error instanceof SessionEnded) {
      setSession(null);
      setNotice({ error: true, text: t('error.session_ended') });
    } else setNotice({ error: true, text: error.status === 404 ? t('error.not_found') : t('error.generic', { detail: refusal(t, error) }) });
  }
  async function signOut() {
    await del('/console/session').catch(() => undefined);
    setSession(null);
  }

  if (!t || session === undefined) return html`<main><p>…</p></main>`;
  if (!session) return html`${notice && html`<p class="error" role="alert">${notice.text}</p>`}<${SignIn} t=${t} onSignedIn=${(b) => (setNotice(null), signedIn(b))} />`;
  const me = session.staff;
  const props = { t, lang, me, fail, notify: (text, next) => setNotice({ error: false, text, next }) };
  const View = mayOpen(me.role, where.page) ? where.view : Queue;
  return html`
    <header>
      <strong>${t('title')}</strong>
      <nav aria-label="main">
        ${NAV.filter((p) => mayOpen(me.role, p)).map((p) => html`<a href=${`#/${p}`} aria-current=${where.page === p ? 'page' : undefined}>${t(`nav.${p}`)}</a>`)}
        ${can(me.role, 'messages.read') && html`<a href="/map">${t('nav.map')}</a>`}
        <button type="button" class="secondary" onClick=${() => setLang(lang === 'ru' ? 'en' : 'ru')}>${t('nav.language')}</button>
        <button type="button" class="secondary" onClick=${signOut}>${t('nav.sign_out')}</button>
      </nav>
      <span class="who">${me.fullName} · ${t(`role.${me.role}`)}</span>
    </header>
    ${notice && html`<p class=${notice.error ? 'error' : 'notice'} role="status">${notice.text}</p>`}
    <${View} key=${`${location.hash}`} id=${where.id} ...${props} />
  `;
}

render(html`<${App} />`, document.getElementById('app'));
