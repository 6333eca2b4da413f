// The console shell: session, language, hash routing (#/queue, #/message/<id>, #/sessions).
import { h, render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import htm from 'htm';
import { del, get, post, SessionEnded, setCsrf } from './api.js';
import { MessageCard, Queue, Sessions } from './pages.js';

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

function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const message = /^message\/(\d{1,12})$/.exec(hash);
  if (message) return { page: 'message', id: Number(message[1]) };
  if (hash === 'sessions') return { page: 'sessions' };
  return { page: 'queue' };
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
    <p><button type="button" class="secondary" onClick=${() => setUseKey(!useKey)}>${t('sign_in.key_toggle')}</button></p>
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
      setNotice(null);
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    if (t) document.title = t('title');
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
    } else setNotice({ error: true, text: error.status === 404 ? t('error.not_found') : t('error.generic', { detail: error.message }) });
  }
  async function signOut() {
    await del('/console/session').catch(() => undefined);
    setSession(null);
  }

  if (!t || session === undefined) return html`<main><p>…</p></main>`;
  if (!session) return html`${notice && html`<p class="error" role="alert">${notice.text}</p>`}<${SignIn} t=${t} onSignedIn=${(b) => (setNotice(null), signedIn(b))} />`;
  const me = session.staff;
  const props = { t, me, fail, notify: (text) => setNotice({ error: false, text }) };
  return html`
    <header>
      <strong>${t('title')}</strong>
      <nav aria-label="main">
        <a href="#/queue">${t('nav.queue')}</a>
        <a href="#/sessions">${t('nav.sessions')}</a>
        <button type="button" class="secondary" onClick=${() => setLang(lang === 'ru' ? 'en' : 'ru')}>${t('nav.language')}</button>
        <button type="button" class="secondary" onClick=${signOut}>${t('nav.sign_out')}</button>
      </nav>
      <span class="who">${me.fullName} · ${t(`role.${me.role}`)}</span>
    </header>
    ${notice && html`<p class=${notice.error ? 'error' : 'notice'} role="status">${notice.text}</p>`}
    ${where.page === 'message' ? html`<${MessageCard} key=${where.id} id=${where.id} ...${props} />` : where.page === 'sessions' ? html`<${Sessions} ...${props} />` : html`<${Queue} ...${props} />`}
  `;
}

render(html`<${App} />`, document.getElementById('app'));
