// Incidents triage: open-source items (public posts) accepted into work as messages or dismissed.
import { useState } from 'preact/hooks';
import { post } from '../api.js';
import { excerpt, html, loading, moreButton, nameOf, refuse, useAction, useApi, usePaged, when } from '../ui.js';
import { CategorySelect } from './moderation.js';

const STATES = ['new', 'accepted', 'dismissed'];

export function Incidents({ t, lang, fail }) {
  const [state, setState] = useState('new');
  const [page, more] = usePaged(`/api/v1/incidents?state=${state}`, fail);
  const [towns] = useApi('/api/v1/municipalities', fail);
  const town = (id) => (id === null ? t('incidents.region') : nameOf(lang, towns?.items.find((m) => m.id === id)));
  return html`<main>
    <h1>${t('incidents.title')}</h1>
    <label for="incident-state">${t('incidents.state')}</label>
    <select id="incident-state" value=${state} onChange=${(e) => setState(e.target.value)}>
      ${STATES.map((s) => html`<option value=${s}>${t(`incidents.states.${s}`)}</option>`)}
    </select>
    ${!page ? html`<p>…</p>` : page.items.length === 0 ? html`<p>${t('queue.empty')}</p>` : html`<table>
      <thead><tr><th>№</th><th>${t('incidents.posted')}</th><th>${t('card.photos')}</th><th>${t('incidents.text')}</th><th>${t('incidents.municipality')}</th><th></th></tr></thead>
      <tbody>${page.items.map(
        (i) => html`<tr>
          <td>${i.id}</td>
          <td>${when(i.postedAt)}<br/><small>${t(`incidents.sources.${i.source}`)}</small></td>
          <td><${ListPhotos} t=${t} item=${i} /></td>
          <td>${excerpt(i.text)}</td>
          <td>${town(i.municipalityId)}</td>
          <td><a href=${`#/incident/${i.id}`} aria-label=${`${t('queue.open')} ${t('incidents.item', { id: i.id })}`}>${t('queue.open')}</a></td>
        </tr>`,
      )}</tbody>
    </table>`}
    ${moreButton(t, page, more)}
  </main>`;
}

/**
 * A row's photos: the first copy as a thumbnail (the list carries each item's photoCopies, so no
 * request per row but the image's own, lazily, cached by the browser) and how many there are.
 */
function ListPhotos({ t, item }) {
  const photos = item.photoCopies;
  if (photos.length === 0) return '';
  const first = photos.find((p) => p.copied);
  const copied = photos.filter((p) => p.copied).length;
  return html`${first && html`<img class="thumb" src=${first.url} alt=${t('incidents.thumb', { id: item.id })} loading="lazy" width="64" height="64" /><br />`}<small>${t('incidents.photo_count', { count: photos.length, copied })}</small>`;
}

/**
 * The item's photos: the copies the server made after intake, through our route (the session
 * cookie goes with it, as on the message card); VK's signed URLs expire, so a photo without a copy
 * is a link to its source with a word on why.
 */
function IncidentPhotos({ t, photos }) {
  const copied = photos.filter((p) => p.copied);
  const others = photos.filter((p) => !p.copied);
  const name = (p) => `${t('card.photos')} ${p.position + 1}`;
  return html`<h2>${t('card.photos')}</h2>
    ${copied.length > 0 && html`<div class="photos">${copied.map((p) => html`<a href=${p.url} target="_blank" rel="noopener"><img src=${p.url} alt=${name(p)} /></a>`)}</div>`}
    ${others.length > 0 && html`<ul>${others.map((p) => html`<li><a href=${p.sourceUrl} target="_blank" rel="noopener noreferrer">${name(p)}</a> — ${t(`incidents.photo_states.${p.state}`)}</li>`)}</ul>`}`;
}

export function IncidentCard({ id, t, lang, me, fail, notify }) {
  const [item, reload] = useApi(`/api/v1/incidents/${id}`, fail);
  const [towns] = useApi('/api/v1/municipalities', fail);
  const [town, setTown] = useState(null);
  const chosenTown = town ?? item?.municipalityId ?? me.municipalityId ?? towns?.items[0]?.id ?? null;
  const [executors] = useApi(chosenTown === null ? null : `/api/v1/executors?municipalityId=${chosenTown}&active=true`, fail);
  const act = useAction(t, fail, notify, reload);
  if (!item || !towns) return loading;
  const suggested = item.suggestion.categoryId ?? item.suggestedCategoryId;
  const accept = (f) => {
    // No suggestion: the category starts as "—", and a curator who leaves it so is told at the field.
    if (!refuse(f.category, !f.category.value && t('incidents.category_required'))) return Promise.reject(Object.assign(new Error(t('incidents.category_required')), { status: 400 }));
    return post(`/api/v1/incidents/${item.id}/accept`, {
      municipalityId: Number(f.municipality.value),
      categoryId: Number(f.category.value),
      ...(f.executor.value ? { executorId: Number(f.executor.value) } : {}),
    });
  };
  return html`<main>
    <p><a href="#/incidents">${t('incidents.back')}</a></p>
    <h1>${t('incidents.item', { id: item.id })}</h1>
    <p>${item.text}</p>
    <dl>
      <dt>${t('incidents.state')}</dt><dd>${t(`incidents.states.${item.state}`)}${item.dismissReason ? ` (${item.dismissReason})` : ''}</dd>
      <dt>${t('incidents.source')}</dt><dd>${t(`incidents.sources.${item.source}`)} · <a href=${item.sourceUrl} target="_blank" rel="noopener noreferrer">${item.sourceUrl}</a></dd>
      <dt>${t('incidents.author')}</dt><dd>${item.authorName ?? '—'}</dd>
      <dt>${t('incidents.posted')}</dt><dd>${when(item.postedAt)}</dd>
      <dt>${t('incidents.point')}</dt><dd>${item.point ? `${item.point.lat.toFixed(5)}, ${item.point.lon.toFixed(5)}` : '—'}</dd>
      ${item.messageId && html`<dt>${t('incidents.message')}</dt><dd><a href=${`#/message/${item.messageId}`}>${t('card.title', { id: item.messageId })}</a></dd>`}
    </dl>
    ${item.photoCopies.length > 0 && html`<${IncidentPhotos} t=${t} photos=${item.photoCopies} />`}
    ${item.state === 'new' && html`<div class="actions">
      <form onSubmit=${(e) => act(e, accept)} noValidate>
        <label for="municipality">${t('incidents.municipality')}</label>
        <select id="municipality" name="municipality" value=${chosenTown} onChange=${(e) => setTown(Number(e.target.value))}>
          ${towns.items.map((m) => html`<option value=${m.id}>${nameOf(lang, m)}</option>`)}
        </select>
        <label for="category">${t('incidents.category')}</label>
        <${CategorySelect} t=${t} lang=${lang} id="category" value=${suggested ?? null} suggested=${suggested} empty=${true} />
        <label for="executor">${t('incidents.executor')}</label>
        <select id="executor" name="executor">
          <option value="">${t('incidents.by_rules')}</option>
          ${(executors?.items ?? []).map((x) => html`<option value=${x.id}>${x.name}${x.id === item.suggestion.executorId ? ` — ${t('incidents.suggested')}` : ''}</option>`)}
        </select>
        <p><button type="submit">${t('incidents.accept')}</button></p>
      </form>
      <form onSubmit=${(e) => act(e, (f) => post(`/api/v1/incidents/${item.id}/dismiss`, { reason: f.reason.value }))}>
        <label for="reason">${t('incidents.reason')}</label><input id="reason" name="reason" required maxlength="1000" />
        <p><button type="submit" class="secondary">${t('incidents.dismiss')}</button></p>
      </form>
    </div>`}
  </main>`;
}
