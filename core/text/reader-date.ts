/**
 * A date and time to show a resident, formatted when the text is rendered in the reader's language
 * (bots/render-text.ts, bots/dialogs/format.ts formatDate) in the municipality's zone: core queues one
 * announcement for residents of either language, so it cannot format the date itself.
 */
export interface ReaderDate {
  $date: string;
  $timeZone: string;
}

export function readerDate(at: Date, timeZone: string): ReaderDate {
  return { $date: at.toISOString(), $timeZone: timeZone };
}

export function isReaderDate(value: unknown): value is ReaderDate {
  return typeof value === 'object' && value !== null && typeof (value as ReaderDate).$date === 'string' && typeof (value as ReaderDate).$timeZone === 'string';
}
