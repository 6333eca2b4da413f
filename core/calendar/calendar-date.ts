const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A 'YYYY-MM-DD' that exists on the calendar: Date.parse takes 30 February as 2 March, so it must read back the same. */
export function isCalendarDate(date: string): boolean {
  if (!DATE.test(date)) return false;
  const ms = Date.parse(`${date}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === date;
}
