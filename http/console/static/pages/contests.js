// Contests (contests.read): the list; a new contest saved as a draft, a draft's correction and
// publication (contests.write); a contest's card with its entries to accept or reject with a
// reason (contests.moderate) and, after entries close, the draw of a random draw or the jury's
// winners (contests.write).
import { useEffect, useState } from 'preact/hooks';
import { can } from '../access.js';
import { get, patch, post } from '../api.js';
import { changedFields, fieldRefusal, html, loading, moreButton, nameOf, refuse, useAction, useApi, usePaged, when } from '../ui.js';
import { contestFields, readContest, REQUIRED } from './contest-form.js';

/** A form's check failed at its field: nothing is sent, the notice says so. */
const checkFields = (t) => Object.assign(new Error(t('contests.check.fields')), { status: 400 });

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

/** Every accepted entry of a contest (a jury's candidates, however many), a page at a time. */
async function everyAccepted(id) {
  const items = [];
  for (;;) {
    const after = items.length > 0 ? `&after=${items[items.length - 1].id}` : '';
    const page = await get(`/api/v1/contests/${id}/entries?state=accepted&limit=${ENTRIES_PAGE}${after}`);
    items.push(...page.items);
    if (page.items.length < ENTRIES_PAGE) return items;
  }
}

/** [accepted entries | null, reload]; nothing is loaded while `id` is null. */
function useAccepted(id, fail) {
  const [version, setVersion] = useState(0);
  const [accepted, setAccepted] = useState(null);
  useEffect(() => {
    if (id === null) return undefined;
    let live = true;
    everyAccepted(id).then((a) => live && setAccepted(a), fail);
    return () => {
      live = false;
    };
  }, [id, version]);
  return [accepted, () => setVersion((v) => v + 1)];
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

export function Contests({ t, me, fail }) {
  const [page, more] = usePaged('/api/v1/contests', fail);
  return html`<main>
    <h1>${t('contests.title')}</h1>
    ${can(me.role, 'contests.write') && html`<p><a href="#/contests/new">${t('contests.new')}</a></p>`}
    ${!page ? html`<p>…</p>` : page.items.length === 0 ? html`<p>${t('queue.empty')}</p>` : html`<table>
      <thead><tr><th>№</th><th>${t('contests.name')}</th><th>${t('contests.state')}</th><th>${t('contests.entries_period')}</th></tr></thead>
      <tbody>${page.items.map(
        (c) => html`<tr>
          <td>${c.id}</td>
          <td><a href=${`#/contest/${c.id}`}>${c.title ?? `№ ${c.id}`}</a></td>
          <td class="state">${t(`contests.states.${c.state}`)}</td>
          <td>${when(c.entriesFrom)} — ${when(c.entriesTo)}</td>
        </tr>`,
      )}</tbody>
    </table>`}
    ${moreButton(t, page, more)}
  </main>`;
}

/** A new contest, saved as a draft (its card then edits and publishes it). Region-wide officials choose the municipality. */
export function NewContest({ t, lang, me, fail, notify }) {
  const region = me.municipalityId === null;
  const [towns] = useApi(region ? '/api/v1/municipalities' : null, fail);
  if (!can(me.role, 'contests.write')) return html`<main><p>${t('error.not_found')}</p></main>`;
  if (region && !towns) return loading;
  const submit = async (event) => {
    event.preventDefault();
    const f = event.target.elements;
    const fields = readContest(t, f);
    if (!fields) return fail(checkFields(t));
    const body = { municipalityId: region ? (f.municipality.value === 'region' ? null : Number(f.municipality.value)) : me.municipalityId };
    for (const [name, value] of Object.entries(fields)) if (value !== null) body[name] = value;
    try {
      const created = await post('/api/v1/contests', body);
      notify(t('contests.saved'), `#/contest/${created.id}`);
      location.hash = `#/contest/${created.id}`;
    } catch (error) {
      fail(fieldRefusal(t, event.target, error));
    }
  };
  return html`<main>
    <p><a href="#/contests">${t('contests.back')}</a></p>
    <h1>${t('contests.new')}</h1>
    <p>${t('contests.draft_hint')}</p>
    <form onSubmit=${submit} noValidate>
      ${region && html`<label for="municipality">${t('incidents.municipality')}</label>
        <select id="municipality" name="municipality">${me.role === 'operator' && html`<option value="region">${t('incidents.region')}</option>`}${towns.items.map((m) => html`<option value=${String(m.id)}>${nameOf(lang, m)}</option>`)}</select>`}
      ${contestFields(t)}
      <p><button type="submit">${t('contests.save_draft')}</button></p>
    </form>
  </main>`;
}

/** A draft's correction (only what changed is sent) and its publication, which needs every attribute. */
function DraftTools({ t, contest, act }) {
  const save = (f) => {
    const fields = readContest(t, f, contest);
    if (!fields) return Promise.reject(checkFields(t));
    const changed = changedFields(fields, contest);
    return Object.keys(changed).length === 0 ? Promise.resolve(contest) : patch(`/api/v1/contests/${contest.id}`, changed);
  };
  // The API's 422 CONTEST_INCOMPLETE names the attributes in English: they are named here first.
  const missing = REQUIRED.filter((name) => contest[name] === null || contest[name] === '');
  const publish = () => {
    if (missing.length > 0) return Promise.reject(Object.assign(new Error(t('contests.incomplete', { fields: missing.map((n) => t(`contests.field.${n}`)).join(', ') })), { status: 422 }));
    return post(`/api/v1/contests/${contest.id}/publish`);
  };
  return html`<section aria-labelledby="draft">
    <h2 id="draft">${t('contests.edit')}</h2>
    <form onSubmit=${(e) => act(e, save)} noValidate>
      ${contestFields(t, contest)}
      <p><button type="submit">${t('contests.save_draft')}</button></p>
    </form>
    <h2>${t('contests.publication')}</h2>
    <p>${missing.length > 0 ? t('contests.incomplete', { fields: missing.map((n) => t(`contests.field.${n}`)).join(', ') }) : t('contests.publish_hint')}</p>
    <form onSubmit=${(e) => act(e, publish)}><p><button type="submit">${t('contests.publish')}</button></p></form>
  </section>`;
}

/**
 * A jury contest after entries close: a place by place choice among the accepted entries, every one
 * of them (not only those of the entries' pages shown below).
 */
function JuryWinners({ t, contest, accepted, act }) {
  const places = Array.from({ length: contest.winnersCount ?? 1 }, (_, i) => i + 1);
  const chosen = (place) => accepted.find((e) => e.winnerPlace === place)?.id ?? '';
  const choose = (f) => {
    const picks = places.map((p) => f[`place-${p}`]);
    if (!refuse(picks[0], picks.every((s) => !s.value) && t('contests.check.no_winner'))) return Promise.reject(checkFields(t));
    const seen = new Set();
    for (const select of picks) {
      if (!refuse(select, select.value !== '' && seen.has(select.value) && t('contests.check.twice'))) return Promise.reject(checkFields(t));
      if (select.value) seen.add(select.value);
    }
    return post(`/api/v1/contests/${contest.id}/winners`, { entryIds: [...seen].map(Number) });
  };
  return html`<section aria-labelledby="jury">
    <h2 id="jury">${t('contests.jury')}</h2>
    ${accepted.length === 0 ? html`<p>${t('contests.no_accepted')}</p>` : html`<form onSubmit=${(e) => act(e, choose)}>
      ${places.map(
        (p) => html`<label for=${`place-${p}`}>${t('contests.place_n', { place: p })}</label>
          <select id=${`place-${p}`} name=${`place-${p}`}><option value="">—</option>${accepted.map((e) => html`<option value=${String(e.id)} selected=${chosen(p) === e.id}>№ ${e.id}${e.caption ? ` · ${e.caption.slice(0, 60)}` : ''}</option>`)}</select>`,
      )}
      <p><button type="submit">${t('contests.choose_winners')}</button></p>
    </form>`}
  </section>`;
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

/** A withdrawal's body: the reason typed, if any (the API takes none as no reason). */
const withdrawBody = (f) => (f.reason.value.trim() ? { reason: f.reason.value.trim() } : {});

export function ContestCard({ id, t, me, fail, notify }) {
  const [contest, reloadContest] = useApi(`/api/v1/contests/${id}`, fail);
  const [entries, moreEntries, reloadEntries] = useEntries(id, fail);
  const [draw, reloadDraw] = useApi(contest?.drawingFormat === 'random_draw' ? `/api/v1/contests/${id}/draw` : null, fail);
  const writes = can(me.role, 'contests.write');
  const [accepted, reloadAccepted] = useAccepted(writes && contest?.drawingFormat === 'jury' ? id : null, fail);
  const act = useAction(t, fail, notify, () => (reloadContest(), reloadEntries(), reloadDraw(), reloadAccepted()));
  if (!contest || !entries) return loading;
  const closed = contest.entriesTo !== null && new Date(contest.entriesTo) <= new Date();
  const mayDraw = writes && contest.drawingFormat === 'random_draw' && draw && draw.seed === null && closed && (contest.state === 'entries_open' || contest.state === 'voting_open');
  const mayWithdraw = writes && ['published', 'entries_open', 'voting_open', 'winners_chosen'].includes(contest.state);
  const mayChoose = writes && contest.drawingFormat === 'jury' && closed && ['entries_open', 'voting_open', 'winners_chosen'].includes(contest.state);
  return html`<main>
    <p><a href="#/contests">${t('contests.back')}</a></p>
    <h1>${contest.title ?? `№ ${contest.id}`}</h1>
    <dl>
      <dt>${t('contests.state')}</dt><dd>${t(`contests.states.${contest.state}`)}${contest.withdrawnReason ? ` (${contest.withdrawnReason})` : ''}</dd>
      <dt>${t('contests.entries_period')}</dt><dd>${when(contest.entriesFrom)} — ${when(contest.entriesTo)}</dd>
      <dt>${t('contests.format')}</dt><dd>${contest.drawingFormat ? t(`contests.formats.${contest.drawingFormat}`) : '—'}</dd>
      ${draw?.commitment && html`<dt>${t('contests.commitment')}</dt><dd><code>${draw.commitment}</code></dd>`}
      ${draw?.seed && html`<dt>${t('contests.seed')}</dt><dd><code>${draw.seed}</code></dd>`}
      ${draw?.seed && html`<dt>${t('contests.winners')}</dt><dd>${draw.winners.map((w) => `№ ${w}`).join(', ') || '—'}</dd>`}
    </dl>
    ${writes && contest.state === 'draft' && html`<${DraftTools} key=${contest.updatedAt} t=${t} contest=${contest} act=${act} />`}
    ${mayChoose && (accepted ? html`<${JuryWinners} key=${contest.updatedAt} t=${t} contest=${contest} accepted=${accepted} act=${act} />` : html`<p>…</p>`)}
    ${mayDraw && html`<form onSubmit=${(e) => act(e, () => post(`/api/v1/contests/${contest.id}/draw`))}><p><button type="submit">${t('contests.draw')}</button></p></form>`}
    ${mayWithdraw && html`<form onSubmit=${(e) => act(e, (f) => post(`/api/v1/contests/${contest.id}/withdraw`, withdrawBody(f)))}><p>${t('contests.withdraw_hint')}</p>
      <label for="withdrawReason">${t('contests.withdraw_reason')}</label><input id="withdrawReason" name="reason" maxlength="500" />
      <p><button type="submit" class="secondary">${t('contests.withdraw')}</button></p></form>`}
    <h2>${t('contests.entries')}</h2>
    ${entries.items.length === 0 ? html`<p>${t('queue.empty')}</p>` : html`<ul class="comments">${entries.items.map((e) => html`<${Entry} key=${e.id} t=${t} contest=${contest} entry=${e} act=${act} moderates=${can(me.role, 'contests.moderate')} />`)}</ul>`}
    ${moreEntries && html`<p><button type="button" class="secondary" onClick=${moreEntries}>${t('list.more')}</button></p>`}
  </main>`;
}
