// The monthly report of seed 004 §25 and the region's open-source summary on the KPI page: the
// tables their XLSX and CSV files are written from (GET /reports/monthly/tables and
// /reports/open-sources/tables, core/kpi/report-files.ts), under the files' own labels in the
// console's language, the key numbers first. The downloads stay beside them.
import { html, monthName, useApi, ZONE } from '../ui.js';

const locale = (lang) => (lang === 'en' ? 'en-GB' : 'ru-RU');
/** Figures that are shares (0.25 → "25 %"). */
const SHARE = /(_share|compliance|share_4_to_5)$/;

/** A figure as the page shows it: a share in %, a median or a mean with one decimal, nothing as "—". */
export function figure(lang, code, value) {
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'number') return String(value);
  if (SHARE.test(code)) return `${(value * 100).toLocaleString(locale(lang), { maximumFractionDigits: 1 })} %`;
  return value.toLocaleString(locale(lang), { maximumFractionDigits: 1 });
}

/** The instant the figures are as of, in Kuzbass time (the files say it so too). */
export const asOfText = (lang, iso) => new Date(iso).toLocaleString(locale(lang), { timeZone: ZONE, dateStyle: 'long', timeStyle: 'short' });

/**
 * A report's parts as the API gives them (GET /reports/…/tables): the tables its CSV and XLSX are
 * written from, labels in the language asked. The page shows them as they are; it keeps no list of
 * the figures of its own.
 */
const tablesOf = (path, lang, fail) => useApi(`${path}&lang=${lang}`, fail)[0]?.tables ?? null;
const partOf = (tables, part) => tables.find((x) => x.part === part);
/** A field's or a metric's row of a part (field / value, metric / value), by its code. */
const rowOf = (tables, part, code) => partOf(tables, part)?.rows.find((r) => r.code === code);
const valueOf = (tables, part, code) => rowOf(tables, part, code)?.cells[1];

/**
 * The columns the page shows: the files carry ids and the names in both languages for the machines
 * that read them; the page shows the names in its own language.
 */
const shownColumn = (lang) => (column) => !column.code.endsWith('_id') && !column.code.endsWith(lang === 'en' ? '_ru' : '_en');

/** A cell: its first shown one heads the row; text as text, a figure formatted by its metric (the row's code) or its column. */
function Cell({ lang, row, column, value, first }) {
  if (first) return html`<th scope="row">${value}</th>`;
  if (typeof value === 'string') return html`<td class="text">${value}</td>`;
  return html`<td>${figure(lang, row.code ?? column.code, value)}</td>`;
}

/** A part as a table: captioned by its name, the file's column labels, its rows (an empty part says so). */
function Part({ t, lang, table }) {
  const shown = table.columns.map((column, i) => [column, i]).filter(([column]) => shownColumn(lang)(column));
  const keyed = table.rows.some((r) => r.code !== null);
  return html`<div class="scroll"><table class=${`report-part report-${table.part}${keyed ? ' report-metrics' : ''}`}>
    <caption>${table.title}</caption>
    <thead><tr>${shown.map(([column]) => html`<th scope="col">${column.label}</th>`)}</tr></thead>
    <tbody>${
      table.rows.length === 0
        ? html`<tr><td colspan=${shown.length}>${t('queue.empty')}</td></tr>`
        : table.rows.map((row) => html`<tr>${shown.map(([column, i], n) => html`<${Cell} lang=${lang} row=${row} column=${column} value=${row.cells[i]} first=${n === 0} />`)}</tr>`)
    }</tbody>
  </table></div>`;
}

/** The key numbers of a month at a glance, above the parts: which of the file's rows, by part and metric. */
const KEY_NUMBERS = [
  ['Timeliness', 'messages'],
  ['Timeliness', 'accepted'],
  ['Timeliness', 'overdue_share'],
  ['Timeliness', 'median_working_hours_to_first_answer'],
  ['Timeliness', 'median_working_hours_to_closure'],
  ['Quality', 'average_stars'],
  ['Quality', 'share_4_to_5'],
  ['Timeliness', 'first_hour_rule_compliance'],
];

function KeyNumbers({ t, lang, tables }) {
  const rows = KEY_NUMBERS.map(([part, code]) => rowOf(tables, part, code)).filter(Boolean);
  return html`<dl class="report-key" aria-label=${t('kpi.report_key')}>${rows.map((r) => html`<dt>${r.cells[0]}</dt><dd>${figure(lang, r.code, r.cells[1])}</dd>`)}</dl>`;
}

/**
 * An ended month read from its snapshot (frozen with its KPIs, GET /reports/monthly and
 * /reports/open-sources): when, and the
 * file's own answer to whether the data have changed since (its `live_differs` row, as the file says it).
 */
function FrozenNote({ t, lang, tables }) {
  const differs = rowOf(tables, 'Report', 'live_differs');
  return html`<div class="report-frozen">
    <p class="hint">${t('kpi.report_frozen', { at: asOfText(lang, valueOf(tables, 'Report', 'snapshot_at')) })}</p>
    ${differs && differs.cells[1] !== null && html`<p class="hint">${differs.cells[0]}: ${differs.cells[1]}</p>`}
  </div>`;
}

/** The monthly report of one municipality and month: the file's parts as tables (its `Report` part in the heading), the files linked. */
export function MonthlyReport({ t, lang, query, running, fail }) {
  const tables = tablesOf(`/api/v1/reports/monthly/tables?${query}`, lang, fail);
  const heading = tables && `: ${valueOf(tables, 'Report', `municipality_${lang}`)}, ${monthName(lang, valueOf(tables, 'Report', 'period'))}`;
  return html`<section class="monthly-report" aria-labelledby="monthly-report-title">
    <h2 id="monthly-report-title">${t('kpi.report')}${heading ?? ''}</h2>
    <p>${t('kpi.report_files')}: <a href=${`/api/v1/reports/monthly?${query}&format=xlsx&lang=${lang}`} download>${t('kpi.download_xlsx')}</a> · <a href=${`/api/v1/reports/monthly?${query}&format=csv&lang=${lang}`} download>${t('kpi.download_csv')}</a></p>
    ${
      !tables
        ? html`<p>…</p>`
        : html`<p class="hint">${t(running ? 'kpi.report_partial' : 'kpi.report_as_of', { asOf: asOfText(lang, valueOf(tables, 'Report', 'as_of')) })}</p>
      ${valueOf(tables, 'Report', 'snapshot_at') && html`<${FrozenNote} t=${t} lang=${lang} tables=${tables} />`}
      ${valueOf(tables, 'Timeliness', 'messages') === 0 && html`<p class="report-empty">${t('kpi.report_empty')}</p>`}
      <${KeyNumbers} t=${t} lang=${lang} tables=${tables} />
      ${tables.filter((x) => x.part !== 'Report').map((table) => html`<${Part} t=${t} lang=${lang} table=${table} />`)}`
    }
  </section>`;
}

/**
 * The region's open-source summary (an operator: every municipality and the total; everyone else:
 * their own municipality, whose total is the same row, left out): the file's `OpenSource` part
 * turned, a figure per row and a municipality per column, so that thirty figures read down a phone.
 */
export function OpenSourceSummary({ t, lang, period, region, fail }) {
  const tables = tablesOf(`/api/v1/reports/open-sources/tables?period=${period}`, lang, fail);
  const title = `${t('kpi.open_sources')} (${region ? t('kpi.open_sources_region') : t('kpi.open_sources_own')})`;
  const table = tables && partOf(tables, 'OpenSource');
  const name = table?.columns.findIndex((c) => c.code === `municipality_${lang}`);
  const columns = table ? table.rows.filter((r) => region || !r.total) : [];
  const figures = table ? table.columns.map((column, i) => [column, i]).filter(([column, i]) => i !== name && shownColumn(lang)(column)) : [];
  return html`<section class="open-sources-summary" aria-labelledby="open-sources-title">
    <h2 id="open-sources-title">${title}</h2>
    <p>${t('kpi.report_files')}: <a href=${`/api/v1/reports/open-sources?period=${period}&format=xlsx&lang=${lang}`} aria-label=${`${title}: ${t('kpi.download_xlsx')}`} download>${t('kpi.download_xlsx')}</a> · <a href=${`/api/v1/reports/open-sources?period=${period}&format=csv&lang=${lang}`} aria-label=${`${title}: ${t('kpi.download_csv')}`} download>${t('kpi.download_csv')}</a></p>
    ${
      !table
        ? html`<p>…</p>`
        : html`<p class="hint">${t('kpi.report_as_of', { asOf: asOfText(lang, valueOf(tables, 'Report', 'as_of')) })}</p>
      ${valueOf(tables, 'Report', 'snapshot_at') && html`<${FrozenNote} t=${t} lang=${lang} tables=${tables} />`}
      <div class="scroll"><table class="report-part report-open-sources-summary">
        <caption>${table.title}, ${monthName(lang, valueOf(tables, 'Report', 'period'))}</caption>
        <thead><tr><th scope="col">${t('kpi.metric')}</th>${columns.map((row) => html`<th scope="col">${row.cells[name]}</th>`)}</tr></thead>
        <tbody>${figures.map(([column, i]) => html`<tr><th scope="row">${column.label}</th>${columns.map((row) => html`<td>${figure(lang, column.code, row.cells[i])}</td>`)}</tr>`)}</tbody>
      </table></div>`
    }
  </section>`;
}
