// The directories, read-only: municipalities, sectors and categories, executors, staff.
import { html, loading, nameOf, useApi } from '../ui.js';

export function Directories({ t, lang, fail }) {
  const [towns] = useApi('/api/v1/municipalities', fail);
  const [sectors] = useApi('/api/v1/sectors', fail);
  const [categories] = useApi('/api/v1/categories', fail);
  const [executors] = useApi('/api/v1/executors', fail);
  const [staff] = useApi('/api/v1/staff?limit=100', fail);
  if (!towns || !sectors || !categories || !executors || !staff) return loading;
  const town = (id) => (id === null ? t('incidents.region') : nameOf(lang, towns.items.find((m) => m.id === id)));
  return html`<main>
    <h1>${t('directories.title')}</h1>
    <h2>${t('directories.municipalities')}</h2>
    <table><thead><tr><th>№</th><th>${t('directories.name')}</th><th>${t('directories.oktmo')}</th><th>${t('directories.zone')}</th></tr></thead>
      <tbody>${towns.items.map((m) => html`<tr><td>${m.id}</td><td>${nameOf(lang, m)}</td><td>${m.oktmo}</td><td>${m.timeZone}</td></tr>`)}</tbody></table>
    <h2>${t('directories.categories')}</h2>
    ${sectors.items.map(
      (s) => html`<h3>${nameOf(lang, s)}</h3><ul>${categories.items
        .filter((c) => c.sectorId === s.id)
        .map((c) => html`<li>${nameOf(lang, c)} <small>${c.code}${c.active ? '' : ` · ${t('directories.inactive')}`}</small></li>`)}</ul>`,
    )}
    <h2>${t('directories.executors')}</h2>
    <table><thead><tr><th>№</th><th>${t('directories.name')}</th><th>${t('incidents.municipality')}</th></tr></thead>
      <tbody>${executors.items.map((x) => html`<tr><td>${x.id}</td><td>${x.name}${x.active ? '' : ` (${t('directories.inactive')})`}</td><td>${town(x.municipalityId)}</td></tr>`)}</tbody></table>
    <h2>${t('directories.staff')}</h2>
    <table><thead><tr><th>№</th><th>${t('directories.name')}</th><th>${t('directories.role')}</th><th>${t('incidents.municipality')}</th></tr></thead>
      <tbody>${staff.items.map((s) => html`<tr><td>${s.id}</td><td>${s.fullName}${s.active ? '' : ` (${t('directories.inactive')})`}</td><td>${t(`role.${s.role}`)}</td><td>${town(s.municipalityId)}</td></tr>`)}</tbody></table>
  </main>`;
}
