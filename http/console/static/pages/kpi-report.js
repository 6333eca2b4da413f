// The monthly report of seed 004 §25 and the region's open-source summary on the KPI page: the same
// figures as their XLSX and CSV files (GET /reports/monthly and /reports/open-sources in JSON), as
// tables under the files' own labels (locales/<lang>/report.json, served with the console's texts as
// `report_file`), the key numbers first. The downloads stay beside them.
import { html, useApi } from '../ui.js';

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
const asOfText = (lang, iso) => new Date(iso).toLocaleString(locale(lang), { timeZone: 'Asia/Novokuznetsk', dateStyle: 'long', timeStyle: 'short' });

/** The open-source part's figures in the files' order (core/kpi/report-files.ts openSourceMetrics). */
const openSourceMetrics = (o) => [
  ['messages', o.messages],
  ['first_hour_rule_met', o.timeliness.firstHourRule.met],
  ['first_hour_rule_missed', o.timeliness.firstHourRule.missed],
  ['first_hour_rule_pending', o.timeliness.firstHourRule.pending],
  ['first_hour_rule_compliance', o.timeliness.firstHourRule.compliance],
  ['median_working_minutes_to_first_draft', o.timeliness.medianWorkingMinutesToFirstDraft],
  ['answers_approved', o.timeliness.answersApproved],
  ['answers_published', o.timeliness.answersPublished],
  ['published_as_source_comment', o.timeliness.publishedAsSourceComment],
  ['published_by_hand', o.timeliness.publishedByHand],
  ['awaiting_publication', o.timeliness.awaitingPublication],
  ['messages_with_published_answer', o.timeliness.messagesWithPublishedAnswer],
  ['median_working_hours_to_first_publication', o.timeliness.medianWorkingHoursToFirstPublication],
  ['drafts', o.quality.drafts],
  ['drafts_returned', o.quality.draftsReturned],
  ['returned_share', o.quality.returnedShare],
  ['closed', o.quality.closed],
  ['solved', o.quality.solved],
  ['solved_share', o.quality.solvedShare],
  ['rated', o.quality.rated],
  ['average_stars', o.quality.averageStars],
  ['share_4_to_5', o.quality.share4to5],
];

const CHANGES = ['current', 'previous_month', 'previous_year', 'month_over_month', 'month_over_month_share', 'year_over_year', 'year_over_year_share'];
const changeCells = (c) => [c.current, c.previousMonth, c.previousYear, c.monthOverMonth, c.monthOverMonthShare, c.yearOverYear, c.yearOverYearShare];

function labels(t) {
  return {
    part: (code) => t(`report_file.parts.${code}`),
    label: (code) => t(`report_file.labels.${code}`),
    value: (code) => t(`report_file.values.${code}`),
  };
}

/** A part of metric / value rows (Timeliness, Quality, OpenSource), captioned by the part's name. */
function MetricTable({ t, lang, part, rows }) {
  const l = labels(t);
  return html`<div class="scroll"><table class=${`report-part report-metrics report-${part}`}>
    <caption>${l.part(part)}</caption>
    <thead><tr><th scope="col">${l.label('metric')}</th><th scope="col">${l.label('value')}</th></tr></thead>
    <tbody>${rows.map(([code, v]) => html`<tr><th scope="row">${l.label(code)}</th><td>${figure(lang, code, v)}</td></tr>`)}</tbody>
  </table></div>`;
}

/** A part of many columns (Dynamics, OpenSourceDynamics): its header codes and rows of cells. */
function GridTable({ t, lang, part, header, rows }) {
  const l = labels(t);
  return html`<div class="scroll"><table class=${`report-part report-${part}`}>
    <caption>${l.part(part)}</caption>
    <thead><tr>${header.map((code) => html`<th scope="col">${l.label(code)}</th>`)}</tr></thead>
    <tbody>${
      rows.length === 0
        ? html`<tr><td colspan=${header.length}>${t('queue.empty')}</td></tr>`
        : rows.map((cells) => html`<tr>${cells.map((v, i) => (i === 0 ? html`<th scope="row">${v}</th>` : typeof v === 'string' ? html`<td class="text">${v}</td>` : html`<td>${figure(lang, header[i], v)}</td>`))}</tr>`)
    }</tbody>
  </table></div>`;
}

/** The key numbers of a month at a glance, above the parts. */
function KeyNumbers({ t, lang, report }) {
  const l = labels(t);
  const tl = report.timeliness;
  const q = report.quality;
  const numbers = [
    ['messages', tl.messages],
    ['accepted', tl.accepted],
    ['overdue_share', tl.overdueShare],
    ['median_working_hours_to_first_answer', tl.medianWorkingHoursToFirstAnswer],
    ['median_working_hours_to_closure', tl.medianWorkingHoursToClosure],
    ['average_stars', q.averageStars],
    ['share_4_to_5', q.share4to5],
    ['first_hour_rule_compliance', tl.firstHourRule.compliance],
  ];
  return html`<dl class="report-key" aria-label=${t('kpi.report_key')}>${numbers.map(([code, v]) => html`<dt>${l.label(code)}</dt><dd>${figure(lang, code, v)}</dd>`)}</dl>`;
}

/** The monthly report of one municipality and month: the file's parts as tables, the files linked. */
export function MonthlyReport({ t, lang, query, running, fail }) {
  const [report] = useApi(`/api/v1/reports/monthly?${query}`, fail);
  const name = report && (lang === 'en' ? report.municipalityEn : report.municipalityRu);
  const tl = report?.timeliness;
  const q = report?.quality;
  return html`<section class="monthly-report" aria-labelledby="monthly-report-title">
    <h2 id="monthly-report-title">${t('kpi.report')}${report ? `: ${name}, ${report.period}` : ''}</h2>
    <p>${t('kpi.report_files')}: <a href=${`/api/v1/reports/monthly?${query}&format=xlsx&lang=${lang}`} download>${t('kpi.download_xlsx')}</a> · <a href=${`/api/v1/reports/monthly?${query}&format=csv&lang=${lang}`} download>${t('kpi.download_csv')}</a></p>
    ${
      !report
        ? html`<p>…</p>`
        : html`<p class="hint">${t(running ? 'kpi.report_partial' : 'kpi.report_as_of', { asOf: asOfText(lang, report.asOf) })}</p>
      ${tl.messages === 0 && html`<p class="report-empty">${t('kpi.report_empty')}</p>`}
      <${KeyNumbers} t=${t} lang=${lang} report=${report} />
      <${MetricTable}
        t=${t}
        lang=${lang}
        part="Timeliness"
        rows=${[
          ['messages', tl.messages],
          ['accepted', tl.accepted],
          ['overdue', tl.overdue],
          ['overdue_share', tl.overdueShare],
          ['median_working_hours_to_first_answer', tl.medianWorkingHoursToFirstAnswer],
          ['median_working_hours_to_closure', tl.medianWorkingHoursToClosure],
          ['first_hour_rule_messages', tl.firstHourRule.messages],
          ['first_hour_rule_on_time', tl.firstHourRule.onTime],
          ['first_hour_rule_compliance', tl.firstHourRule.compliance],
        ]}
      />
      <${MetricTable}
        t=${t}
        lang=${lang}
        part="Quality"
        rows=${[
          ['rated', q.rated],
          ['average_stars', q.averageStars],
          ['share_4_to_5', q.share4to5],
          ...['1', '2', '3', '4', '5'].map((s) => [`stars_${s}`, q.stars[s] ?? 0]),
          ['answers_returned', q.answersReturned],
          ['messages_reopened', q.messagesReopened],
        ]}
      />
      <${GridTable}
        t=${t}
        lang=${lang}
        part="Dynamics"
        header=${lang === 'en' ? ['category_en', 'sector_en', ...CHANGES] : ['category_ru', 'sector_ru', ...CHANGES]}
        rows=${report.dynamics.map((d) => [
          lang === 'en' ? d.categoryEn : d.categoryRu,
          lang === 'en' ? d.sectorEn : d.sectorRu,
          d.current,
          d.previousMonth,
          d.previousYear,
          d.monthOverMonth,
          d.monthOverMonthShare,
          d.yearOverYear,
          d.yearOverYearShare,
        ])}
      />
      <${MetricTable} t=${t} lang=${lang} part="OpenSource" rows=${openSourceMetrics(report.openSource)} />
      <${GridTable}
        t=${t}
        lang=${lang}
        part="OpenSourceDynamics"
        header=${['source', ...CHANGES]}
        rows=${[...report.openSource.dynamics.bySource.map((d) => [labels(t).value(d.source), ...changeCells(d)]), [labels(t).value('all'), ...changeCells(report.openSource.dynamics.total)]]}
      />`
    }
  </section>`;
}

/**
 * The region's open-source summary (an operator: every municipality and the total; everyone else:
 * their own municipality, whose total is the same row): a metric per row, a column each.
 */
export function OpenSourceSummary({ t, lang, period, region, fail }) {
  const [summary] = useApi(`/api/v1/reports/open-sources?period=${period}`, fail);
  const l = labels(t);
  const title = `${t('kpi.open_sources')} (${region ? t('kpi.open_sources_region') : t('kpi.open_sources_own')})`;
  const columns = summary ? [...summary.items.map((i) => [lang === 'en' ? i.municipalityEn : i.municipalityRu, i]), ...(region ? [[t('kpi.total'), summary.total]] : [])] : [];
  const rows = summary ? openSourceMetrics(summary.total).map(([code]) => code) : [];
  const valueOf = (o, code) => openSourceMetrics(o).find(([c]) => c === code)[1];
  const movement = ['previous_month', 'month_over_month', 'month_over_month_share', 'previous_year', 'year_over_year', 'year_over_year_share'];
  const change = (o, code) => changeCells(o.dynamics.total)[CHANGES.indexOf(code)];
  return html`<section class="open-sources-summary" aria-labelledby="open-sources-title">
    <h2 id="open-sources-title">${title}</h2>
    <p>${t('kpi.report_files')}: <a href=${`/api/v1/reports/open-sources?period=${period}&format=xlsx&lang=${lang}`} aria-label=${`${title}: ${t('kpi.download_xlsx')}`} download>${t('kpi.download_xlsx')}</a> · <a href=${`/api/v1/reports/open-sources?period=${period}&format=csv&lang=${lang}`} aria-label=${`${title}: ${t('kpi.download_csv')}`} download>${t('kpi.download_csv')}</a></p>
    ${
      !summary
        ? html`<p>…</p>`
        : html`<p class="hint">${t('kpi.report_as_of', { asOf: asOfText(lang, summary.asOf) })}</p>
      <div class="scroll"><table class="report-part report-open-sources-summary">
        <caption>${l.part('OpenSource')}, ${summary.period}</caption>
        <thead><tr><th scope="col">${l.label('metric')}</th>${columns.map(([name]) => html`<th scope="col">${name}</th>`)}</tr></thead>
        <tbody>
          ${rows.map((code) => html`<tr><th scope="row">${l.label(code)}</th>${columns.map(([, o]) => html`<td>${figure(lang, code, valueOf(o, code))}</td>`)}</tr>`)}
          ${movement.map((code) => html`<tr><th scope="row">${l.label(`messages_${code}`)}</th>${columns.map(([, o]) => html`<td>${figure(lang, code, change(o, code))}</td>`)}</tr>`)}
        </tbody>
      </table></div>`
    }
  </section>`;
}
