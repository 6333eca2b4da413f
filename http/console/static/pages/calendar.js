// The working calendar of a year (read-only, GET /api/v1/calendars): the national production
// calendar this instance applies and, per municipality, its non-working days, working weekend
// days and shortened days — the days the deadlines skip.
import { useState } from 'preact/hooks';
import { DirectoriesNav } from './directories.js';
import { html, nameOf, useApi } from '../ui.js';

const dayOf = (lang) => (key) =>
  new Date(`${key}T00:00:00Z`).toLocaleDateString(lang === 'en' ? 'en-GB' : 'ru-RU', { day: 'numeric', month: 'long', weekday: 'short', timeZone: 'UTC' });

function Days({ t, label, days, show }) {
  return html`<dt>${t(label)} (${days.length})</dt><dd>${days.length === 0 ? '—' : html`<ul class="days">${days.map((d) => html`<li><time datetime=${d}>${show(d)}</time></li>`)}</ul>`}</dd>`;
}

export function DirectoriesCalendar({ t, lang, fail }) {
  const [year, setYear] = useState(new Date().getFullYear());
  const [towns] = useApi('/api/v1/municipalities', fail);
  const [calendar] = useApi(`/api/v1/calendars?year=${year}`, fail);
  const show = dayOf(lang);
  const choose = (event) => {
    event.preventDefault();
    const value = Number(event.target.elements.year.value);
    if (Number.isInteger(value) && value >= 2000 && value <= 2100) setYear(value);
  };
  const national = calendar?.national;
  return html`<main>
    <h1>${t('work_calendar.title', { year })}</h1>
    <${DirectoriesNav} t=${t} current="directories/calendar" />
    <form onSubmit=${choose}>
      <label for="year">${t('work_calendar.year')}</label>
      <input id="year" name="year" type="number" min="2000" max="2100" required value=${year} />
      <p><button type="submit" class="secondary">${t('work_calendar.show')}</button></p>
    </form>
    ${!calendar || !towns || calendar.year !== year ? html`<p>…</p>` : html`
      <h2>${t('work_calendar.national')}</h2>
      ${national
        ? html`<p>${national.source}${national.origin === 'imported' ? ` · ${t('work_calendar.imported')}` : ''}</p>
            ${national.provisional && html`<p class="error">${t('work_calendar.provisional')}</p>`}`
        : html`<p>${t('work_calendar.no_national')}</p>`}
      ${calendar.municipalities.map(
        (m) => html`<section aria-labelledby=${`cal-${m.municipalityId}`}>
          <h2 id=${`cal-${m.municipalityId}`}>${nameOf(lang, towns.items.find((x) => x.id === m.municipalityId))}</h2>
          <p>${t('work_calendar.summary', { days: m.workingDays, zone: m.timeZone })}${m.followsNational ? '' : ` · ${t('work_calendar.own_only')}`}</p>
          <dl class="calendar">
            <${Days} t=${t} label="work_calendar.days_off" days=${m.daysOff} show=${show} />
            <${Days} t=${t} label="work_calendar.working_weekends" days=${m.workingWeekends} show=${show} />
            <${Days} t=${t} label="work_calendar.shortened" days=${m.shortened} show=${show} />
          </dl>
        </section>`,
      )}`}
  </main>`;
}
