// The head's direct line: campaigns, their residents' questions (never their authors), answers.
import { can } from '../access.js';
import { post } from '../api.js';
import { fieldRefusal, html, instant, loading, moreButton, townField, useAction, useApi, usePaged, when } from '../ui.js';

export function DirectLines({ t, me, fail, notify }) {
  const [page, more, reload] = usePaged('/api/v1/direct-lines', fail);
  const act = useAction(t, fail, notify, reload);
  const writes = can(me.role, 'direct_lines.write');
  return html`<main>
    <h1>${t('direct_lines.title')}</h1>
    ${writes && html`<p><a href="#/direct-lines/new">${t('direct_lines.create')}</a></p>`}
    ${!page ? html`<p>…</p>` : page.items.length === 0 ? html`<p>${t('queue.empty')}</p>` : html`<table>
      <thead><tr><th>№</th><th>${t('direct_lines.name')}</th><th>${t('direct_lines.collect')}</th><th>${t('direct_lines.questions')}</th></tr></thead>
      <tbody>${page.items.map(
        (d) => html`<tr>
          <td>${d.id}</td>
          <td><a href=${`#/direct-line/${d.id}`}>${d.title}</a><br/><small>${d.headName} · ${d.broadcastOn}${d.withdrawnAt ? ` · ${t('direct_lines.withdrawn')}${d.withdrawnReason ? ` (${d.withdrawnReason})` : ''}` : ''}</small>
            ${writes && !d.withdrawnAt && html`<form onSubmit=${(e) => act(e, (f) => post(`/api/v1/direct-lines/${d.id}/withdraw`, f.reason.value.trim() ? { reason: f.reason.value.trim() } : {}))}>
              <input name="reason" maxlength="500" placeholder=${t('direct_lines.withdraw_reason')} aria-label=${`${t('direct_lines.withdraw_reason')} ${d.id}`} />
              <button type="submit" class="secondary" title=${t('direct_lines.withdraw_hint')} aria-label=${`${t('direct_lines.withdraw')} ${d.id}`}>${t('direct_lines.withdraw')}</button></form>`}</td>
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
          <label for=${`answer-${q.id}`}>${t('direct_lines.answer')}</label><textarea id=${`answer-${q.id}`} name=${`answer-${q.id}`} data-field="text" required maxlength="4000"></textarea>
          <p><button type="submit">${t('direct_lines.send')}</button></p>
        </form>`}
      </li>`,
    )}</ul>`}
    ${moreButton(t, page, more)}
  </main>`;
}

/** A new campaign: residents subscribed to the direct line are told when collection begins. */
export function NewDirectLine({ t, lang, me, fail, notify }) {
  const [towns] = useApi(me.municipalityId === null ? '/api/v1/municipalities' : null, fail);
  const create = async (event) => {
    event.preventDefault();
    const f = event.target.elements;
    try {
      await post('/api/v1/direct-lines', {
        municipalityId: me.municipalityId ?? Number(f.municipality.value),
        title: f.title.value,
        headName: f.headName.value,
        collectFrom: instant(f.collectFrom.value),
        collectTo: instant(f.collectTo.value),
        broadcastOn: f.broadcastOn.value,
      });
      notify(t('act.done'), '#/direct-lines');
      location.hash = '#/direct-lines';
    } catch (error) {
      fail(fieldRefusal(t, event.target, error));
    }
  };
  return html`<main>
    <p><a href="#/direct-lines">${t('direct_lines.back')}</a></p>
    <h1>${t('direct_lines.create')}</h1>
    <form onSubmit=${create}>
      ${townField(t, lang, me, towns, false)}
      <label for="title">${t('direct_lines.name')}</label><input id="title" name="title" required maxlength="200" />
      <label for="headName">${t('direct_lines.head')}</label><input id="headName" name="headName" required maxlength="200" />
      <label for="collectFrom">${t('direct_lines.collect_from')}</label><input id="collectFrom" name="collectFrom" type="datetime-local" required />
      <label for="collectTo">${t('direct_lines.collect_to')}</label><input id="collectTo" name="collectTo" type="datetime-local" required />
      <label for="broadcastOn">${t('direct_lines.broadcast_on')}</label><input id="broadcastOn" name="broadcastOn" type="date" required />
      <p><button type="submit">${t('direct_lines.save')}</button></p>
    </form>
  </main>`;
}
