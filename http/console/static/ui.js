// Shared pieces of the console's pages: the htm binding, loading from the admin API, one-click actions.
import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import { get } from './api.js';

export const html = htm.bind(h);
/**
 * The console's clock: Kuzbass time, whatever the browser's zone. An official's laptop left on
 * Moscow time showed a message filed at 04:02 as 00:02 and saved a poll typed for 09:00 as 13:00
 * for the residents. Times are shown and read in this zone (events: their municipality's).
 */
export const ZONE = 'Asia/Novokuznetsk';
/** Dates in the console's language (the browser's own locale mixed "12/4/2026, 4:02 AM" into Russian). */
const dateLocale = () => (document.documentElement.lang === 'en' ? 'en-GB' : 'ru-RU');
export const when = (iso) => (iso ? new Date(iso).toLocaleString(dateLocale(), { timeZone: ZONE }) : '—');
/**
 * A month ("2026-12", as the API and a month input give it) in words of the console's language:
 * «декабрь 2026», "December 2026" (Russian's "г." after the year is left off, as a label says it).
 */
export const monthName = (lang, period) => {
  const [, year, month] = /^(\d{4})-(\d{2})$/.exec(period ?? '')?.map(Number) ?? [];
  if (!year || !month || month > 12) return period ?? '';
  return new Date(Date.UTC(year, month - 1, 1))
    .toLocaleDateString(lang === 'en' ? 'en-GB' : 'ru-RU', { month: 'long', year: 'numeric', timeZone: 'UTC' })
    .replace(/\s*г\.$/, '');
};
export const excerpt = (text, n = 140) => (text.length > n ? `${text.slice(0, n)}…` : text);

/** Loads `path` (null: nothing yet) and re-loads it when `reload()` is called; failures go to `fail`. */
export function useApi(path, fail) {
  const [data, setData] = useState(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (path === null) return undefined;
    let live = true;
    get(path).then((d) => live && setData(d), fail);
    return () => {
      live = false;
    };
  }, [path, version]);
  return [data, () => setVersion((v) => v + 1)];
}

/** Runs an action, then reloads and says so; a refusal shows the API's detail (a field's, at the field: fieldRefusal). */
export function useAction(t, fail, notify, reload) {
  return async (event, run) => {
    event.preventDefault();
    try {
      const result = await run(event.target.elements ?? {});
      notify(t('act.done'));
      reload(result);
    } catch (error) {
      fail(fieldRefusal(t, event.target, error));
    }
  };
}

/**
 * The API's problems with a field (English) that the console says in its language: [pattern, key of
 * error.problem]; after, not_before and by capture the other field they name.
 */
const PROBLEMS = [
  [/http\(s\) URL|valid URL|^Invalid URL/i, 'url'],
  [/^Too small: expected string|must not be empty|^empty$/i, 'empty'],
  [/^Too big: expected string to have <=(\d+)/i, 'too_long'],
  [/^Too (small|big): expected number/i, 'range'],
  [/outside the municipality/i, 'outside'],
  [/must be after (\w+)/i, 'after'],
  [/^(?:must not be )?before (\w+)$/i, 'not_before'],
  [/must end by .*\((\w+)\)/i, 'by'],
  [/must be in the future/i, 'future'],
  // A date (or time) that has not come yet where only a past or today's one makes sense (a decision taken, a publication out).
  [/^in the future$/i, 'not_future'],
  [/already past/i, 'past'],
  [/must be an image|photos only/i, 'image'],
];

/**
 * A 400 VALIDATION naming a field (a schema error's `errors[].path` or a domain error's
 * `details.field`), said in the console's language, not the API's English. A field of `form` is
 * found by its `name` or a `data-field` naming the API's field (or the start of its path: an
 * option of a poll's question, `questions.0.options.2`, is the `questions.0.options` field): it is
 * marked (the browser's bubble) and named by its label. A field the form has not is named by
 * `error.fields.*` (else as the API names it), the problem still in the console's language.
 */
export function fieldRefusal(t, form, error) {
  if (error?.code !== 'VALIDATION') return error;
  const schema = (error.errors ?? []).filter((e) => e.path).map((e) => [e.path.replace(/^json\./, ''), e.message, e.in === 'json']);
  const domain = error.details?.field ? [[String(error.details.field).replace(/^json\./, ''), String(error.details.problem ?? ''), true]] : [];
  const refusals = [...domain, ...schema];
  const find = (path) => {
    if (!form?.elements) return null;
    const parts = path.split('.');
    const names = [path, parts[parts.length - 1], ...parts.slice(0, -1).map((_, i) => parts.slice(0, parts.length - 1 - i).join('.'))];
    for (const name of names) {
      const field = form.querySelector(`[data-field="${CSS.escape(name)}"]`) ?? form.elements.namedItem?.(name);
      if (field?.labels?.length) return field;
    }
    return null;
  };
  const label = (field) => field.labels[0].textContent.trim();
  /** A field the form has not: the deepest part of its path the locale names, else the path itself. */
  const named = (path) => {
    for (const part of path.split('.').reverse()) {
      const name = t(`error.fields.${part}`);
      if (name !== `error.fields.${part}`) return name;
    }
    return path;
  };
  const said = (problem) => {
    const known = PROBLEMS.find(([pattern]) => pattern.test(problem));
    if (!known) return t('error.problem.invalid');
    const match = problem.match(known[0]);
    const other = ['after', 'not_before', 'by'].includes(known[1]) ? find(match[1]) : null;
    return t(`error.problem.${known[1]}`, { max: match[1], field: other ? label(other) : named(match[1] ?? '') });
  };
  for (const [path, problem, body] of refusals) {
    const field = body ? find(path) : null;
    if (!field) continue;
    const text = t('error.field', { field: label(field), problem: said(problem) });
    refuse(field, text);
    return Object.assign(new Error(text), { status: error.status });
  }
  if (refusals.length === 0) return error;
  const [path, problem] = refusals[0];
  return Object.assign(new Error(t('error.field', { field: named(path), problem: said(problem) })), { status: error.status });
}

/** A municipality's or a category's name in the console's language. */
export const nameOf = (lang, item) => (item ? (lang === 'en' ? (item.nameEn ?? item.titleEn) : (item.nameRu ?? item.titleRu)) : '—');

export const loading = html`<main><p>…</p></main>`;

/**
 * The municipality a new item is for: only an operator (no municipality of their own) chooses it.
 * `region`: the first choice is the whole region (read as null by chosenTown); otherwise one is required.
 */
export const townField = (t, lang, me, towns, region) =>
  me.municipalityId === null &&
  html`<label for="municipality">${t('incidents.municipality')}</label>
    <select id="municipality" name="municipality" required=${!region}>
      ${region && html`<option value="">${t('incidents.region')}</option>`}
      ${(towns?.items ?? []).map((m) => html`<option value=${m.id}>${nameOf(lang, m)}</option>`)}
    </select>`;

/** The municipality of a townField with the region among its choices: the staff member's own, else the one chosen (null: the region). */
export const chosenTown = (me, f) => me.municipalityId ?? (f.municipality.value ? Number(f.municipality.value) : null);

/**
 * A paged list (`{ items, nextCursor }`): the first page of `path`, then `more()` appends the
 * next one. Returns [page (items of every loaded page, nextCursor of the last) | null, more, reload].
 */
export function usePaged(path, fail) {
  const [pages, setPages] = useState(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    setPages(null);
    get(path).then((d) => live && setPages(d), fail);
    return () => {
      live = false;
    };
  }, [path, version]);
  const more = () => {
    if (!pages?.nextCursor) return;
    const next = `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(pages.nextCursor)}`;
    get(next).then((d) => setPages({ items: [...pages.items, ...d.items], nextCursor: d.nextCursor }), fail);
  };
  return [pages, more, () => setVersion((v) => v + 1)];
}

/** Every page of a paged list (`{ items, nextCursor }`) fetched in turn: `{ items }` of them all. */
export async function getAll(path) {
  const items = [];
  let cursor = null;
  do {
    const page = await get(cursor === null ? path : `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return { items };
}

/** useApi for a paged list the page needs whole (a select of every official): every page of `path`; [data, reload]. */
export function useAll(path, fail) {
  const [data, setData] = useState(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (path === null) return undefined;
    let live = true;
    setData(null);
    getAll(path).then((d) => live && setData(d), fail);
    return () => {
      live = false;
    };
  }, [path, version]);
  return [data, () => setVersion((v) => v + 1)];
}

/**
 * The staff members `ids` name (the sessions'), fetched by `GET /staff?ids=`
 * (100 a request) as new ids come: `staffOf(id)` is the member, null when the key may not see
 * them (or they are gone), undefined while loading. Not limited to the staff list's first page.
 */
export function useStaffOf(ids, fail) {
  const [known, setKnown] = useState(() => new Map());
  const missing = [...new Set(ids)].filter((id) => id !== null && id !== undefined && !known.has(id)).sort((a, b) => a - b);
  const key = missing.join(',');
  useEffect(() => {
    if (key === '') return undefined;
    let live = true;
    const chunks = [];
    for (let i = 0; i < missing.length; i += 100) chunks.push(missing.slice(i, i + 100));
    Promise.all(chunks.map((chunk) => get(`/api/v1/staff?ids=${chunk.join(',')}&limit=100`))).then((pages) => {
      if (!live) return;
      const found = new Map(pages.flatMap((p) => p.items).map((s) => [s.id, s]));
      setKnown((before) => new Map([...before, ...missing.map((id) => [id, found.get(id) ?? null])]));
    }, fail);
    return () => {
      live = false;
    };
  }, [key]);
  return (id) => known.get(id);
}

/** The "more" button under a paged list. */
export const moreButton = (t, page, more) => (page?.nextCursor ? html`<p><button type="button" class="secondary" onClick=${more}>${t('list.more')}</button></p>` : null);

/** The fields of `next` whose values differ from `current`'s (an edit sends only what changed). */
export const changedFields = (next, current) => Object.fromEntries(Object.entries(next).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(current[k])));

/**
 * Marks `field` invalid with `problem` (focused, the browser's bubble, in the console's language)
 * and says false; no problem: true. The mark goes once the field is changed.
 */
export function refuse(field, problem) {
  field.setCustomValidity(problem || '');
  if (!problem) return true;
  field.reportValidity();
  const clear = () => field.setCustomValidity('');
  field.addEventListener('input', clear, { once: true });
  field.addEventListener('change', clear, { once: true });
  return false;
}

/** The wall clock's parts (year … second, as digits) of the instant `ms` in `timeZone`. */
const wallParts = (ms, timeZone) => {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  return Object.fromEntries(format.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
};
/** An instant as the "YYYY-MM-DDTHH:mm" of a datetime-local input in `timeZone`. */
export function localInput(iso, timeZone = ZONE) {
  const p = wallParts(Date.parse(iso), timeZone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}
/** How far the console's zone is ahead of UTC at the instant `ms` (whole seconds). */
const offsetAt = (ms) => {
  const p = wallParts(ms, ZONE);
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - Math.floor(ms / 1000) * 1000;
};
/** The console zone's wall clock at the instant `ms`, as milliseconds of a UTC date (read with getUTC*). */
export const wallOf = (ms) => ms + offsetAt(ms);
/** The instant of a wall-clock time of the console's zone given as `wallOf` gives it. */
export const fromWall = (wall) => wall - offsetAt(wall - offsetAt(wall));
/** A `datetime-local` input value, read in the console's zone, as an ISO instant (an empty or partial one throws, as `new Date` would). */
export const instant = (value) => new Date(fromWall(Date.parse(`${value}Z`))).toISOString();
/** An ISO instant as a `datetime-local` value in the console's zone. */
export const local = (iso) => localInput(iso, ZONE);

/**
 * A button that undoes something asked twice (a routing rule, a KPI responsible, an API key): the
 * first click asks `question`; «yes, delete» (or `yes`) runs `onConfirm` (a form's submit event, as
 * `useAction` takes it), «no, keep it» leaves it and has the focus, so a second Enter does not
 * delete (kept: the focus is back on the button).
 */
export function ConfirmButton({ t, label, aria, question, yes, onConfirm }) {
  // null: never asked; the focus goes to «keep» when asking and back to the button once kept.
  const [asking, setAsking] = useState(null);
  const keep = useRef(null);
  const button = useRef(null);
  useEffect(() => {
    if (asking) keep.current?.focus();
    else if (asking === false) button.current?.focus();
  }, [asking]);
  if (!asking) return html`<button type="button" class="secondary" ref=${button} aria-label=${aria} onClick=${() => setAsking(true)}>${label}</button>`;
  const submit = (event) => {
    setAsking(false);
    return onConfirm(event);
  };
  return html`<form class="confirm" onSubmit=${submit} role="group" aria-label=${question}>
    <p>${question}</p>
    <p><button type="submit">${yes ?? t('confirm.delete')}</button> <button type="button" class="secondary" ref=${keep} onClick=${() => setAsking(false)}>${t('confirm.keep')}</button></p>
  </form>`;
}
