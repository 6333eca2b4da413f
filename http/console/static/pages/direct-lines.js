// The head's direct line: campaigns, their residents' questions (never their authors), answers.
import { can } from '../access.js';
import { post } from '../api.js';
import { html, loading, moreButton, useAction, usePaged, when } from '../ui.js';

export function DirectLines({ t, fail }) {
  const [page, more] = usePaged('/api/v1/direct-lines', fail);
  return html`<main>
    <h1>${t('direct_lines.title')}</h1>
    ${!page ? html`<p>…</p>` : page.items.length === 0 ? html`<p>${t('queue.empty')}</p>` : html`<table>
      <thead><tr><th>№</th><th>${t('direct_lines.name')}</th><th>${t('direct_lines.collect')}</th><th>${t('direct_lines.questions')}</th></tr></thead>
      <tbody>${page.items.map(
        (d) => html`<tr>
          <td>${d.id}</td>
          <td><a href=${`#/direct-line/${d.id}`}>${d.title}</a><br/><small>${d.headName} · ${d.broadcastOn}</small></td>
          <td>${when(d.collectFrom)} — ${when(d.collectTo)}</td>
          <td>${d.questions}</td>
        </tr>`,
      )}</tbody>
    </table>`}
    ${moreButton(t, page, more)}
  </main>`;
}

export function DirectLineQuestions({ id, t, me, fail, notify }) {
  const [page, more, reload] = usePaged(`/api/v1/direct-lines/${id}/questions?limit=100`, fail);
  const act = useAction(t, fail, notify, reload);
  if (!page) return loading;
  const writes = can(me.role, 'direct_lines.write');
  return html`<main>
    <p><a href="#/direct-lines">${t('direct_lines.back')}</a></p>
    <h1>${t('direct_lines.questions_of', { id })}</h1>
    ${page.items.length === 0 ? html`<p>${t('queue.empty')}</p>` : html`<ul>${page.items.map(
      (q) => html`<li>
        <p>${q.text} <small>(${when(q.createdAt)}${q.selected ? ` · ${t('direct_lines.selected')}` : ''})</small></p>
        ${q.answerText ? html`<p><strong>${t('direct_lines.answer')}:</strong> ${q.answerText}</p>` : null}
        ${writes && !q.answerText && html`<form onSubmit=${(e) => act(e, (f) => post(`/api/v1/direct-lines/${id}/questions/${q.id}/answer`, { text: f[`answer-${q.id}`].value }))}>
          <label for=${`answer-${q.id}`}>${t('direct_lines.answer')}</label><textarea id=${`answer-${q.id}`} name=${`answer-${q.id}`} required maxlength="4000"></textarea>
          <p><button type="submit">${t('direct_lines.send')}</button></p>
        </form>`}
      </li>`,
    )}</ul>`}
    ${moreButton(t, page, more)}
  </main>`;
}
