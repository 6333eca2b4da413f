// The /map page: uses the console's session when the official is signed in there, else asks for
// an API key once (kept in sessionStorage, so it dies with the tab),
// then mounts the reusable map module with the page's filters. Texts come from locales/<lang>/map.json.
import { mountMap, translator } from './otklik-map.js';

const KEY = 'otklik.apiKey';
const LANG = 'otklik.lang';
const $ = (id) => document.getElementById(id);

// Russian unless English is asked for: an unknown ?lang=xx must not end up as <html lang="xx">.
const lang = (new URLSearchParams(location.search).get('lang') ?? sessionStorage.getItem(LANG)) === 'en' ? 'en' : 'ru';
const [texts, config] = await Promise.all([
  fetch(`/map/i18n/${lang}.json`).then((r) => r.json()),
  fetch('/map/config.json').then((r) => r.json()),
]);
const t = translator(texts, lang);

document.documentElement.lang = lang;
document.title = t('title');
$('title').textContent = t('title');
$('lang').textContent = t('language');
$('forget').textContent = t('key_forget');
$('key-prompt').textContent = t('key_prompt');
$('key-label').textContent = t('key_label');
$('key-submit').textContent = t('key_submit');
for (const node of document.querySelectorAll('[data-text]')) node.textContent = t(node.dataset.text);
// Firefox and desktop Safari have no month picker: a text box, which shows the format the API takes
// (the input's pattern refuses another before anything is asked).
$('period').placeholder = t('period_format');
$('period').title = t('period_format');

$('lang').addEventListener('click', () => {
  sessionStorage.setItem(LANG, lang === 'en' ? 'ru' : 'en');
  location.replace(location.pathname);
});
$('forget').addEventListener('click', () => {
  sessionStorage.removeItem(KEY);
  location.replace(location.pathname);
});

function askForKey(invalid) {
  $('filters').hidden = true;
  $('forget').hidden = true;
  $('key-form').hidden = false;
  $('key-error').hidden = !invalid;
  $('key-error').textContent = t('key_invalid');
  $('key').focus();
}

$('key-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const key = $('key').value.trim();
  const res = await fetch('/api/v1/me', { headers: { authorization: `Bearer ${key}` } });
  if (!res.ok) return askForKey(true);
  sessionStorage.setItem(KEY, key);
  $('key').value = '';
  $('key-form').hidden = true;
  await start(key);
});

function options(select, items, allText) {
  select.replaceChildren(new Option(allText, ''), ...items.map(([value, label]) => new Option(label, String(value))));
}

async function start(apiKey) {
  $('forget').hidden = !apiKey;
  $('filters').hidden = false;
  $('count').textContent = t('loading');
  let handle;
  try {
    handle = await mountMap($('map'), {
      apiKey,
      lang,
      texts,
      tileUrl: config.tileUrl,
      tileAttribution: config.tileAttribution,
      onUnauthorized: () => {
        sessionStorage.removeItem(KEY);
        askForKey(true);
      },
    });
  } catch (error) {
    $('count').textContent = t('load_failed', { error: error.message });
    return;
  }
  const name = (x) => (lang === 'en' ? x.nameEn ?? x.titleEn : x.nameRu ?? x.titleRu);
  options($('municipality'), handle.municipalities.map((m) => [m.id, name(m)]), t('municipality_all'));
  const categories = handle.categories.filter((c) => c.active).sort((a, b) => name(a).localeCompare(name(b), lang));
  options($('category'), categories.map((c) => [c.id, name(c)]), t('category_all'));
  options($('status'), ['new', 'in_work', 'overdue', 'solved', 'explained', 'rejected'].map((s) => [s, t(`status_${s}`)]), t('status_all'));

  const show = async () => {
    $('count').textContent = t('loading');
    const filters = {
      period: $('period').value || undefined,
      municipalityId: $('municipality').value || undefined,
      categoryId: $('category').value || undefined,
      status: $('status').value || undefined,
    };
    try {
      const result = await handle.load(filters);
      if (!result) return;
      $('count').textContent = t('shown', { count: result.count });
      $('notice').hidden = !result.truncated;
      $('notice').textContent = t('truncated', { count: result.count });
    } catch (error) {
      $('count').textContent = t('load_failed', { error: error.message });
    }
  };
  $('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    void show();
  });
  await show();
}

/** An official signed in to the console needs no key: the session cookie goes with same-origin reads. */
async function consoleSession() {
  const res = await fetch('/api/v1/me').catch(() => null);
  return res?.ok === true;
}

const saved = sessionStorage.getItem(KEY);
if (saved) await start(saved);
else if (await consoleSession()) await start(undefined);
else askForKey(false);
