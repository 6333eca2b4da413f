// The directories: municipalities (time zone, boundary), sectors and categories, executors, staff
// (each name opens the staff card: link codes and keys). Sub-pages: routing rules and KPI
// responsibles (routing.js), the working calendar (calendar.js).
import { can } from '../access.js';
import { html, loading, moreButton, nameOf, useApi, usePaged } from '../ui.js';

/** The directories' own nav: the overview, routing and KPI responsibles, the working calendar. */
export function DirectoriesNav({ t, current }) {
  const link = (hash, key) => html`<a href=${`#/${hash}`} aria-current=${current === hash ? 'page' : undefined}>${t(key)}</a>`;
  return html`<nav aria-label=${t('directories.sections')} class="subnav">
    ${link('directories', 'directories.overview')} ${link('directories/routing', 'directories.routing')} ${link('directories/calendar', 'directories.calendar')}
  </nav>`;
}

export function Directories({ t, lang, me, fail }) {
  const [towns] = useApi('/api/v1/municipalities', fail);
  const [sectors] = useApi('/api/v1/sectors', fail);
  const [categories] = useApi('/api/v1/categories', fail);
  const [executors] = useApi('/api/v1/executors', fail);
  // A region has more officials than the API's page: «more» reads on.
  const [staff, moreStaff] = usePaged('/api/v1/staff?limit=100', fail);
  if (!towns || !sectors || !categories || !executors || !staff) return loading;
  const town = (id) => (id === null ? t('incidents.region') : nameOf(lang, towns.items.find((m) => m.id === id)));
  // The card manages link codes (curators: their team) and keys (operators).
  const opensCard = can(me.role, 'staff.link') || can(me.role, 'keys.manage');
  const person = (s) => (opensCard ? html`<a href=${`#/staff/${s.id}`}>${s.fullName}</a>` : s.fullName);
  return html`<main>
    <h1>${t('directories.title')}</h1>
    <${DirectoriesNav} t=${t} current="directories" />
    <h2>${t('directories.municipalities')}</h2>
    <div class="scroll"><table><thead><tr><th>№</th><th>${t('directories.name')}</th><th>${t('directories.oktmo')}</th><th>${t('directories.zone')}</th><th>${t('directories.boundary')}</th></tr></thead>
      <tbody>${towns.items.map(
        (m) => html`<tr><td>${m.id}</td><td>${nameOf(lang, m)}</td><td>${m.oktmo}</td><td>${m.timeZone}</td><td>${m.hasBoundary ? t('directories.boundary_set') : t('directories.boundary_missing')}</td></tr>`,
      )}</tbody></table></div>
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
    ${opensCard ? html`<p>${t('directories.staff_hint')}</p>` : null}
    ${can(me.role, 'staff.write') && html`<p><a href="#/directories/new-staff">${t('directories.new_staff')}</a></p>`}
    <table><thead><tr><th>№</th><th>${t('directories.name')}</th><th>${t('directories.role')}</th><th>${t('incidents.municipality')}</th></tr></thead>
      <tbody>${staff.items.map((s) => html`<tr><td>${s.id}</td><td>${person(s)}${s.active ? '' : ` (${t('directories.inactive')})`}</td><td>${t(`role.${s.role}`)}</td><td>${town(s.municipalityId)}</td></tr>`)}</tbody></table>
    ${moreButton(t, staff, moreStaff)}
  </main>`;
}
