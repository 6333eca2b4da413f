/**
 * A contest body with every attribute publishing needs (admin API), for the API tests; dates as local
 * dates of Kemerovo (UTC+7): entries open at 2026-12-09T17:00Z (00:00 on the 10th) and are taken
 * through the 19th (until 2026-12-19T16:59:59.999Z), voting from 00:00 on the 20th through the 26th,
 * results at 00:00 on the 28th.
 */
export const fullContest = (over: Record<string, unknown> = {}) => ({
  title: 'Зимний Кемерово',
  organiser: 'Администрация г. Кемерово',
  terms: 'Фото зимнего города, снятое в декабре.',
  topic: 'Зима в городе',
  prizes: 'Сертификат 5000 ₽',
  drawingFormat: 'audience_vote',
  winnersCount: 2,
  entryKind: 'photo',
  entriesFrom: '2026-12-10',
  entriesTo: '2026-12-19',
  votingFrom: '2026-12-20',
  votingTo: '2026-12-26',
  resultsOn: '2026-12-28',
  ...over,
});
