// Comments moderation (item_comments.moderate): residents' comments on news and polls by state;
// hide one with a reason (its author is told), approve a pending or reported one, reply to it.
import { useState } from 'preact/hooks';
import { post } from '../api.js';
import { html, moreButton, useAction, usePaged, when } from '../ui.js';

const STATES = ['review', 'pending', 'published', 'hidden'];

function CommentRow({ t, c, act }) {
  const label = (key) => `${t(key)} ${c.id}`;
  return html`<li class="comment">
    <p><strong>№ ${c.id}</strong> · ${t(`comments.targets.${c.target.kind}`, { id: c.target.id })} · ${when(c.createdAt)} · ${t(`comments.states.${c.state}`)}${c.reports > 0 ? ` · ${t('comments.reports', { n: c.reports })}` : ''}</p>
    <blockquote>${c.text}</blockquote>
    ${c.hiddenReason && html`<p>${t('comments.hidden_reason')}: ${c.hiddenReason}</p>`}
    ${c.replyText && html`<p>${t('comments.reply')}: ${c.replyText}</p>`}
    <div class="actions">
      ${(c.state === 'pending' || c.state === 'review') && html`<form onSubmit=${(e) => act(e, () => post(`/api/v1/comments/${c.id}/approve`))}>
        <button type="submit" aria-label=${label('comments.approve')}>${t('comments.approve')}</button></form>`}
      ${c.state !== 'hidden' && html`<form onSubmit=${(e) => act(e, (f) => post(`/api/v1/comments/${c.id}/hide`, { reason: f.reason.value }))}>
        <label for=${`reason-${c.id}`}>${label('comments.reason')}</label><input id=${`reason-${c.id}`} name="reason" required maxlength="500" />
        <button type="submit" class="secondary" aria-label=${label('comments.hide')}>${t('comments.hide')}</button></form>`}
      ${!c.replyText && c.state !== 'hidden' && html`<form onSubmit=${(e) => act(e, (f) => post(`/api/v1/comments/${c.id}/reply`, { text: f.text.value }))}>
        <label for=${`reply-${c.id}`}>${label('comments.reply')}</label><textarea id=${`reply-${c.id}`} name="text" required maxlength="2000"></textarea>
        <button type="submit" class="secondary" aria-label=${label('comments.send')}>${t('comments.send')}</button></form>`}
    </div>
  </li>`;
}

export function Comments({ t, fail, notify }) {
  const [state, setState] = useState('review');
  const [page, more, reload] = usePaged(`/api/v1/comments?state=${state}`, fail);
  const act = useAction(t, fail, notify, reload);
  return html`<main>
    <h1>${t('comments.title')}</h1>
    <form onSubmit=${(e) => (e.preventDefault(), setState(e.target.elements.state.value))}>
      <label for="state">${t('comments.state')}</label>
      <select id="state" name="state">${STATES.map((s) => html`<option value=${s} selected=${s === state}>${t(`comments.states.${s}`)}</option>`)}</select>
      <p><button type="submit" class="secondary">${t('comments.show')}</button></p>
    </form>
    ${!page ? html`<p>…</p>` : page.items.length === 0 ? html`<p>${t('queue.empty')}</p>` : html`<ul class="comments">${page.items.map((c) => html`<${CommentRow} key=${c.id} t=${t} c=${c} act=${act} />`)}</ul>`}
    ${moreButton(t, page, more)}
  </main>`;
}
