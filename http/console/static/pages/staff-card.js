// A staff member's card (#/staff/<id>): a one-time link code for their messenger (staff.link:
// operators, curators for their team) and their API keys (keys.manage: operators) — issue one
// (its token is shown once, here), list them, revoke one.
import { useState } from 'preact/hooks';
import { can } from '../access.js';
import { patch, post } from '../api.js';
import { DirectoriesNav } from './directories.js';
import { html, loading, useAction, useApi, when } from '../ui.js';

function LinkCode({ t, id, fail, notify }) {
  const [code, setCode] = useState(null);
  const act = useAction(t, fail, notify, setCode);
  return html`<section aria-labelledby="link-code">
    <h2 id="link-code">${t('staff_card.link_code')}</h2>
    <p>${t('staff_card.link_hint')}</p>
    <form onSubmit=${(e) => act(e, () => post(`/api/v1/staff/${id}/link-codes`))}><button type="submit">${t('staff_card.issue_code')}</button></form>
    ${code && html`<dl class="secret">
      <dt>${t('staff_card.code')}</dt><dd><code>${code.code}</code></dd>
      <dt>${t('staff_card.command')}</dt><dd><code>${code.startCommand}</code></dd>
      ${code.deepLink && html`<dt>${t('staff_card.deep_link')}</dt><dd><a href=${code.deepLink}>${code.deepLink}</a></dd>`}
      <dt>${t('staff_card.expires')}</dt><dd>${when(code.expiresAt)}</dd>
    </dl>`}
  </section>`;
}

function Keys({ t, id, fail, notify }) {
  const [keys, reload] = useApi(`/api/v1/keys?staffId=${id}&limit=100`, fail);
  const [issued, setIssued] = useState(null);
  const act = useAction(t, fail, notify, reload);
  const issue = useAction(t, fail, notify, (result) => (setIssued(result), reload()));
  return html`<section aria-labelledby="keys">
    <h2 id="keys">${t('staff_card.keys')}</h2>
    <form onSubmit=${(e) => issue(e, (f) => post(`/api/v1/staff/${id}/keys`, f.label.value.trim() ? { label: f.label.value.trim() } : {}))}>
      <label for="key-label">${t('staff_card.key_label')}</label><input id="key-label" name="label" maxlength="100" />
      <p><button type="submit">${t('staff_card.issue_key')}</button></p>
    </form>
    ${issued && html`<div class="secret" role="status"><p>${t('staff_card.key_once')}</p><p><code>${issued.token}</code></p></div>`}
    ${!keys ? html`<p>…</p>` : keys.items.length === 0 ? html`<p>${t('staff_card.no_keys')}</p>` : html`<div class="scroll"><table>
      <thead><tr><th>${t('staff_card.prefix')}</th><th>${t('staff_card.key_label')}</th><th>${t('staff_card.used')}</th><th>${t('staff_card.state')}</th></tr></thead>
      <tbody>${keys.items.map(
        (k) => html`<tr>
          <td><code>${k.prefix}…</code></td><td>${k.label}</td><td>${when(k.lastUsedAt)}</td>
          <td>${k.revokedAt ? `${t('staff_card.revoked')} ${when(k.revokedAt)}` : html`<form onSubmit=${(e) => act(e, () => post(`/api/v1/keys/${k.id}/revoke`))}>
            <button type="submit" class="secondary" aria-label=${`${t('staff_card.revoke')} ${k.prefix}`}>${t('staff_card.revoke')}</button></form>`}</td>
        </tr>`,
      )}</tbody></table></div>`}
  </section>`;
}

/** Access on and off (staff.write: operators): an official who left loses keys, sessions and the bot's /login at once. */
function Access({ t, person, fail, notify, reload }) {
  const act = useAction(t, fail, notify, reload);
  const next = !person.active;
  return html`<form onSubmit=${(e) => act(e, () => patch(`/api/v1/staff/${person.id}`, { active: next }))}>
    <p>${t(next ? 'staff_card.inactive_hint' : 'staff_card.active_hint')}</p>
    <button type="submit" class=${next ? '' : 'secondary'}>${t(next ? 'staff_card.activate' : 'staff_card.deactivate')}</button>
  </form>`;
}

export function StaffCard({ t, me, id, fail, notify }) {
  const [person, reload] = useApi(`/api/v1/staff/${id}`, fail);
  if (!person) return loading;
  const props = { t, id, fail, notify };
  return html`<main>
    <h1>${person.fullName}</h1>
    <${DirectoriesNav} t=${t} current="staff" />
    <p>${t(`role.${person.role}`)}${person.active ? '' : ` · ${t('directories.inactive')}`}</p>
    ${can(me.role, 'staff.write') && person.id !== me.id && html`<${Access} t=${t} person=${person} fail=${fail} notify=${notify} reload=${reload} />`}
    ${can(me.role, 'staff.link') && html`<${LinkCode} ...${props} />`}
    ${can(me.role, 'keys.manage') && html`<${Keys} ...${props} />`}
  </main>`;
}
