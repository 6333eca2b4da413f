// «Афиша» (news.read; writing: news.write): events listed by state, a new event saved as a draft,
// and an event's card: a draft is edited there and gets its photo (media.write); publish, cancel.
import { useState } from 'preact/hooks';
import { can } from '../access.js';
import { patch, post } from '../api.js';
import { changedFields, fieldRefusal, html, loading, localInput, moreButton, townField, useAction, useApi, usePaged, when } from '../ui.js';
import { MediaField, MediaList } from './media.js';

const STATES = ['draft', 'published', 'cancelled'];
const KINDS = ['culture', 'sport'];


const text = (value) => value.trim() || null;

/** The form's fields as the API's body (CreateEvent / UpdateEvent without the municipality). */
function fieldsOf(f) {
  return {
    kind: f.kind.value,
    title: f.title.value,
    description: f.description.value.trim(),
    startsAt: f.startsAt.value,
    endsAt: f.endsAt.value,
    venue: { name: f.venueName.value, address: f.venueAddress.value, lat: Number(f.lat.value), lon: Number(f.lon.value) },
    ageLimit: f.ageLimit.value === '' ? null : Number(f.ageLimit.value),
    price: text(f.price.value),
    organiser: text(f.organiser.value),
    link: text(f.link.value),
  };
}

/** The event's inputs; `e` (with startsAt/endsAt already local) fills them for an edit. */
function EventInputs({ t, e = {} }) {
  const v = e.venue ?? {};
  return html`
    <label for="kind">${t('events.kind')}</label>
    <select id="kind" name="kind">${KINDS.map((k) => html`<option value=${k} selected=${e.kind === k}>${t(`events.kinds.${k}`)}</option>`)}</select>
    <label for="title">${t('events.name')}</label><input id="title" name="title" required maxlength="200" defaultValue=${e.title ?? ''} />
    <label for="description">${t('events.description')}</label><textarea id="description" name="description" maxlength="4000" defaultValue=${e.description ?? ''}></textarea>
    <div class="pair">
      <div><label for="startsAt">${t('events.starts')}</label><input id="startsAt" name="startsAt" type="datetime-local" required defaultValue=${e.startsAt ?? ''} /></div>
      <div><label for="endsAt">${t('events.ends')}</label><input id="endsAt" name="endsAt" type="datetime-local" required defaultValue=${e.endsAt ?? ''} /></div>
    </div>
    <p class="hint">${t('events.local_time')}</p>
    <label for="venueName">${t('events.venue')}</label><input id="venueName" name="venueName" required maxlength="200" defaultValue=${v.name ?? ''} />
    <label for="venueAddress">${t('events.address')}</label><input id="venueAddress" name="venueAddress" required maxlength="300" defaultValue=${v.address ?? ''} />
    <div class="pair">
      <div><label for="lat">${t('events.lat')}</label><input id="lat" name="lat" data-field="venue" type="number" step="any" min="-90" max="90" required defaultValue=${v.lat ?? ''} /></div>
      <div><label for="lon">${t('events.lon')}</label><input id="lon" name="lon" type="number" step="any" min="-180" max="180" required defaultValue=${v.lon ?? ''} /></div>
    </div>
    <label for="ageLimit">${t('events.age_limit')}</label><input id="ageLimit" name="ageLimit" type="number" min="0" max="21" step="1" defaultValue=${e.ageLimit ?? ''} />
    <label for="price">${t('events.price')}</label><input id="price" name="price" maxlength="100" defaultValue=${e.price ?? ''} />
    <label for="organiser">${t('events.organiser')}</label><input id="organiser" name="organiser" maxlength="200" defaultValue=${e.organiser ?? ''} />
    <label for="link">${t('events.link')}</label><input id="link" name="link" type="url" maxlength="2000" defaultValue=${e.link ?? ''} />`;
}

export function Events({ t, me, fail, notify }) {
  const [state, setState] = useState('');
  const [page, more, reload] = usePaged(`/api/v1/events${state ? `?state=${state}` : ''}`, fail);
  const act = useAction(t, fail, notify, reload);
  const writes = can(me.role, 'news.write');
  return html`<main>
    <h1>${t('events.title')}</h1>
    ${writes && html`<p><a href="#/events/new">${t('events.create')}</a></p>`}
    <label for="state-filter">${t('events.state')}</label>
    <select id="state-filter" value=${state} onChange=${(e) => setState(e.target.value)}>
      <option value="">${t('events.all')}</option>
      ${STATES.map((s) => html`<option value=${s}>${t(`events.states.${s}`)}</option>`)}
    </select>
    ${!page ? html`<p>…</p>` : page.items.length === 0 ? html`<p>${t('queue.empty')}</p>` : html`<table>
      <thead><tr><th>№</th><th>${t('events.name')}</th><th>${t('events.venue')}</th><th>${t('events.state')}</th>${writes && html`<th>${t('events.actions')}</th>`}</tr></thead>
      <tbody>${page.items.map(
        (e) => html`<tr>
          <td>${e.id}</td>
          <td><a href=${`#/event/${e.id}`}><strong>${e.title}</strong></a><br /><small>${t(`events.kinds.${e.kind}`)} · ${when(e.startsAt)}</small></td>
          <td>${e.venue.name}<br /><small>${e.venue.address}</small></td>
          <td class="state">${t(`events.states.${e.state}`)}</td>
          ${writes && html`<td>
            ${e.state === 'draft' && html`<form onSubmit=${(ev) => act(ev, () => post(`/api/v1/events/${e.id}/publish`))}><button type="submit" aria-label=${`${t('events.publish')} ${e.id}`}>${t('events.publish')}</button></form>`}
          </td>`}
        </tr>`,
      )}</tbody>
    </table>`}
    ${moreButton(t, page, more)}
  </main>`;
}

export function NewEvent({ t, lang, me, fail, notify }) {
  const [towns] = useApi(me.municipalityId === null ? '/api/v1/municipalities' : null, fail);
  const [photo, setPhoto] = useState([]);
  const create = async (event) => {
    event.preventDefault();
    const f = event.target.elements;
    try {
      await post('/api/v1/events', {
        municipalityId: me.municipalityId ?? Number(f.municipality.value),
        ...fieldsOf(f),
        ...(photo.length > 0 && { photoMediaId: photo[0] }),
      });
      notify(t('act.done'), '#/events');
      location.hash = '#/events';
    } catch (error) {
      fail(fieldRefusal(t, event.target, error));
    }
  };
  return html`<main>
    <p><a href="#/events">${t('events.back')}</a></p>
    <h1>${t('events.create')}</h1>
    <form onSubmit=${create}>
      ${townField(t, lang, me, towns, false)}
      <${EventInputs} t=${t} />
      ${can(me.role, 'media.write') && html`<${MediaField} t=${t} fail=${fail} ids=${photo} save=${async (ids) => setPhoto(ids)} single=${true} />`}
      <p><button type="submit">${t('events.save')}</button></p>
    </form>
  </main>`;
}

/** One event; a draft is edited here (only what changed is sent) and gets its photo; publish or cancel. */
export function EventCard({ id, t, me, fail, notify }) {
  const [e, reload] = useApi(`/api/v1/events/${id}`, fail);
  const [town] = useApi(e ? `/api/v1/municipalities/${e.municipalityId}` : null, fail);
  const act = useAction(t, fail, notify, reload);
  if (!e || !town) return loading;
  const writes = can(me.role, 'news.write');
  const edits = writes && e.state === 'draft';
  const local = { ...e, startsAt: localInput(e.startsAt, town.timeZone), endsAt: localInput(e.endsAt, town.timeZone) };
  const photo = e.photoMediaId === null ? [] : [e.photoMediaId];
  return html`<main>
    <p><a href="#/events">${t('events.back')}</a></p>
    <h1>${e.title}</h1>
    <dl>
      <dt>${t('events.state')}</dt><dd>${t(`events.states.${e.state}`)}${e.cancelReason ? ` (${e.cancelReason})` : ''}</dd>
      <dt>${t('events.kind')}</dt><dd>${t(`events.kinds.${e.kind}`)}</dd>
      <dt>${t('events.starts')}</dt><dd>${when(e.startsAt)}</dd>
      <dt>${t('events.ends')}</dt><dd>${when(e.endsAt)}</dd>
      <dt>${t('events.venue')}</dt><dd>${e.venue.name}, ${e.venue.address}</dd>
    </dl>
    ${edits ? html`<form onSubmit=${(ev) => act(ev, (f) => patch(`/api/v1/events/${e.id}`, changedFields(fieldsOf(f), { ...local, description: e.description })))}>
        <${EventInputs} t=${t} e=${local} />
        <p><button type="submit">${t('act.save')}</button></p>
      </form>` : html`<p class="body">${e.description}</p>`}
    ${edits && can(me.role, 'media.write') ? html`<${MediaField} t=${t} fail=${fail} ids=${photo} single=${true} save=${async (ids) => (await patch(`/api/v1/events/${e.id}`, { photoMediaId: ids[0] ?? null }), reload())} />` : can(me.role, 'media.read') && html`<${MediaList} t=${t} ids=${photo} />`}
    ${writes && e.state !== 'cancelled' && html`<div class="actions">
      ${e.state === 'draft' && html`<form onSubmit=${(ev) => act(ev, () => post(`/api/v1/events/${e.id}/publish`))}><button type="submit">${t('events.publish')}</button></form>`}
      <form onSubmit=${(ev) => act(ev, (f) => post(`/api/v1/events/${e.id}/cancel`, f.cancelReason.value.trim() ? { reason: f.cancelReason.value.trim() } : {}))}>
        <label for="cancelReason">${t('events.cancel_reason')}</label><input id="cancelReason" name="cancelReason" maxlength="500" />
        <p><button type="submit" class="secondary">${t('events.cancel')}</button></p>
      </form>
    </div>`}
  </main>`;
}
