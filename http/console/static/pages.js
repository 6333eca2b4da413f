// The console's pages. Each calls the admin API only; what a role may do is decided there, the
// page merely hides what the role cannot use.
import { useEffect, useState } from 'preact/hooks';
import { can } from './access.js';
import { post } from './api.js';
import { ConfirmButton, excerpt, html, moreButton, nameOf, useAction, useApi, usePaged, useStaffOf, when } from './ui.js';
import { MAX_ANSWER_PHOTOS, MediaList, PhotoField } from './pages/media.js';
import { Deadline, deadlineOf, firstResponseOf, MessageMap, ModerationTools, QueueDeadline } from './pages/moderation.js';

function queuePath(role) {
  if (role === 'curator') return '/api/v1/answers?state=draft';
  // The oldest first: the nearest deadlines on the first page, not behind «more».
  if (role === 'executor') return '/api/v1/messages?status=in_work&sort=created_at';
  if (role === 'moderator' || role === 'operator') return '/api/v1/messages?status=new';
  return '/api/v1/messages';
}

/** For region-wide officials (operators), who see several municipalities: a municipality's name by id; null for the others. */
function useTownName(lang, me, fail) {
  const region = me.municipalityId === null;
  const [towns] = useApi(region ? '/api/v1/municipalities' : null, fail);
  return region ? (id) => nameOf(lang, towns?.items.find((m) => m.id === id)) : null;
}

/** "My queue": what waits for the caller's role, a page at a time ("more" loads the next). */
export function Queue({ t, lang, me, fail }) {
  const [page, more] = usePaged(queuePath(me.role), fail);
  const town = useTownName(lang, me, fail);
  const title = t(`queue.title.${['moderator', 'executor', 'curator'].includes(me.role) ? me.role : me.role === 'operator' ? 'moderator' : 'other'}`);
  if (!page) return html`<main><h1>${title}</h1><p>…</p></main>`;
  const watches = can(me.role, 'messages.moderate');
  if (page.items.length === 0) return html`<main><h1>${title}</h1><p>${t('queue.empty')}</p>${watches && html`<${InWork} t=${t} town=${town} fail=${fail} />`}</main>`;
  if (me.role === 'curator') {
    return html`<main><h1>${title}</h1><table>
      <thead><tr><th>№</th><th>${t('act.answer_kind')}</th><th>${t('act.answer_text')}</th><th></th></tr></thead>
      <tbody>${page.items.map((a) => html`<tr><td>${a.messageId}</td><td>${named(t, `answer.kind.${a.kind}`, a.kind)}</td><td>${excerpt(a.text)}</td><td><a href=${`#/message/${a.messageId}`}>${t('queue.open')}</a></td></tr>`)}</tbody>
    </table>${moreButton(t, page, more)}<${InWork} t=${t} town=${town} fail=${fail} /></main>`;
  }
  return html`<main><h1>${title}</h1><${MessageTable} t=${t} town=${town} items=${page.items} fail=${fail} />${moreButton(t, page, more)}${watches && html`<${InWork} t=${t} town=${town} fail=${fail} />`}</main>`;
}

/** Messages with their deadline state (day 10/13/14, the working hour), near and over ones said in words. */
function MessageTable({ t, town, items, fail }) {
  return html`<table class="queue">
    <thead><tr><th>№</th><th>${t('card.filed')}</th><th>${t('card.address')}</th><th>${t('card.status')}</th><th>${t('deadline.title')}</th><th></th></tr></thead>
    <tbody>${items.map(
      (m) => html`<tr>
        <td>${m.id}${m.urgent ? html`<br /><small>${t('moderation.urgent')}</small>` : null}</td>
        <td>${when(m.createdAt)}</td>
        <td>${town && html`<strong>${town(m.municipalityId)}</strong><br />`}${m.address ?? (m.lat === null ? t('card.no_point') : t('card.no_address'))}<br/><small>${excerpt(m.text)}</small></td>
        <td>${t(`status.${m.status}`)}</td>
        <td><${QueueDeadline} t=${t} m=${m} fail=${fail} /></td>
        <td><a href=${`#/message/${m.id}`} aria-label=${`${t('queue.open')} ${m.id}`}>${t('queue.open')}</a></td>
      </tr>`,
    )}</tbody>
  </table>`;
}

/** For those who watch the deadlines (moderators, curators, operators): messages in work, the longest-waiting first. */
function InWork({ t, town, fail }) {
  const [page, more] = usePaged('/api/v1/messages?status=in_work&sort=created_at&limit=50', fail);
  if (!page) return null;
  return html`<h2 id="in-work">${t('queue.in_work')}</h2>${page.items.length === 0 ? html`<p>${t('queue.empty')}</p>` : html`<${MessageTable} t=${t} town=${town} items=${page.items} fail=${fail} />${moreButton(t, page, more)}`}`;
}

export function MessageCard({ id, t, lang, me, fail, notify }) {
  const [card, reload] = useApi(`/api/v1/messages/${id}`, fail);
  const act = useAction(t, fail, notify, reload);
  const town = useTownName(lang, me, fail);
  if (!card) return html`<main><p>…</p></main>`;
  const m = card.message;
  const hour = firstResponseOf(card.firstResponse);
  const moderates = can(me.role, 'messages.moderate');
  const answers = can(me.role, 'answers.draft');
  const reviews = can(me.role, 'answers.review');
  return html`<main>
    <p><a href="#/queue">${t('card.back')}</a></p>
    <h1>${t('card.title', { id: m.id })}</h1>
    <p>${m.text}</p>
    <dl>
      <dt>${t('card.status')}</dt><dd>${t(`status.${m.status}`)}${m.urgent ? ` · ${t('moderation.urgent')}` : ''}</dd>
      ${m.status === 'in_work' && html`<dt>${t('deadline.title')}</dt><dd><${Deadline} t=${t} state=${deadlineOf(m)} /></dd>`}
      ${hour && html`<dt>${t('deadline.hour_title')}</dt><dd><${Deadline} t=${t} state=${hour} /></dd>`}
      ${town && html`<dt>${t('card.municipality')}</dt><dd>${town(m.municipalityId)}</dd>`}
      <dt>${t('card.address')}</dt><dd>${m.lat === null ? t('card.no_point') : html`${m.address ?? t('card.no_address')} (${m.lat.toFixed(5)}, ${m.lon.toFixed(5)})`}</dd>
      <dt>${t('card.filed')}</dt><dd>${when(m.createdAt)}</dd>
      <dt>${t('card.executor')}</dt><dd>${card.executorName ?? '—'}</dd>
      <dt>${t('card.publication')}</dt><dd>${t(m.published ? 'card.published_yes' : 'card.published_no')}</dd>
      ${m.sourceUrl && html`<dt>${t('card.source')}</dt><dd><a href=${m.sourceUrl} target="_blank" rel="noopener noreferrer">${m.sourceUrl}</a></dd>`}
      ${m.publishedReplyUrl && html`<dt>${t('card.published_reply')}</dt><dd><a href=${m.publishedReplyUrl} target="_blank" rel="noopener noreferrer">${m.publishedReplyUrl}</a></dd>`}
      ${card.rating && html`<dt>${t('card.rating')}</dt><dd>${'★'.repeat(card.rating.stars)}${'☆'.repeat(5 - card.rating.stars)} ${card.rating.complaint ?? ''}</dd>`}
    </dl>
    ${m.lat !== null && html`<${MessageMap} t=${t} lat=${m.lat} lon=${m.lon} />`}
    ${card.photos.length > 0 && html`<h2>${t('card.photos')}</h2><div class="photos">${card.photos.map((p) => html`<img src=${p.url} alt=${`${t('card.photos')} ${p.index + 1}`} />`)}</div>`}
    <div class="actions">
      ${moderates && m.status === 'new' && html`
        <form onSubmit=${(e) => act(e, () => post(`/api/v1/messages/${m.id}/accept`, {}))}><button type="submit">${t('act.accept')}</button></form>
        <form onSubmit=${(e) => act(e, (f) => post(`/api/v1/messages/${m.id}/reject`, { reason: f.reason.value }))}>
          <label for="reason">${t('act.reason')}</label><input id="reason" name="reason" required maxlength="1000" />
          <p><button type="submit">${t('act.reject')}</button></p>
        </form>`}
      ${moderates && m.status !== 'new' && m.status !== 'rejected' && !m.published && html`
        <form onSubmit=${(e) => act(e, () => post(`/api/v1/messages/${m.id}/publish`, {}))}><button type="submit" class="secondary">${t('act.publish')}</button></form>`}
      ${moderates && m.published && html`
        <form onSubmit=${(e) => act(e, () => post(`/api/v1/messages/${m.id}/unpublish`, {}))}><button type="submit" class="secondary">${t('act.unpublish')}</button></form>`}
      ${can(me.role, 'incidents.publish') && m.answerTarget === 'by_hand' && !m.publishedReplyUrl && card.answers.some((a) => a.state === 'approved') && html`
        <form onSubmit=${(e) => act(e, (f) => post(`/api/v1/messages/${m.id}/published-reply`, { url: f.replyUrl.value }))}>
          <label for="replyUrl">${t('act.published_reply')}</label><input id="replyUrl" name="replyUrl" data-field="url" type="url" required maxlength="2000" pattern="[hH][tT][tT][pP][sS]?://.+" title=${t('error.problem.url')} />
          <p><button type="submit" class="secondary">${t('act.save')}</button></p>
        </form>`}
      ${reviews && (m.status === 'solved' || m.status === 'explained') && m.duplicateOf === null && html`
        <form onSubmit=${(e) => act(e, (f) => post(`/api/v1/messages/${m.id}/reopen`, { reason: f.reopenReason.value }))}>
          <label for="reopenReason">${t('act.reopen_reason')}</label><input id="reopenReason" name="reopenReason" required maxlength="1000" />
          <p><button type="submit" class="secondary">${t('act.reopen')}</button></p>
        </form>`}
      ${answers && m.status === 'in_work' && html`<${AnswerForm} t=${t} messageId=${m.id} act=${act} fail=${fail} />`}
    </div>
    ${moderates && html`<${ModerationTools} key=${m.version} t=${t} lang=${lang} me=${me} card=${card} act=${act} fail=${fail} />`}
    <h2>${t('card.answers')}</h2>
    ${card.answers.length === 0 ? html`<p>—</p>` : html`<ul>${card.answers.map(
      (a) => html`<li>
        <strong>${named(t, `answer.kind.${a.kind}`, a.kind)}${a.resolution ? ` (${named(t, `answer.resolution.${a.resolution}`, a.resolution)})` : ''}</strong> · ${t(`answer.state.${a.state}`)} · ${when(a.createdAt)}
        <p>${a.text}</p>
        ${a.mediaIds.length > 0 && html`<p>${t('media.photos_attached', { n: a.mediaIds.length })}</p><${MediaList} t=${t} ids=${a.mediaIds} />`}
        ${a.returnRemark && a.state === 'returned' && html`<p><em>${t('answer.remark', { remark: a.returnRemark })}</em></p>`}
        ${answers && a.state === 'returned' && m.status === 'in_work' && html`<${ReviseForm} key=${a.id} t=${t} answer=${a} act=${act} fail=${fail} reload=${reload} />`}
        ${a.delivery && a.state !== 'delivered' && html`<p class=${a.delivery.state === 'failed' || a.delivery.state === 'unreachable' ? 'overdue' : ''}>${deliveryText(t, a.delivery)}</p>`}
        ${reviews && a.state === 'draft' && html`<div class="actions">
          <form onSubmit=${(e) => act(e, () => post(`/api/v1/answers/${a.id}/approve`))}><button type="submit">${t('act.approve')}</button></form>
          <form onSubmit=${(e) => act(e, (f) => post(`/api/v1/answers/${a.id}/return`, { remark: f[`remark-${a.id}`].value }))}>
            <label for=${`remark-${a.id}`}>${t('act.remark')}</label><input id=${`remark-${a.id}`} name=${`remark-${a.id}`} required maxlength="2000" />
            <p><button type="submit" class="secondary">${t('act.return')}</button></p>
          </form>
        </div>`}
      </li>`,
    )}</ul>`}
    ${card.comments.length > 0 && html`<h2>${t('card.comments')}</h2><ul>${card.comments.map(
      (c) =>
        html`<li>${when(c.createdAt)} · ${t(`card.comment_by.${c.authorKind}`)}${c.text && html`<p>${c.text}</p>`}${c.photos > 0 && html`<p>${t('card.comment_photos', { count: c.photos })}</p>`}${
          c.place && html`<p>${t('card.comment_place')}: <a href=${`https://yandex.ru/maps/?pt=${c.place.lon},${c.place.lat}&z=17&l=map`} target="_blank" rel="noopener">${c.place.lat.toFixed(6)}, ${c.place.lon.toFixed(6)}</a></p>`
        }</li>`,
    )}</ul>`}
    <h2>${t('card.history')}</h2>
    <ul>${card.history.map((e) => html`<li>${when(e.createdAt)} · ${named(t, `history.${e.kind}`, e.kind)}${e.toStatus ? ` → ${t(`status.${e.toStatus}`)}` : ''}${e.reason ? ` (${e.reason})` : ''}</li>`)}</ul>
  </main>`;
}

/** A translated name, or the raw value when the locale has none (a kind added later). */
const named = (t, key, raw) => {
  const text = t(key);
  return text === key ? raw : text;
};

/** Where an approved answer is on its way to the resident (its notification's outbox row). */
function deliveryText(t, delivery) {
  const state = t(`answer.delivery.${delivery.state}`, { attempts: delivery.attempts, at: delivery.at ? when(delivery.at) : '—' });
  return delivery.lastError ? `${state}: ${delivery.lastError}` : state;
}

function answerBody(kind, text, mediaIds) {
  const photos = mediaIds.length > 0 ? { mediaIds } : {};
  if (kind === 'final_solved') return { kind: 'final', resolution: 'solved', text, ...photos };
  if (kind === 'final_explained') return { kind: 'final', resolution: 'explained', text, ...photos };
  return { kind, text, ...photos };
}

/**
 * An official's answer: its kind (chosen each time: a preselected «final: solved» closed messages
 * sent by mistake), text and photos (uploaded to the media store as they are chosen,
 * sent with the answer as `mediaIds`). Sending waits for uploads; the photos are cleared once the
 * answer is saved, and kept when it is refused, so nothing is half-sent.
 */
function AnswerForm({ t, messageId, act, fail }) {
  const [photos, setPhotos] = useState([]);
  const [uploading, setUploading] = useState(false);
  const send = (e) =>
    act(e, async (f) => {
      const saved = await post(`/api/v1/messages/${messageId}/answers`, answerBody(f.kind.value, f.text.value, photos));
      setPhotos([]);
      return saved;
    });
  return html`<form onSubmit=${send}>
    <label for="kind">${t('act.answer_kind')}</label>
    <select id="kind" name="kind" required>
      <option value="">${t('act.kind_choose')}</option>
      ${['final_solved', 'final_explained', 'intermediate', 'clarification'].map((k) => html`<option value=${k}>${t(`act.kind.${k}`)}</option>`)}
    </select>
    <label for="text">${t('act.answer_text')}</label><textarea id="text" name="text" required maxlength="4000"></textarea>
    <${PhotoField} t=${t} ids=${photos} save=${setPhotos} max=${MAX_ANSWER_PHOTOS} fail=${fail} onBusy=${setUploading} inputId="answer-photos" />
    <p><button type="submit" disabled=${uploading}>${t('act.send')}</button></p>
  </form>`;
}

/**
 * A returned answer corrected: its text and its photos (those it has, taken off or more added, as
 * in the answer form), sent back to the curator (`mediaIds` replaces the photos attached before).
 * The revision names the answer's version the form was made from (If-Match): a bot photo's copy
 * that landed since could not be in the list and would be dropped, so the API refuses it (409
 * CONCURRENT_CHANGE); the card is read again and the form takes the answer's photos as they are
 * now, keeping the text typed and the photos the official added or removed, and says so.
 */
function ReviseForm({ t, answer, act, fail, reload }) {
  const [photos, setPhotos] = useState(answer.mediaIds);
  // The answer as the form last read it: its version goes with the revision, its photos tell the official's changes from the answer's.
  const [base, setBase] = useState(answer);
  const [uploading, setUploading] = useState(false);
  useEffect(() => {
    if (answer.version === base.version) return;
    const removed = base.mediaIds.filter((id) => !photos.includes(id));
    const added = photos.filter((id) => !base.mediaIds.includes(id) && !answer.mediaIds.includes(id));
    setPhotos([...answer.mediaIds.filter((id) => !removed.includes(id)), ...added]);
    setBase(answer);
  }, [answer.version]);
  const field = `revise-${answer.id}`;
  // Photos sent in the bot whose copy is still being made: no id to list yet, they stay with the answer and take room.
  const copying = (answer.photos ?? []).filter((p) => p.copy === 'copying').length;
  const send = (e) =>
    act(e, async (f) => {
      try {
        return await post(`/api/v1/answers/${answer.id}/revise`, { text: f[field].value, mediaIds: photos }, { 'if-match': `"${base.version}"` });
      } catch (error) {
        if (error.code !== 'CONCURRENT_CHANGE') throw error;
        reload();
        throw new Error(t('media.revise_changed'));
      }
    });
  return html`<form onSubmit=${send}>
    <label for=${field}>${t('act.revise_text')}</label><textarea id=${field} name=${field} required maxlength="4000">${answer.text}</textarea>
    ${copying > 0 && html`<p class="hint">${t('media.revise_copying', { count: copying })}</p>`}
    <${PhotoField} t=${t} ids=${photos} save=${setPhotos} max=${MAX_ANSWER_PHOTOS - copying} fail=${fail} onBusy=${setUploading} inputId=${`revise-photos-${answer.id}`} legend=${t('media.revise_photos')} />
    <p><button type="submit" disabled=${uploading}>${t('act.revise')}</button></p>
  </form>`;
}

/** One's own sessions; an operator sees everyone's, so each says whose it is. */
/**
 * How a session was opened, in the console's language: the server labels it
 * `console (bot code|API key) · <browser>`, which the Russian page showed as it is.
 */
function sessionLabel(t, label) {
  const how = /^console \((bot code|API key)\)(?: · (.*))?$/.exec(label);
  if (!how) return label;
  const words = how[1] === 'bot code' ? t('sessions.via_code') : t('sessions.via_key');
  return how[2] ? `${words} · ${how[2]}` : words;
}

export function Sessions({ t, me, fail, notify }) {
  const [list, reload] = useApi('/api/v1/sessions', fail);
  const everyone = me.role === 'operator';
  // Whose each session is: the staff it names, however far down the staff list they are.
  const staffOf = useStaffOf(everyone && list ? list.items.map((s) => s.staffId) : [], fail);
  const act = useAction(t, fail, notify, reload);
  if (!list) return html`<main><p>…</p></main>`;
  const who = (id) => (id === me.id ? t('sessions.you') : (staffOf(id)?.fullName ?? `№ ${id}`));
  return html`<main><h1>${t(everyone ? 'sessions.title_all' : 'sessions.title')}</h1><table>
    <thead><tr><th>№</th>${everyone && html`<th>${t('sessions.staff')}</th>`}<th>${t('sessions.created')}</th><th>${t('sessions.expires')}</th><th></th></tr></thead>
    <tbody>${list.items.map(
      (s) => html`<tr><td>${s.id}</td>${everyone && html`<td>${who(s.staffId)}</td>`}<td>${when(s.createdAt)}<br/><small>${sessionLabel(t, s.label)}</small></td><td>${when(s.expiresAt)}</td>
        <td>${s.current && html`<strong>${t('sessions.current')}</strong><br/>`}<${ConfirmButton} t=${t} label=${t('sessions.revoke')} aria=${`${t('sessions.revoke')} № ${s.id}`}
          question=${s.current ? t('sessions.revoke_current_confirm') : t('sessions.revoke_confirm', { id: s.id })} yes=${t('confirm.end')}
          onConfirm=${(e) => act(e, () => post(`/api/v1/sessions/${s.id}/revoke`))} /></td></tr>`,
    )}</tbody>
  </table></main>`;
}
