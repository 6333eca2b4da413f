// Official mailings (broadcasts.read; sending: broadcasts.send): the list with each one's progress,
// a new mailing to the residents of a municipality subscribed to a topic, and cancel.
import { can } from '../access.js';
import { post } from '../api.js';
import { chosenTown, excerpt, html, moreButton, nameOf, townField, useAction, useApi, usePaged, when } from '../ui.js';

/** The subscription topics residents choose in the bot (core/subscriptions/subscriptions.ts). */
const TOPICS = ['news', 'polls', 'contests', 'culture_events', 'sport_events', 'direct_line'];
const live = (b) => b.status === 'expanding' || b.status === 'sending';
/** The cards of what announces itself (`contest:1`, `poll:12`, …: the API's `source`). */
const SOURCES = { news: 'news-item', event: 'event', poll: 'poll', contest: 'contest', direct_line: 'direct-line' };

/** What a mailing is: an announcement of its item (named, linked to its card), an official mailing, else the API's code. */
function origin(t, b) {
  const source = /^([a-z_]+):(\d+)$/.exec(b.source ?? '');
  if (source && SOURCES[source[1]]) return html`<a href=${`#/${SOURCES[source[1]]}/${source[2]}`}>${t(`broadcasts.sources.${source[1]}`, { id: source[2] })}</a>`;
  if (b.kind === 'broadcast.official') return t('broadcasts.official');
  return excerpt(b.source ?? b.kind, 60);
}

/** What a mailing says now (the API's `message`, an edit of its item included): its text, else its item's title. */
function said(b) {
  const params = b.message?.params ?? {};
  const text = typeof params.text === 'string' ? params.text : typeof params.title === 'string' ? params.title : '';
  return text.trim();
}

export function Broadcasts({ t, lang, me, fail, notify }) {
  const [page, more, reload] = usePaged('/api/v1/broadcasts', fail);
  const [towns] = useApi('/api/v1/municipalities', fail);
  const act = useAction(t, fail, notify, reload);
  const sends = can(me.role, 'broadcasts.send');
  const town = (id) => (id === null ? t('incidents.region') : (towns?.items.find((m) => m.id === id) ? nameOf(lang, towns.items.find((m) => m.id === id)) : `№${id}`));
  const send = (e) =>
    act(e, async (f) => {
      const body = { municipalityId: chosenTown(me, f), topic: f.topic.value, text: f.text.value };
      if (f.language.value) body.language = f.language.value;
      await post('/api/v1/broadcasts', body);
      e.target.reset();
    });
  return html`<main>
    <h1>${t('broadcasts.title')}</h1>
    ${sends && html`<form onSubmit=${send} aria-labelledby="broadcast-new">
      <h2 id="broadcast-new">${t('broadcasts.create')}</h2>
      ${townField(t, lang, me, towns, true)}
      <label for="topic">${t('broadcasts.topic')}</label>
      <select id="topic" name="topic">${TOPICS.map((k) => html`<option value=${k}>${t(`broadcasts.topics.${k}`)}</option>`)}</select>
      <label for="language">${t('broadcasts.language')}</label>
      <select id="language" name="language">
        <option value="">${t('broadcasts.language_any')}</option><option value="ru">Русский</option><option value="en">English</option>
      </select>
      <label for="text">${t('broadcasts.text')}</label><textarea id="text" name="text" required maxlength="3500"></textarea>
      <p><button type="submit">${t('broadcasts.send')}</button></p>
    </form>`}
    <h2>${t('broadcasts.list')}</h2>
    ${!page ? html`<p>…</p>` : page.items.length === 0 ? html`<p>${t('queue.empty')}</p>` : html`<div class="scroll"><table>
      <thead><tr><th>№</th><th>${t('broadcasts.audience')}</th><th>${t('broadcasts.status')}</th><th>${t('broadcasts.progress')}</th><th></th></tr></thead>
      <tbody>${page.items.map(
        (b) => html`<tr>
          <td>${b.id}<br /><small>${when(b.createdAt)}</small></td>
          <td>${town(b.municipalityId)} · ${t(`broadcasts.topics.${b.topic}`)}${b.language ? ` · ${b.language}` : ''}<br /><small>${origin(t, b)}</small>${said(b) && html`<br /><small>${excerpt(said(b), 120)}</small>`}</td>
          <td class="state">${t(`broadcasts.statuses.${b.status}`)}</td>
          <td>${t('broadcasts.counts', { sent: b.sent, recipients: b.recipients, pending: b.pending, failed: b.failed })}</td>
          <td>${sends && live(b) && html`<form onSubmit=${(e) => act(e, () => post(`/api/v1/broadcasts/${b.id}/cancel`))}><button type="submit" class="secondary" aria-label=${`${t('broadcasts.cancel')} ${b.id}`}>${t('broadcasts.cancel')}</button></form>`}</td>
        </tr>`,
      )}</tbody>
    </table></div>`}
    ${moreButton(t, page, more)}
  </main>`;
}
