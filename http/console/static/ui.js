// Shared pieces of the console's pages: the htm binding, loading from the admin API, one-click actions.
import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import htm from 'htm';
import { get } from './api.js';

export const html = htm.bind(h);
export const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');
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

/** Runs an action, then reloads and says so; a refusal shows the API's detail. */
export function useAction(t, fail, notify, reload) {
  return async (event, run) => {
    event.preventDefault();
    try {
      const result = await run(event.target.elements ?? {});
      notify(t('act.done'));
      reload(result);
    } catch (error) {
      fail(error);
    }
  };
}

/** A municipality's or a category's name in the console's language. */
export const nameOf = (lang, item) => (item ? (lang === 'en' ? (item.nameEn ?? item.titleEn) : (item.nameRu ?? item.titleRu)) : '—');

export const loading = html`<main><p>…</p></main>`;

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

/** `datetime-local` input value (the browser's zone) as an ISO instant. */
export const instant = (value) => new Date(value).toISOString();
/** An ISO instant as a `datetime-local` value in the browser's zone. */
export const local = (iso) => {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
