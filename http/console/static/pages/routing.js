// Routing rules (which executor gets which category) and KPI responsibles of one municipality:
// everyone with the page reads them; municipality.team.write (operators, curators for their own
// municipality) sets and deletes them.
import { useState } from 'preact/hooks';
import { can } from '../access.js';
import { del, post, put } from '../api.js';
import { DirectoriesNav } from './directories.js';
// Grouped by sector, as the card and the incident form offer them: a flat list by position mixed
// every sector (heating, potholes, timetables, …, then water, street lights, …).
import { CategorySelect } from './moderation.js';
import { ConfirmButton, html, loading, nameOf, useAction, useAll, useApi } from '../ui.js';

/** «1. Новые пользователи…»: an indicator by its number and its name in the console's language. */
const kpiName = (t, lang, indicators, kpi) => {
  const indicator = indicators.find((i) => i.kpi === kpi);
  return indicator ? t('routing.kpi_named', { kpi, name: nameOf(lang, indicator) }) : t('routing.kpi_n', { kpi });
};

/** A rule is deleted only once asked again: without it the category's messages wait for a hand-picked executor. */
function Rules({ t, lang, fail, town, categories, executors, writes, act }) {
  const [rules, reload] = useApi(`/api/v1/routing-rules?municipalityId=${town}`, fail);
  const run = (e, fn) => act(e, fn, reload);
  const category = (id) => nameOf(lang, categories.find((c) => c.id === id));
  const executor = (id) => executors.find((x) => x.id === id)?.name ?? `№ ${id}`;
  return html`<section aria-labelledby="rules">
    <h2 id="rules">${t('routing.rules')}</h2>
    ${!rules ? html`<p>…</p>` : rules.items.length === 0 ? html`<p>${t('routing.no_rules')}</p>` : html`<table>
      <thead><tr><th>${t('routing.category')}</th><th>${t('routing.executor')}</th>${writes ? html`<th>${t('routing.actions')}</th>` : null}</tr></thead>
      <tbody>${rules.items.map(
        (r) => html`<tr key=${r.id}><td>${category(r.categoryId)}</td><td>${executor(r.executorId)}</td>${writes ? html`<td>
          <${ConfirmButton} t=${t} label=${t('routing.delete')} aria=${`${t('routing.delete')}: ${category(r.categoryId)}`}
            question=${t('routing.delete_confirm', { category: category(r.categoryId), executor: executor(r.executorId) })}
            onConfirm=${(e) => run(e, () => del(`/api/v1/routing-rules/${r.id}`))} /></td>` : null}</tr>`,
      )}</tbody></table>`}
    ${writes && html`<form onSubmit=${(e) => run(e, (f) => put('/api/v1/routing-rules', { municipalityId: town, categoryId: Number(f['rule-category'].value), executorId: Number(f.executor.value) }))}>
      <h3>${t('routing.set')}</h3>
      <label for="rule-category">${t('routing.category')}</label>
      <${CategorySelect} t=${t} lang=${lang} value=${null} id="rule-category" />
      <label for="rule-executor">${t('routing.executor')}</label>
      <select id="rule-executor" name="executor" required>${executors.filter((x) => x.active).map((x) => html`<option value=${x.id}>${x.name}</option>`)}</select>
      <p><button type="submit">${t('routing.save')}</button></p>
    </form>`}
  </section>`;
}

function Responsibles({ t, lang, fail, town, staff, indicators, writes, act }) {
  const [list, reload] = useApi(`/api/v1/kpi-responsibles?municipalityId=${town}`, fail);
  const run = (e, fn) => act(e, fn, reload);
  const kpi = (k) => kpiName(t, lang, indicators, k);
  const name = (id) => staff.find((s) => s.id === id)?.fullName ?? `№ ${id}`;
  return html`<section aria-labelledby="responsibles">
    <h2 id="responsibles">${t('routing.responsibles')}</h2>
    ${!list ? html`<p>…</p>` : list.items.length === 0 ? html`<p>${t('routing.no_responsibles')}</p>` : html`<table>
      <thead><tr><th>${t('routing.kpi')}</th><th>${t('routing.official')}</th>${writes ? html`<th>${t('routing.actions')}</th>` : null}</tr></thead>
      <tbody>${list.items.map(
        (r) => html`<tr key=${r.id}><td>${kpi(r.kpi)}</td><td>${name(r.staffId)}</td>${writes ? html`<td>
          <${ConfirmButton} t=${t} label=${t('routing.remove')} aria=${`${t('routing.remove')}: ${kpi(r.kpi)}, ${name(r.staffId)}`}
            question=${t('routing.remove_confirm', { kpi: kpi(r.kpi), official: name(r.staffId) })} yes=${t('confirm.remove')}
            onConfirm=${(e) => run(e, () => del(`/api/v1/kpi-responsibles/${r.id}`))} /></td>` : null}</tr>`,
      )}</tbody></table>`}
    ${writes && html`<form onSubmit=${(e) => run(e, (f) => post('/api/v1/kpi-responsibles', { municipalityId: town, kpi: Number(f.kpi.value), staffId: Number(f.official.value) }))}>
      <h3>${t('routing.assign')}</h3>
      <label for="resp-kpi">${t('routing.kpi')}</label>
      <select id="resp-kpi" name="kpi" required>${indicators.map((i) => html`<option value=${i.kpi}>${kpi(i.kpi)}</option>`)}</select>
      <label for="resp-official">${t('routing.official')}</label>
      <select id="resp-official" name="official" required>${staff.filter((s) => s.active).map((s) => html`<option value=${s.id}>${s.fullName} (${t(`role.${s.role}`)})</option>`)}</select>
      <p><button type="submit">${t('routing.assign_submit')}</button></p>
    </form>`}
  </section>`;
}

export function DirectoriesRouting({ t, lang, me, fail, notify }) {
  const [towns] = useApi('/api/v1/municipalities', fail);
  const [chosen, setChosen] = useState(null);
  const town = chosen ?? towns?.items[0]?.id ?? null;
  const [categories] = useApi('/api/v1/categories', fail);
  // A municipality's executors include the regional ones its rules may name.
  const [executors] = useApi(town === null ? null : `/api/v1/executors?municipalityId=${town}`, fail);
  // Every official of the municipality (page after page): the select offers them all, the table names them all.
  const [staff] = useAll(town === null ? null : `/api/v1/staff?municipalityId=${town}&limit=100`, fail);
  const [indicators] = useApi('/api/v1/kpi/indicators', fail);
  const doAct = useAction(t, fail, notify, (reload) => reload());
  if (!towns || !categories || !executors || !staff || !indicators) return loading;
  const act = (e, fn, reload) => doAct(e, async (f) => (await fn(f), reload));
  const props = { t, lang, fail, town, writes: can(me.role, 'municipality.team.write'), act };
  return html`<main>
    <h1>${t('routing.title')}</h1>
    <${DirectoriesNav} t=${t} current="directories/routing" />
    ${towns.items.length > 1 && html`<form onSubmit=${(e) => (e.preventDefault(), setChosen(Number(e.target.elements.town.value)))}>
      <label for="town">${t('incidents.municipality')}</label>
      <select id="town" name="town">${towns.items.map((m) => html`<option value=${m.id} selected=${m.id === town}>${nameOf(lang, m)}</option>`)}</select>
      <p><button type="submit" class="secondary">${t('routing.show')}</button></p>
    </form>`}
    <p>${nameOf(lang, towns.items.find((m) => m.id === town))}</p>
    <${Rules} key=${`r${town}`} ...${props} categories=${categories.items} executors=${executors.items} />
    <${Responsibles} key=${`k${town}`} ...${props} staff=${staff.items} indicators=${indicators.items} />
  </main>`;
}
