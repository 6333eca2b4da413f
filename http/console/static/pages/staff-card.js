// A staff member's card (#/staff/<id>): their settings and access (staff.write: operators), a
// one-time link code for their messenger and unlinking one (staff.link: operators, curators for
// their team) and their API keys (keys.manage: operators) — issue one (its token is shown once,
// here), list them, revoke one. And the new staff member's form (#/directories/new-staff, operators).
import { useState } from 'preact/hooks';
import { can } from '../access.js';
import { del, patch, post } from '../api.js';
import { DirectoriesNav } from './directories.js';
import { ConfirmButton, changedFields, fieldRefusal, html, loading, nameOf, refuse, useAction, useAll, useApi, when } from '../ui.js';

/** The roles an operator may give in the console (integration keys are issued through the API). */
const ROLES = ['operator', 'curator', 'moderator', 'executor', 'responsible'];
/** Each language by its own name. */
const LANGUAGES = { ru: 'Русский', en: 'English' };

/** A new staff member (staff.write): name, role, municipality (none for operators), executor for executors; then their card. */
export function NewStaff({ t, lang, me, fail, notify }) {
  const [towns] = useApi('/api/v1/municipalities', fail);
  const [executors] = useApi('/api/v1/executors', fail);
  const [role, setRole] = useState('moderator');
  const [town, setTown] = useState('');
  if (!can(me.role, 'staff.write')) return html`<main><p>${t('error.not_found')}</p></main>`;
  if (!towns || !executors) return loading;
  const own = executors.items.filter((x) => x.active && town !== '' && town !== 'region' && x.municipalityId === Number(town));
  const submit = async (event) => {
    event.preventDefault();
    const f = event.target.elements;
    if (!refuse(f.fullName, !f.fullName.value.trim() && t('staff_card.name_required'))) return;
    if (role !== 'operator' && !refuse(f.municipality, !f.municipality.value && t('staff_card.municipality_required'))) return;
    if (role === 'executor' && !refuse(f.executor, !f.executor.value && t('staff_card.executor_required'))) return;
    const body = { fullName: f.fullName.value.trim(), role, language: f.language.value };
    if (role !== 'operator') body.municipalityId = f.municipality.value === 'region' ? null : Number(f.municipality.value);
    if (role === 'executor') body.executorId = Number(f.executor.value);
    try {
      const created = await post('/api/v1/staff', body);
      notify(t('staff_card.created', { name: created.fullName }), `#/staff/${created.id}`);
      location.hash = `#/staff/${created.id}`;
    } catch (error) {
      fail(fieldRefusal(t, event.target, error));
    }
  };
  return html`<main>
    <h1>${t('staff_card.new')}</h1>
    <${DirectoriesNav} t=${t} current="directories" />
    <form onSubmit=${submit} noValidate>
      <label for="fullName">${t('staff_card.full_name')}</label><input id="fullName" name="fullName" maxlength="300" />
      <label for="role">${t('directories.role')}</label>
      <select id="role" name="role" value=${role} onChange=${(e) => setRole(e.target.value)}>${ROLES.map((r) => html`<option value=${r}>${t(`role.${r}`)}</option>`)}</select>
      ${role === 'operator' ? html`<p>${t('staff_card.operator_hint')}</p>` : html`
        <label for="municipality">${t('incidents.municipality')}</label>
        <select id="municipality" name="municipality" value=${town} onChange=${(e) => setTown(e.target.value)}>
          <option value="">—</option>
          ${role !== 'executor' && html`<option value="region">${t('incidents.region')}</option>`}
          ${towns.items.map((m) => html`<option value=${String(m.id)}>${nameOf(lang, m)}</option>`)}
        </select>`}
      ${role === 'executor' && html`
        <label for="executor">${t('directories.executors')}</label>
        <select id="executor" name="executor"><option value="">—</option>${own.map((x) => html`<option value=${String(x.id)}>${x.name}</option>`)}</select>`}
      <label for="language">${t('staff_card.language')}</label>
      <select id="language" name="language"><option value="ru">Русский</option><option value="en">English</option></select>
      <p><button type="submit">${t('staff_card.create')}</button></p>
    </form>
  </main>`;
}

/** Name, language and, for moderators, how new messages are announced to them (staff.write: operators); only what changed is sent. */
function Settings({ t, person, fail, notify, reload }) {
  const act = useAction(t, fail, notify, reload);
  const save = (f) => {
    if (!refuse(f.fullName, !f.fullName.value.trim() && t('staff_card.name_required'))) return Promise.reject(Object.assign(new Error(t('staff_card.check_fields')), { status: 400 }));
    const next = { fullName: f.fullName.value.trim(), language: f.language.value, ...(f.alerts && { newMessageAlerts: f.alerts.value }) };
    const changed = changedFields(next, person);
    return Object.keys(changed).length === 0 ? Promise.resolve(person) : patch(`/api/v1/staff/${person.id}`, changed);
  };
  return html`<section aria-labelledby="settings">
    <h2 id="settings">${t('staff_card.settings')}</h2>
    <form onSubmit=${(e) => act(e, save)} noValidate>
      <label for="fullName">${t('staff_card.full_name')}</label><input id="fullName" name="fullName" maxlength="300" defaultValue=${person.fullName} />
      <label for="language">${t('staff_card.language')}</label>
      <select id="language" name="language">${['ru', 'en'].map((l) => html`<option value=${l} selected=${person.language === l}>${LANGUAGES[l]}</option>`)}</select>
      ${person.role === 'moderator' && html`<label for="alerts">${t('staff_card.alerts')}</label>
        <select id="alerts" name="alerts">${['immediate', 'hourly', 'digest'].map((m) => html`<option value=${m} selected=${person.newMessageAlerts === m}>${t(`staff_card.alerts_mode.${m}`)}</option>`)}</select>`}
      <p><button type="submit">${t('staff_card.save')}</button></p>
    </form>
  </section>`;
}

/** The messengers linked (since when; one the bot could not reach is said so), each unlinked with a click (a lost phone): alerts stop going there; a new link code links it again. */
function Unlink({ t, person, fail, notify, reload }) {
  const unlink = async (event, channel) => {
    event.preventDefault();
    try {
      const { removed } = await del(`/api/v1/staff/${person.id}/identities/${channel}`);
      notify(t(removed ? 'staff_card.unlinked' : 'staff_card.not_linked', { channel: t(`staff_card.channel.${channel}`) }));
      reload();
    } catch (error) {
      fail(error);
    }
  };
  const linked = person.identities ?? [];
  return html`<section aria-labelledby="unlink">
    <h2 id="unlink">${t('staff_card.messengers')}</h2>
    ${linked.length === 0 ? html`<p>${t('staff_card.no_messengers')}</p>` : html`<p>${t('staff_card.unlink_hint')}</p>
      <ul>${linked.map((i) => {
        const channel = t(`staff_card.channel.${i.channel}`);
        return html`<li>
          <form onSubmit=${(e) => unlink(e, i.channel)}>
            ${t('staff_card.linked_since', { channel, at: when(i.linkedAt) })}${i.unreachable ? ` · ${t('staff_card.unreachable')}` : ''}
            <button type="submit" class="secondary">${t('staff_card.unlink_channel', { channel })}</button>
          </form>
        </li>`;
      })}</ul>`}
  </section>`;
}

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
      ${[['tg', code.deepLinks?.telegram], ['vk', code.deepLinks?.vk]]
        .filter(([, link]) => link)
        .map(([channel, link]) => html`<dt>${t('staff_card.deep_link_for', { channel: t(`staff_card.channel.${channel}`) })}</dt><dd><a href=${link}>${link}</a></dd>`)}
      <dt>${t('staff_card.expires')}</dt><dd>${when(code.expiresAt)}</dd>
    </dl>`}
  </section>`;
}

function Keys({ t, id, fail, notify }) {
  // Every key, page after page: listed oldest first, the live ones of a long-rotated account come last.
  const [keys, reload] = useAll(`/api/v1/keys?staffId=${id}&limit=100`, fail);
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
        (k) => html`<tr key=${k.id}>
          <td><code>${k.prefix}…</code></td><td>${k.label}</td><td>${when(k.lastUsedAt)}</td>
          <td>${k.revokedAt ? `${t('staff_card.revoked')} ${when(k.revokedAt)}` : html`<${ConfirmButton} t=${t} label=${t('staff_card.revoke')} aria=${`${t('staff_card.revoke')} ${k.prefix}`}
            question=${t('staff_card.revoke_confirm', { prefix: k.prefix })} yes=${t('confirm.revoke')}
            onConfirm=${(e) => act(e, () => post(`/api/v1/keys/${k.id}/revoke`))} />`}</td>
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

/** Where the official works: their municipality (or the whole region) and an executor official's organisation; an operator's card says nothing more. */
function placeOf(t, lang, person, towns, executors) {
  if (person.role === 'operator') return '';
  const town = person.municipalityId === null ? t('incidents.region') : nameOf(lang, towns.items.find((m) => m.id === person.municipalityId));
  const executor = person.executorId === null ? null : (executors?.items.find((x) => x.id === person.executorId)?.name ?? `№ ${person.executorId}`);
  return ` · ${town}${executor ? ` · ${executor}` : ''}`;
}

export function StaffCard({ t, lang, me, id, fail, notify }) {
  const [person, reload] = useApi(`/api/v1/staff/${id}`, fail);
  // The card said only the role: two «Модератор» of different towns could not be told apart before a key was issued.
  const [towns] = useApi('/api/v1/municipalities', fail);
  const [executors] = useApi(person?.executorId ? `/api/v1/executors?municipalityId=${person.municipalityId}` : null, fail);
  if (!person || !towns || (person.executorId && !executors)) return loading;
  const props = { t, id, fail, notify };
  return html`<main>
    <h1>${person.fullName}</h1>
    <${DirectoriesNav} t=${t} current="staff" />
    <p>${t(`role.${person.role}`)}${placeOf(t, lang, person, towns, executors)}${person.active ? '' : ` · ${t('directories.inactive')}`}</p>
    ${can(me.role, 'staff.write') && person.id !== me.id && html`<${Access} t=${t} person=${person} fail=${fail} notify=${notify} reload=${reload} />`}
    ${can(me.role, 'staff.write') && html`<${Settings} key=${JSON.stringify(person)} t=${t} person=${person} fail=${fail} notify=${notify} reload=${reload} />`}
    ${can(me.role, 'staff.link') && html`<${LinkCode} ...${props} />`}
    ${can(me.role, 'staff.link') && html`<${Unlink} t=${t} person=${person} fail=${fail} notify=${notify} reload=${reload} />`}
    ${can(me.role, 'keys.manage') && html`<${Keys} ...${props} />`}
  </main>`;
}
