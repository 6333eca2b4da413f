// The moderator's side of a message card and of "My queue": change the category, route to another
// executor, mark a duplicate (of a message nearby or any other), mark urgent; the card's small map;
// the deadline state of a message in work. Every change is one admin API call; the API decides.
import { useEffect, useRef, useState } from 'preact/hooks';
import { can } from '../access.js';
import { get, post } from '../api.js';
import { excerpt, html, nameOf, useApi, when } from '../ui.js';

const DAY = 86_400_000;
/** KPI 7: in work over 14 days without an intermediate answer in time; reminders on days 10 and 13 (core/alerts/deadlines.ts). */
const OVERDUE_DAYS = 14;
const REMINDER_DAY = 10;

/**
 * The deadline state of a message in work, from the API's fields (overdue is the API's verdict):
 * `{ level: 'over' | 'near' | 'ok', key, params }`; null when no deadline runs (not in work).
 */
export function deadlineOf(m, now = Date.now()) {
  if (m.status !== 'in_work' || !m.acceptedAt) return null;
  const accepted = Date.parse(m.acceptedAt);
  const due = accepted + OVERDUE_DAYS * DAY;
  const params = { date: when(new Date(due).toISOString()), day: Math.floor((now - accepted) / DAY) };
  if (m.overdue) return { level: 'over', key: 'deadline.over', params };
  if (m.firstIntermediateAt && Date.parse(m.firstIntermediateAt) <= due) return { level: 'ok', key: 'deadline.intermediate', params };
  if (params.day >= REMINDER_DAY) return { level: 'near', key: params.day >= OVERDUE_DAYS - 1 ? 'deadline.last_day' : 'deadline.near', params };
  return { level: 'ok', key: 'deadline.due', params };
}

/** The one-working-hour draft rule (open-source and urgent messages), from the card's firstResponse. */
export function firstResponseOf(first, now = Date.now()) {
  if (!first) return null;
  const params = { time: when(first.dueAt) };
  if (first.draftedAt) return { level: first.met ? 'ok' : 'over', key: first.met ? 'deadline.hour_met' : 'deadline.hour_late', params };
  return Date.parse(first.dueAt) < now ? { level: 'over', key: 'deadline.hour_missed', params } : { level: 'near', key: 'deadline.hour_due', params };
}

/** A deadline as text, its level said in words too (not by colour alone). */
export function Deadline({ t, state }) {
  if (!state) return null;
  const label = state.level === 'ok' ? '' : `${t(`deadline.level.${state.level}`)}: `;
  return html`<span class=${`deadline deadline-${state.level}`}>${label}${t(state.key, state.params)}</span>`;
}

/** "My queue"'s row: the 14-day deadline, and for open-source and urgent messages the working hour (from the card). */
export function QueueDeadline({ t, m, fail }) {
  const hourRule = m.status === 'in_work' && (m.openSource || m.urgent);
  const [card] = useApi(hourRule ? `/api/v1/messages/${m.id}` : null, fail);
  const hour = card ? firstResponseOf(card.firstResponse) : null;
  const days = deadlineOf(m);
  if (!days && !hour) return m.status === 'new' ? html`<span class="deadline">${t('deadline.not_started')}</span>` : '—';
  return html`${hour && html`<${Deadline} t=${t} state=${hour} /><br />`}<${Deadline} t=${t} state=${days} />`;
}

/** The card's small map: the message's point on Leaflet (tiles from the configured server, if any). */
export function MessageMap({ t, lat, lon }) {
  const box = useRef(null);
  useEffect(() => {
    let map = null;
    let live = true;
    Promise.all([import('leaflet'), get('/console/map.json')]).then(([L, config]) => {
      if (!live || !box.current) return;
      const still = typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
      map = L.map(box.current, { zoomAnimation: !still, fadeAnimation: !still, markerZoomAnimation: !still, attributionControl: Boolean(config.tileUrl) }).setView([lat, lon], 16);
      if (config.tileUrl) L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
      L.circleMarker([lat, lon], { radius: 9, color: '#a50e0e', weight: 3, fillOpacity: 0.5, interactive: false }).addTo(map);
      box.current.dataset.ready = 'true';
    });
    return () => {
      live = false;
      map?.remove();
    };
  }, [lat, lon]);
  return html`<figure class="card-map">
    <div ref=${box} class="card-map-box" role="region" aria-label=${t('moderation.map_label', { lat: lat.toFixed(5), lon: lon.toFixed(5) })}></div>
    <figcaption>${t('moderation.map_caption')} · <a href="/map" target="_blank" rel="noopener">${t('card.on_map')}</a></figcaption>
  </figure>`;
}

/**
 * Categories grouped by sector (active ones only, and `value` even if retired). `suggested` is
 * marked so; `empty` starts with a "—" chosen when `value` is none (nothing is picked unseen).
 */
export function CategorySelect({ t, lang, value, id = 'categoryId', suggested = null, empty = false }) {
  const [sectors, setSectors] = useState(null);
  const [categories, setCategories] = useState(null);
  useEffect(() => {
    get('/api/v1/sectors').then((r) => setSectors(r.items), () => setSectors([]));
    get('/api/v1/categories').then((r) => setCategories(r.items), () => setCategories([]));
  }, []);
  if (!sectors || !categories) return html`<select id=${id} name=${id} disabled><option>…</option></select>`;
  const shown = categories.filter((c) => c.active || c.id === value);
  return html`<select id=${id} name=${id}>
    ${empty && html`<option value="" selected=${value === null}>—</option>`}
    ${sectors.map((s) => {
      const own = shown.filter((c) => c.sectorId === s.id);
      return own.length === 0
        ? null
        : html`<optgroup label=${nameOf(lang, s)}>${own.map((c) => html`<option value=${c.id} selected=${c.id === value}>${nameOf(lang, c)}${c.id === suggested ? ` — ${t('incidents.suggested')}` : ''}</option>`)}</optgroup>`;
    })}
  </select>`;
}

/**
 * The moderator's forms on a message card, each a single labelled form or button. `act(event, run)`
 * is the card's useAction (notice, reload, failures); `fail` reports a failed load.
 */
export function ModerationTools({ t, lang, me, card, act, fail }) {
  const m = card.message;
  const open = m.status === 'new' || m.status === 'in_work';
  const [hints] = useApi(open ? `/api/v1/messages/${m.id}/suggestions` : null, fail);
  const [executors] = useApi(m.status === 'in_work' ? `/api/v1/executors?municipalityId=${m.municipalityId}&active=true` : null, fail);
  if (!open) return null;
  const suggested = hints?.suggestedExecutor;
  const body = (f, name) => ({ [name]: Number(f[name].value) });
  return html`<section aria-labelledby="moderation-title">
    <h2 id="moderation-title">${t('moderation.title')}</h2>
    <p>${t('moderation.suggested')}: <strong>${hints ? (suggested?.name ?? t('moderation.no_rule')) : '…'}</strong></p>
    <div class="actions">
      <form onSubmit=${(e) => act(e, (f) => post(`/api/v1/messages/${m.id}/category`, body(f, 'categoryId')))}>
        <label for="categoryId">${t('moderation.category')}</label>
        <${CategorySelect} t=${t} lang=${lang} value=${m.categoryId} />
        <p><button type="submit" class="secondary">${t('moderation.change_category')}</button></p>
      </form>
      ${m.status === 'in_work' && html`<form onSubmit=${(e) => act(e, (f) => post(`/api/v1/messages/${m.id}/executor`, body(f, 'executorId')))}>
        <label for="executorId">${t('moderation.executor')}</label>
        <select id="executorId" name="executorId">
          ${(executors?.items ?? []).map(
            (x) => html`<option value=${x.id} selected=${x.id === m.executorId}>${x.name}${x.id === suggested?.id ? ` (${t('moderation.suggested_short')})` : ''}</option>`,
          )}
        </select>
        <p><button type="submit" class="secondary">${t('moderation.route')}</button></p>
      </form>`}
      <form onSubmit=${(e) => act(e, (f) => post(`/api/v1/messages/${m.id}/duplicate`, body(f, 'originalId')))}>
        <label for="originalId">${t('moderation.duplicate_of')}</label>
        <input id="originalId" name="originalId" type="number" min="1" step="1" required inputmode="numeric" />
        <p><button type="submit" class="secondary">${t('moderation.mark_duplicate')}</button></p>
      </form>
      ${can(me.role, 'messages.mark_urgent') && !m.urgent && html`<form onSubmit=${(e) => act(e, () => post(`/api/v1/messages/${m.id}/urgent`))}>
        <p>${t('moderation.urgent_hint')}</p>
        <button type="submit" class="secondary">${t('moderation.mark_urgent')}</button>
      </form>`}
    </div>
    <h3>${t('moderation.nearby')}</h3>
    ${!hints ? html`<p>…</p>` : hints.nearby.length === 0 ? html`<p>${t('moderation.nearby_none')}</p>` : html`<ul class="nearby">${hints.nearby.map(
      (n) => html`<li>
        <a href=${`#/message/${n.id}`}>№${n.id}</a> · ${t(`status.${n.status}`)} · ${t('moderation.distance', { m: n.distanceM })} · ${when(n.createdAt)}
        <p>${excerpt(n.text)}</p>
        <form onSubmit=${(e) => act(e, () => post(`/api/v1/messages/${m.id}/duplicate`, { originalId: n.id }))}>
          <button type="submit" class="secondary">${t('moderation.duplicate_of_this', { id: n.id })}</button>
        </form>
      </li>`,
    )}</ul>`}
  </section>`;
}
