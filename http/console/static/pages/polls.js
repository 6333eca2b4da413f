// Polls: the list, a simple poll's creation (one single-choice question), publish / close, results.
import { useState } from 'preact/hooks';
import { can } from '../access.js';
import { patch, post } from '../api.js';
import { changedFields, chosenTown, fieldRefusal, html, loading, moreButton, townField, useAction, useApi, usePaged, when } from '../ui.js';
import { pollFields, readPoll, simpleQuestions } from './poll-form.js';

export function Polls({ t, me, fail }) {
  const [page, more] = usePaged('/api/v1/polls', fail);
  return html`<main>
    <h1>${t('polls.title')}</h1>
    ${can(me.role, 'polls.write') && html`<p><a href="#/polls/new">${t('polls.create')}</a></p>`}
    ${!page ? html`<p>…</p>` : page.items.length === 0 ? html`<p>${t('queue.empty')}</p>` : html`<table>
      <thead><tr><th>№</th><th>${t('polls.name')}</th><th>${t('polls.state')}</th><th>${t('polls.period')}</th></tr></thead>
      <tbody>${page.items.map(
        (p) => html`<tr>
          <td>${p.id}</td>
          <td><a href=${`#/poll/${p.id}`}>${p.title}</a></td>
          <td class="state">${t(`polls.states.${p.state}`)}</td>
          <td>${when(p.startsAt)} — ${when(p.endsAt)}</td>
        </tr>`,
      )}</tbody>
    </table>`}
    ${moreButton(t, page, more)}
  </main>`;
}

export function NewPoll({ t, lang, me, fail, notify }) {
  const [towns] = useApi(me.municipalityId === null ? '/api/v1/municipalities' : null, fail);
  const create = async (event) => {
    event.preventDefault();
    const body = readPoll(t, event.target.elements);
    if (!body) return;
    const f = event.target.elements;
    try {
      const poll = await post('/api/v1/polls', { municipalityId: chosenTown(me, f), kind: 'poll', ...body });
      notify(t('act.done'), `#/poll/${poll.id}`);
      location.hash = `#/poll/${poll.id}`;
    } catch (error) {
      fail(fieldRefusal(t, event.target, error));
    }
  };
  return html`<main>
    <p><a href="#/polls">${t('polls.back')}</a></p>
    <h1>${t('polls.create')}</h1>
    <form onSubmit=${create}>
      ${townField(t, lang, me, towns, true)}
      ${pollFields(t)}
      <p><button type="submit">${t('polls.save')}</button></p>
    </form>
  </main>`;
}

export function PollCard({ id, t, me, fail, notify }) {
  const [poll, reload] = useApi(`/api/v1/polls/${id}`, fail);
  const [results, reloadResults] = useApi(poll && poll.state !== 'draft' ? `/api/v1/polls/${id}/results` : null, fail);
  const act = useAction(t, fail, notify, () => (reload(), reloadResults()));
  const [decision, setDecision] = useState(null);
  const decide = useAction(t, fail, notify, (recorded) => setDecision(recorded));
  if (!poll) return loading;
  const writes = can(me.role, 'polls.write');
  // The cadence rule (one poll a local day) may be overridden by curators and operators (the API checks).
  const mayForce = me.role === 'curator' || me.role === 'operator';
  return html`<main>
    <p><a href="#/polls">${t('polls.back')}</a></p>
    <h1>${poll.title}</h1>
    <dl>
      <dt>${t('polls.state')}</dt><dd>${t(`polls.states.${poll.state}`)}</dd>
      <dt>${t('polls.period')}</dt><dd>${when(poll.startsAt)} — ${when(poll.endsAt)}</dd>
      ${poll.state !== 'draft' && html`<dt>${t('polls.announced')}</dt><dd>${poll.announcedAt ? when(poll.announcedAt) : poll.state === 'published' ? t('polls.announce_pending') : t('polls.not_announced')}</dd>`}
    </dl>
    ${poll.questions.map((q) => html`<h2>${q.text}</h2><ul>${q.options.map((o) => html`<li>${o.text}</li>`)}</ul>`)}
    ${writes && poll.state === 'draft' && html`<details>
      <summary>${t('polls.edit')}</summary>
      <form onSubmit=${(e) => act(e, (f) => {
        const body = readPoll(t, f);
        if (!body) throw Object.assign(new Error(t('polls.check_fields')), { status: 400 });
        return patch(`/api/v1/polls/${poll.id}`, changedFields(body, { ...poll, questions: simpleQuestions(poll) ? [{ kind: 'single', text: poll.questions[0].text, options: poll.questions[0].options.map((o) => o.text) }] : undefined }));
      })}>
        ${pollFields(t, poll, simpleQuestions(poll))}
        <p><button type="submit">${t('polls.save_changes')}</button></p>
      </form>
    </details>`}
    ${writes && html`<div class="actions">
      ${(poll.state === 'draft' || poll.state === 'closed') && html`<form onSubmit=${(e) => act(e, (f) => post(`/api/v1/polls/${poll.id}/publish`, f.force?.checked ? { force: true } : {}))}>
        ${poll.state === 'draft' && mayForce && html`<p><input type="checkbox" id="force" name="force" /> <label class="inline" for="force">${t('polls.force')}</label></p>`}
        <button type="submit">${poll.state === 'draft' ? t('polls.publish') : t('polls.publish_results')}</button></form>`}
      ${poll.state === 'published' && html`<form onSubmit=${(e) => act(e, () => post(`/api/v1/polls/${poll.id}/close`))}>
        <button type="submit" class="secondary">${t('polls.close')}</button></form>`}
    </div>`}
    ${writes && (poll.state === 'closed' || poll.state === 'results_published') && (decision ? html`<p class="notice">${t('polls.decision_recorded', { voters: decision.votersNotified })}</p>` : html`
      <form onSubmit=${(e) => decide(e, (f) => post(`/api/v1/polls/${poll.id}/decision`, { decidedOn: f.decidedOn.value, decidedBy: f.decidedBy.value, text: f.decision.value }))}>
        <h2>${t('polls.decision')}</h2>
        <label for="decidedOn">${t('polls.decided_on')}</label><input id="decidedOn" name="decidedOn" type="date" required />
        <label for="decidedBy">${t('polls.decided_by')}</label><input id="decidedBy" name="decidedBy" required maxlength="300" />
        <label for="decision">${t('polls.decision_text')}</label><textarea id="decision" name="decision" required maxlength="4000"></textarea>
        <p><button type="submit">${t('polls.record_decision')}</button></p>
      </form>`)}
    ${results && html`<section aria-labelledby="results-title">
      <h2 id="results-title">${t('polls.results')}</h2>
      <p>${t('polls.turnout', { voters: results.voters, registered: results.registeredResidents, turnout: results.turnout })}</p>
      ${results.questions.map(
        (q) => html`<table>
          <caption>${q.text}</caption>
          <thead><tr><th>${t('polls.option')}</th><th>${t('polls.votes')}</th><th>%</th></tr></thead>
          <tbody>${q.options.map((o) => html`<tr><td>${o.text}</td><td>${o.count}</td><td>${o.percent}</td></tr>`)}</tbody>
        </table>`,
      )}
    </section>`}
  </main>`;
}
