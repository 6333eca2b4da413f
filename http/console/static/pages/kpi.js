// The KPI dashboard (kpi.read): the 16 indicators of a municipality for a month with value, target,
// status, trend and a bar toward the target (a native <meter>), a chart of each indicator's share
// of its target (Chart.js's ESM build served from node_modules), the monthly report on the page with
// its downloads (XLSX / CSV: plain links, the session cookie goes with a same-origin GET), the region's
// open-source summary of seed 004 §25 (the same; a municipality's official gets their own row; both
// in kpi-report.js), the executors' rating and
// the municipalities' ranking (the region's for operators; a municipality's official sees their own row and its rank).
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import { can } from '../access.js';
import { post } from '../api.js';
import { html, loading, monthName, nameOf, useAction, useApi, ZONE } from '../ui.js';
import { asOfText, MonthlyReport, OpenSourceSummary } from './kpi-report.js';

/**
 * The running month as YYYY-MM in Kuzbass (the region's zone, in which the server counts periods):
 * a browser in a zone ahead of it would otherwise ask for a month that has not begun (422).
 */
const thisMonth = () => new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit' }).format(new Date());

const isShare = (target) => target.kind === 'min_share' || target.kind === 'max_share';
/** A fraction written by the page's language (0,3 in Russian, 0.3 in English): `digits` after the point, `least` of them kept. */
const decimal = (lang, v, digits, least = digits) => v.toLocaleString(lang === 'en' ? 'en-GB' : 'ru-RU', { minimumFractionDigits: least, maximumFractionDigits: digits });
const number = (lang, v) => (Number.isInteger(v) ? String(v) : decimal(lang, v, 2));
const valueOf = (lang, item) => (item.value === null ? '—' : isShare(item.target) ? `${decimal(lang, item.value * 100, 1)} %` : number(lang, item.value));
/** A share as a percentage, a tenth kept when it matters (KPI 7's limit is 0.3 %, not "0 %"). */
const share = (lang, v) => `${decimal(lang, v * 100, 1, 0)} %`;
/** Stars and hours: one decimal. */
const tenths = (lang, v) => (v === null ? '—' : decimal(lang, v, 1));

function targetOf(lang, target) {
  const show = (v) => (isShare(target) ? share(lang, v) : number(lang, v));
  if (target.kind === 'range') return `${show(target.min ?? 0)}–${show(target.max ?? 0)}`;
  if (target.kind === 'max_share') return `≤ ${show(target.max ?? 0)}`;
  return `≥ ${show(target.min ?? 0)}`;
}

/**
 * A bar toward the target: how much of the minimum is reached, or how much of the maximum is used.
 * For a maximum less is better: the meter's optimum is 0, and a value at or over the limit falls in
 * its "even less good" region (the browser draws it red, not as a full green bar).
 */
function bar(t, item) {
  if (item.value === null) return null;
  const label = t('kpi.progress', { kpi: item.kpi });
  if (item.target.kind === 'max_share') {
    const limit = item.target.max;
    if (!limit) return null;
    return html`<meter min="0" max=${limit} low=${limit / 2} high=${limit} optimum="0" value=${Math.min(item.value, limit)} aria-label=${label}></meter>`;
  }
  const goal = item.target.min ?? item.target.max;
  if (!goal) return null;
  const max = Math.max(goal, item.value);
  return html`<meter min="0" max=${max} value=${Math.min(item.value, max)} aria-label=${label}></meter>`;
}

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

/** How much of its target an indicator reached, in % (capped at 150): a maximum kept is 100. */
function attainment(item) {
  if (item.value === null) return null;
  const { kind, min, max } = item.target;
  if (kind === 'max_share') return item.value <= (max ?? 0) ? 100 : Math.round(((max ?? 0) / item.value) * 100);
  if (!min) return 100;
  return Math.min(150, Math.round((item.value / min) * 100));
}

const COLOURS = { met: '#1a7f37', on_track: '#2f6fb5', at_risk: '#b35900', missed: '#b3261e' };

/** A horizontal bar per indicator: its share of the target, coloured by status. */
function KpiChart({ t, items }) {
  const canvas = useRef(null);
  useEffect(() => {
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels: items.map((i) => `№ ${i.kpi}`),
        datasets: [{ label: t('kpi.chart_axis'), data: items.map(attainment), backgroundColor: items.map((i) => COLOURS[i.status] ?? '#767676') }],
      },
      options: { indexAxis: 'y', animation: false, maintainAspectRatio: false, scales: { x: { min: 0, max: 150, title: { display: true, text: t('kpi.chart_axis') } } } },
    });
    return () => chart.destroy();
  }, [items]);
  return html`<figure class="kpi-chart">
    <figcaption>${t('kpi.chart')}</figcaption>
    <div class="kpi-chart-box"><canvas ref=${canvas} role="img" aria-label=${t('kpi.chart')}></canvas></div>
  </figure>`;
}

/**
 * An ended month read from its snapshot (the official figure, GET /kpi): when it was taken, and the
 * indicators whose data have changed since (a message reopened after the month ended), with the
 * recomputation for those who may run it (kpi.recompute) and whom to ask for the others.
 */
function SnapshotNote({ t, lang, items, recompute }) {
  const taken = items.filter((i) => i.fromSnapshot && i.snapshotAt).map((i) => i.snapshotAt);
  if (taken.length === 0) return null;
  const differs = items.filter((i) => i.liveDiffers);
  return html`<div class="snapshot-note">
    <p class="hint">${t('kpi.snapshot', { at: asOfText(lang, taken.sort().at(-1)) })}</p>
    ${differs.length > 0 &&
    html`<p class="overdue">${t('kpi.snapshot_differs', { list: differs.map((i) => `№ ${i.kpi}`).join(', ') })}</p>
      ${recompute ? html`<form onSubmit=${recompute}><button type="submit" class="secondary">${t('kpi.recompute')}</button></form>` : html`<p class="hint">${t('kpi.recompute_ask')}</p>`}`}
  </div>`;
}

/**
 * A ranking of an ended month read from its snapshot (GET /ratings/…, frozen with the KPIs): when it
 * was frozen, and whether the data have changed since for any of its rows.
 */
function RatingNote({ t, lang, items }) {
  const taken = items.filter((r) => r.fromSnapshot && r.snapshotAt).map((r) => r.snapshotAt);
  if (taken.length === 0) return null;
  return html`<div class="rating-frozen">
    <p class="hint">${t('kpi.rating_frozen', { at: asOfText(lang, taken.sort().at(-1)) })}</p>
    ${items.some((r) => r.liveDiffers) && html`<p class="overdue">${t('kpi.report_changed')}</p>`}
  </div>`;
}

/** The value: the snapshot's, and what the data give now when that differs. */
function valueCell(t, lang, item) {
  if (!item.liveDiffers || !item.live) return valueOf(lang, item);
  return html`${valueOf(lang, item)}<br /><small class="overdue">${t('kpi.live_now', { value: valueOf(lang, { ...item, value: item.live.value }) })}</small>`;
}

function trendOf(t, trend) {
  if (!trend || trend.direction === null) return '—';
  const arrow = { up: '↑', down: '↓', flat: '→' }[trend.direction];
  const word = trend.improving === null ? '' : trend.improving ? t('kpi.improving') : t('kpi.worsening');
  return `${arrow} ${word}`.trim();
}

export function Kpi({ t, lang, me, fail, notify }) {
  const [period, setPeriod] = useState(thisMonth());
  const [town, setTown] = useState(me.municipalityId);
  const [towns] = useApi(me.municipalityId === null ? '/api/v1/municipalities' : null, fail);
  const query = town === null ? null : `municipalityId=${town}&period=${period}`;
  const [kpi, reloadKpi] = useApi(query && `/api/v1/kpi?${query}`, fail);
  const act = useAction(t, fail, notify, reloadKpi);
  const recompute = can(me.role, 'kpi.recompute') ? (event) => act(event, () => post('/api/v1/kpi/recompute', { municipalityId: town, period })) : null;
  const [rating] = useApi(`/api/v1/ratings/executors?period=${period}${town === null ? '' : `&municipalityId=${town}`}`, fail);
  // Operators: every municipality (the chosen one marked); others: the API answers their own row only.
  const [townsRating] = useApi(`/api/v1/ratings/municipalities?period=${period}`, fail);
  const choose = (event) => {
    event.preventDefault();
    const f = event.target.elements;
    // Firefox and desktop Safari show a text box for type="month": its pattern refuses another format
    // with the format's hint before the form gets here.
    if (/^\d{4}-\d{2}$/.test(f.period.value)) setPeriod(f.period.value);
    if (f.municipality) setTown(f.municipality.value ? Number(f.municipality.value) : null);
  };
  return html`<main>
    <h1>${t('kpi.title')}</h1>
    <form onSubmit=${choose}>
      ${me.municipalityId === null && html`<label for="municipality">${t('incidents.municipality')}</label>
        <select id="municipality" name="municipality">
          <option value="">${t('kpi.choose_municipality')}</option>
          ${(towns?.items ?? []).map((m) => html`<option value=${m.id} selected=${m.id === town}>${nameOf(lang, m)}</option>`)}
        </select>`}
      <label for="period">${t('kpi.period')}</label><input id="period" name="period" type="month" value=${period} required pattern="[0-9]{4}-(0[1-9]|1[0-2])" placeholder=${t('kpi.period_format')} title=${t('kpi.period_format')} />
      <p><button type="submit" class="secondary">${t('kpi.show')}</button></p>
    </form>
    ${query === null ? html`<p>${t('kpi.choose_municipality')}</p>` : !kpi ? html`<p>…</p>` : html`<div class="scroll" key="indicators"><table class="kpi">
      <caption>${t('kpi.indicators', { period: monthName(lang, kpi.period) })}</caption>
      <thead><tr><th>№</th><th>${t('kpi.indicator')}</th><th>${t('kpi.value')}</th><th>${t('kpi.target')}</th><th>${t('kpi.status')}</th><th>${t('kpi.trend')}</th><th>${t('kpi.bar')}</th></tr></thead>
      <tbody>${kpi.items.map(
        (i) => html`<tr class=${i.status ? `kpi-${i.status}` : undefined}>
          <td>${i.kpi}</td>
          <td>${lang === 'en' ? i.nameEn : i.nameRu}</td>
          <td>${valueCell(t, lang, i)}</td>
          <td>${targetOf(lang, i.target)}</td>
          <td>${i.status ? t(`kpi.statuses.${i.status}`) : t('kpi.unavailable')}</td>
          <td>${trendOf(t, i.trend)}</td>
          <td>${bar(t, i)}</td>
        </tr>`,
      )}</tbody>
    </table></div>
    <${SnapshotNote} t=${t} lang=${lang} items=${kpi.items} recompute=${recompute} />`}
    ${kpi && html`<${KpiChart} t=${t} items=${kpi.items} />`}
    ${query && html`<${MonthlyReport} key=${query} t=${t} lang=${lang} query=${query} running=${period === thisMonth()} fail=${fail} />`}
    <${OpenSourceSummary} key=${period} t=${t} lang=${lang} period=${period} region=${me.municipalityId === null} fail=${fail} />
    <h2>${t('kpi.rating')}</h2>
    ${rating && html`<${RatingNote} t=${t} lang=${lang} items=${rating.items} />`}
    ${!rating ? html`<p>…</p>` : rating.items.length === 0 ? html`<p>${t('queue.empty')}</p>` : html`<table>
      <thead><tr><th>${t('kpi.rank')}</th><th>${t('kpi.executor')}</th><th>${t('kpi.closed')}</th><th>${t('kpi.stars')}</th><th>${t('kpi.hours_to_closure')}</th><th>${t('kpi.score')}</th></tr></thead>
      <tbody>${rating.items.map(
        (r) => html`<tr><td>${r.rank}</td><td>${r.name}</td><td>${r.closed} / ${r.received}</td><td>${tenths(lang, r.averageStars)}</td><td>${tenths(lang, r.medianWorkingHoursToClosure)}</td><td>${r.score.toFixed(0)}</td></tr>`,
      )}</tbody>
    </table>`}
    <h2>${t('kpi.municipalities_rating')}</h2>
    ${me.municipalityId !== null && html`<p class="hint">${t('kpi.municipalities_rating_own')}</p>`}
    ${townsRating && html`<${RatingNote} t=${t} lang=${lang} items=${townsRating.items} />`}
    ${!townsRating ? html`<p>…</p>` : townsRating.items.length === 0 ? html`<p>${t('queue.empty')}</p>` : html`<div class="scroll" key="municipalities"><table class="municipalities-rating">
      <thead><tr><th>${t('kpi.rank')}</th><th>${t('incidents.municipality')}</th><th>${t('kpi.closed')}</th><th>${t('kpi.stars')}</th><th>${t('kpi.hours_to_closure')}</th><th>${t('kpi.completeness')}</th><th>${t('kpi.score')}</th></tr></thead>
      <tbody>${townsRating.items.map(
        (r) => html`<tr aria-current=${r.municipalityId === town ? 'true' : undefined} class=${r.municipalityId === town ? 'chosen' : undefined}>
          <td>${r.rank}</td><td>${nameOf(lang, r)}</td><td>${r.closed} / ${r.received}</td><td>${tenths(lang, r.averageStars)}</td>
          <td>${tenths(lang, r.medianWorkingHoursToClosure)}</td><td>${r.completeness === null ? '—' : share(lang, r.completeness)}</td><td>${r.score.toFixed(0)}</td>
        </tr>`,
      )}</tbody>
    </table></div>`}
  </main>`;
}
