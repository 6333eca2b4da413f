// The audit log (operators, curators), the dead outbox rows with retry and the cron jobs' runs (operators).
import { useState } from 'preact/hooks';
import { post } from '../api.js';
import { AUDIT_ACTIONS } from '../audit-actions.js';
import { html, loading, moreButton, useAction, usePaged, when } from '../ui.js';

/** An audit action in the console's language, its code beside it for operators; an unknown code as itself. */
export function actionText(t, code) {
  const key = `audit.actions.${code}`;
  const phrase = t(key);
  return phrase === key ? null : phrase;
}

const actionCell = (t, code) => {
  const phrase = actionText(t, code);
  return phrase === null ? html`<code>${code}</code>` : html`${phrase}<br /><small><code title=${t('audit.code')}>${code}</code></small>`;
};

/** The console's card of an audited entity (`#/<card>/<id>`), for those that have one. */
const CARD_OF = { message: 'message', incident: 'incident', poll: 'poll', news_item: 'news-item', afisha_event: 'event', contest: 'contest', direct_line: 'direct-line', staff: 'staff' };

const entityCell = (a) => {
  const text = `${a.entity} ${a.entityId ?? ''}`;
  return CARD_OF[a.entity] && /^\d{1,12}$/.test(a.entityId ?? '') ? html`<a href=${`#/${CARD_OF[a.entity]}/${a.entityId}`}>${text}</a>` : text;
};

export function Audit({ t, fail }) {
  const [action, setAction] = useState('');
  const [page, more] = usePaged(`/api/v1/audit?limit=100${action ? `&action=${encodeURIComponent(action)}` : ''}`, fail);
  // The API names each entry's actor: a curator's staff list leaves operators out (their municipality's staff only).
  const who = (a) => (a.staffId === null ? '—' : (a.staffName ?? `№ ${a.staffId}`));
  const filter = (event) => {
    event.preventDefault();
    setAction(event.target.elements.action.value.trim());
  };
  return html`<main>
    <h1>${t('audit.title')}</h1>
    <form onSubmit=${filter}>
      <label for="action">${t('audit.action')}</label><input id="action" name="action" maxlength="64" list="audit-actions" placeholder="message.accept" />
      <datalist id="audit-actions">${AUDIT_ACTIONS.map((code) => html`<option value=${code}>${actionText(t, code)}</option>`)}</datalist>
      <p><button type="submit" class="secondary">${t('audit.filter')}</button></p>
    </form>
    ${!page ? html`<p>…</p>` : page.items.length === 0 ? html`<p>${t('queue.empty')}</p>` : html`<table>
      <thead><tr><th>${t('audit.when')}</th><th>${t('audit.action')}</th><th>${t('audit.entity')}</th><th>${t('audit.who')}</th></tr></thead>
      <tbody>${page.items.map(
        (a) => html`<tr><td>${when(a.createdAt)}</td><td>${actionCell(t, a.action)}</td><td>${entityCell(a)}</td><td>${who(a)}</td></tr>`,
      )}</tbody>
    </table>`}
    ${moreButton(t, page, more)}
  </main>`;
}

/** A phrase of the locale (`<prefix>.<code>`), else null: the caller shows the code itself. */
const phraseOf = (t, prefix, code) => {
  const key = `${prefix}.${code}`;
  const phrase = t(key);
  return phrase === key ? null : phrase;
};

/** An outbox row's kind (`status.accepted`, `alert.overdue`, …) in words, its code beside it; an unknown kind as itself. */
const kindCell = (t, kind) => {
  const phrase = phraseOf(t, 'outbox.kinds', kind);
  return phrase === null ? html`<code>${kind}</code>` : html`${phrase}<br /><small><code title=${t('outbox.kind_code')}>${kind}</code></small>`;
};

export function Outbox({ t, fail, notify }) {
  const [page, more, reload] = usePaged('/api/v1/outbox/dead', fail);
  const act = useAction(t, fail, notify, reload);
  if (!page) return loading;
  return html`<main>
    <h1>${t('outbox.title')}</h1>
    ${page.items.length === 0 ? html`<p>${t('queue.empty')}</p>` : html`<table>
      <thead><tr><th>№</th><th>${t('outbox.kind')}</th><th>${t('outbox.recipient')}</th><th>${t('outbox.error')}</th><th>${t('audit.when')}</th><th></th></tr></thead>
      <tbody>${page.items.map(
        (r) => html`<tr>
          <td class="num">${r.id}</td><td>${kindCell(t, r.kind)}</td><td>${phraseOf(t, 'outbox.recipients', r.recipientKind) ?? r.recipientKind} · ${r.channel}</td><td>${r.lastError ?? '—'} (${r.attempts})</td><td>${when(r.createdAt)}</td>
          <td><form onSubmit=${(e) => act(e, () => post(`/api/v1/outbox/${r.id}/retry`))}><button type="submit" class="secondary" aria-label=${`${t('outbox.retry')} ${r.id}`}>${t('outbox.retry')}</button></form></td>
        </tr>`,
      )}</tbody>
    </table>`}
    ${moreButton(t, page, more)}
  </main>`;
}

/** The cron jobs (cron/jobs.ts), in the order the filter offers them; each has a name in the locales (`jobs.names.<job>`). */
export const JOB_NAMES = [
  'first-response-alerts',
  'deadline-reminders',
  'overdue-alerts',
  'daily-digest',
  'inbound-retention',
  'activity-retention',
  'message-cells',
  'news-publish',
  'event-reminders',
  'polls',
  'poll-announcements',
  'direct-line-announcements',
  'unanswered-comment-alerts',
  'hourly-new-message-cards',
  'contests-advance',
  'kpi-snapshots',
  'kpi-at-risk',
  'kpi-monthly-summary',
];
const OUTCOMES = ['running', 'ok', 'skipped', 'error'];

/** A run's length: milliseconds under a second, seconds under a minute, else minutes and seconds; no end: —. */
export function durationOf(t, lang, run) {
  if (!run.finishedAt) return '—';
  const ms = Math.max(0, new Date(run.finishedAt).getTime() - new Date(run.startedAt).getTime());
  if (ms < 1000) return t('jobs.ms', { n: ms });
  if (ms < 60_000) return t('jobs.seconds', { n: (ms / 1000).toLocaleString(lang, { maximumFractionDigits: 1 }) });
  const seconds = Math.round(ms / 1000);
  return t('jobs.minutes', { m: Math.floor(seconds / 60), s: seconds % 60 });
}

const jobCell = (t, job) => {
  const phrase = phraseOf(t, 'jobs.names', job);
  return phrase === null ? html`<code>${job}</code>` : html`${phrase}<br /><small><code>${job}</code></small>`;
};

/** What a run counted (`{ alerts: 3 }`), as `alerts: 3`; nothing: —. */
const countsOf = (counts) => {
  const entries = Object.entries(counts ?? {});
  return entries.length === 0 ? '—' : entries.map(([k, v]) => `${k}: ${v}`).join(', ');
};

/** The cron jobs' runs (jobs.read, operators), newest first: filtered by job and outcome, or only each job's latest. */
export function Jobs({ t, lang, fail }) {
  const [filter, setFilter] = useState({ job: '', outcome: '', latest: false });
  const query = filter.latest
    ? 'latest=true'
    : ['limit=50', filter.job && `job=${encodeURIComponent(filter.job)}`, filter.outcome && `outcome=${filter.outcome}`].filter(Boolean).join('&');
  const [page, more] = usePaged(`/api/v1/jobs/runs?${query}`, fail);
  const choose = (event) => {
    event.preventDefault();
    const f = event.target.elements;
    setFilter({ job: f.job.value, outcome: f.outcome.value, latest: f.latest.checked });
  };
  return html`<main>
    <h1>${t('jobs.title')}</h1>
    <form onSubmit=${choose}>
      <label for="job">${t('jobs.job')}</label>
      <select id="job" name="job" disabled=${filter.latest}>
        <option value="">${t('jobs.all')}</option>
        ${JOB_NAMES.map((job) => html`<option value=${job} selected=${job === filter.job}>${phraseOf(t, 'jobs.names', job) ?? job}</option>`)}
      </select>
      <label for="outcome">${t('jobs.outcome')}</label>
      <select id="outcome" name="outcome" disabled=${filter.latest}>
        <option value="">${t('jobs.all')}</option>
        ${OUTCOMES.map((o) => html`<option value=${o} selected=${o === filter.outcome}>${t(`jobs.outcomes.${o}`)}</option>`)}
      </select>
      <p><input type="checkbox" id="latest" name="latest" checked=${filter.latest} onChange=${(e) => setFilter({ ...filter, latest: e.target.checked })} /> <label class="inline" for="latest">${t('jobs.latest')}</label></p>
      <p><button type="submit" class="secondary">${t('audit.filter')}</button></p>
    </form>
    ${!page ? html`<p>…</p>` : page.items.length === 0 ? html`<p>${t('jobs.empty')}</p>` : html`<div class="scroll"><table>
      <thead><tr><th>${t('jobs.job')}</th><th>${t('jobs.started')}</th><th>${t('jobs.finished')}</th><th>${t('jobs.duration')}</th><th>${t('jobs.outcome')}</th><th>${t('jobs.counts')}</th><th>${t('jobs.instance')}</th></tr></thead>
      <tbody>${page.items.map(
        (r) => html`<tr>
          <td>${jobCell(t, r.job)}</td><td>${when(r.startedAt)}</td><td>${when(r.finishedAt)}</td><td>${durationOf(t, lang, r)}</td>
          <td class=${r.outcome === 'error' ? 'error' : undefined}>${t(`jobs.outcomes.${r.outcome}`)}${r.error ? html`<br /><small>${r.error}</small>` : null}</td>
          <td>${countsOf(r.counts)}</td><td>${r.instance ?? '—'}</td>
        </tr>`,
      )}</tbody>
    </table></div>`}
    ${moreButton(t, page, more)}
  </main>`;
}
