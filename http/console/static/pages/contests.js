// Contests (contests.read): the list; a contest's card with its entries to accept or reject with a
// reason (contests.moderate) and, for a random draw after entries close, the draw (contests.write).
import { useEffect, useState } from 'preact/hooks';
import { can } from '../access.js';
import { get, post } from '../api.js';
import { html, loading, moreButton, useAction, useApi, usePaged, when } from '../ui.js';

/** The entries API's largest page; it pages by `after` (the last id), with no cursor. */
const ENTRIES_PAGE = 100;

/** The first `count` entries of a contest (or all of them), a page at a time. */
async function entriesUpTo(id, count) {
  const items = [];
  for (;;) {
    const after = items.length > 0 ? `&after=${items[items.length - 1].id}` : '';
    const page = await get(`/api/v1/contests/${id}/entries?limit=${ENTRIES_PAGE}${after}`);
    items.push(...page.items);
    if (page.items.length < ENTRIES_PAGE || items.length >= count) return { items, more: page.items.length === ENTRIES_PAGE };
  }
}

/** [entries (every page asked for) | null, more | null, reload]: a reload keeps the pages already shown. */
function useEntries(id, fail) {
  const [wanted, setWanted] = useState(ENTRIES_PAGE);
  const [version, setVersion] = useState(0);
  const [entries, setEntries] = useState(null);
  useEffect(() => {
    let live = true;
    entriesUpTo(id, wanted).then((e) => live && setEntries(e), fail);
    return () => {
      live = false;
    };
  }, [id, wanted, version]);
  return [entries, entries?.more ? () => setWanted(entries.items.length + ENTRIES_PAGE) : null, () => setVersion((v) => v + 1)];
}

export function Contests({ t, fail }) {
  const [page, more] = usePaged('/api/v1/contests', fail);
  return html`<main>
    <h1>${t('contests.title')}</h1>
    ${!page ? html`<p>…</p>` : page.items.length === 0 ? html`<p>${t('queue.empty')}</p>` : html`<table>
      <thead><tr><th>№</th><th>${t('contests.name')}</th><th>${t('contests.state')}</th><th>${t('contests.entries_period')}</th></tr></thead>
      <tbody>${page.items.map(
        (c) => html`<tr>
          <td>${c.id}</td>
          <td><a href=${`#/contest/${c.id}`}>${c.title ?? `№ ${c.id}`}</a></td>
          <td>${t(`contests.states.${c.state}`)}</td>
          <td>${when(c.entriesFrom)} — ${when(c.entriesTo)}</td>
        </tr>`,
      )}</tbody>
    </table>`}
    ${moreButton(t, page, more)}
  </main>`;
}

function Entry({ t, contest, entry, act, moderates }) {
  const label = (key) => `${t(key)} ${entry.id}`;
  const path = `/api/v1/contests/${contest.id}/entries/${entry.id}`;
  return html`<li class="comment">
    <p><strong>№ ${entry.id}</strong> · ${t(`contests.entry_states.${entry.state}`)} · ${when(entry.createdAt)}${entry.winnerPlace ? ` · ${t('contests.place', { place: entry.winnerPlace })}` : ''}</p>
    ${entry.mediaKind === 'photo' ? html`<p class="photos"><img src=${`/api/v1/media/${entry.mediaId}`} alt=${entry.caption || t('contests.entry_photo', { id: entry.id })} /></p>` : html`<p><a href=${`/api/v1/media/${entry.mediaId}`}>${t('contests.entry_video', { id: entry.id })}</a></p>`}
    ${entry.caption && html`<blockquote>${entry.caption}</blockquote>`}
    ${entry.rejectReason && html`<p>${t('contests.reject_reason')}: ${entry.rejectReason}</p>`}
    ${moderates && entry.state === 'pending' && html`<div class="actions">
      <form onSubmit=${(e) => act(e, () => post(`${path}/accept`))}><button type="submit" aria-label=${label('contests.accept')}>${t('contests.accept')}</button></form>
      <form onSubmit=${(e) => act(e, (f) => post(`${path}/reject`, { reason: f.reason.value }))}>
        <label for=${`reason-${entry.id}`}>${label('contests.reject_reason')}</label><input id=${`reason-${entry.id}`} name="reason" required maxlength="500" />
        <button type="submit" class="secondary" aria-label=${label('contests.reject')}>${t('contests.reject')}</button>
      </form>
    </div>`}
  </li>`;
}

export function ContestCard({ id, t, me, fail, notify }) {
  const [contest, reloadContest] = useApi(`/api/v1/contests/${id}`, fail);
  const [entries, moreEntries, reloadEntries] = useEntries(id, fail);
  const [draw, reloadDraw] = useApi(contest?.drawingFormat === 'random_draw' ? `/api/v1/contests/${id}/draw` : null, fail);
  const act = useAction(t, fail, notify, () => (reloadContest(), reloadEntries(), reloadDraw()));
  if (!contest || !entries) return loading;
  const closed = contest.entriesTo !== null && new Date(contest.entriesTo) <= new Date();
  const mayDraw = can(me.role, 'contests.write') && contest.drawingFormat === 'random_draw' && draw && draw.seed === null && closed && (contest.state === 'entries_open' || contest.state === 'voting_open');
  return html`<main>
    <p><a href="#/contests">${t('contests.back')}</a></p>
    <h1>${contest.title ?? `№ ${contest.id}`}</h1>
    <dl>
      <dt>${t('contests.state')}</dt><dd>${t(`contests.states.${contest.state}`)}</dd>
      <dt>${t('contests.entries_period')}</dt><dd>${when(contest.entriesFrom)} — ${when(contest.entriesTo)}</dd>
      <dt>${t('contests.format')}</dt><dd>${contest.drawingFormat ? t(`contests.formats.${contest.drawingFormat}`) : '—'}</dd>
      ${draw?.commitment && html`<dt>${t('contests.commitment')}</dt><dd><code>${draw.commitment}</code></dd>`}
      ${draw?.seed && html`<dt>${t('contests.seed')}</dt><dd><code>${draw.seed}</code></dd>`}
      ${draw?.seed && html`<dt>${t('contests.winners')}</dt><dd>${draw.winners.map((w) => `№ ${w}`).join(', ') || '—'}</dd>`}
    </dl>
    ${mayDraw && html`<form onSubmit=${(e) => act(e, () => post(`/api/v1/contests/${contest.id}/draw`))}><p><button type="submit">${t('contests.draw')}</button></p></form>`}
    <h2>${t('contests.entries')}</h2>
    ${entries.items.length === 0 ? html`<p>${t('queue.empty')}</p>` : html`<ul class="comments">${entries.items.map((e) => html`<${Entry} key=${e.id} t=${t} contest=${contest} entry=${e} act=${act} moderates=${can(me.role, 'contests.moderate')} />`)}</ul>`}
    ${moreEntries && html`<p><button type="button" class="secondary" onClick=${moreEntries}>${t('list.more')}</button></p>`}
  </main>`;
}
