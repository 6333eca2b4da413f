import ical, { ICalAlarmType, ICalEventStatus } from 'ical-generator';
import type { AfishaEvent } from './events.service.ts';
import { REMIND_BEFORE_MS } from './events.service.ts';

/** A TEXT value (RFC 5545 §3.3.11) escaped: ical-generator writes the calendar's NAME and X-WR-CALNAME as given. */
function icsText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/**
 * The event's SEQUENCE (RFC 5545 §3.8.7.4): 0 as published, higher with every later revision (a
 * move, an edit, the cancellation), so a calendar that imported it takes the new file for the same
 * UID; one that sees no higher SEQUENCE keeps what it has. Seconds from publication to the last
 * revision: every revision raises it, and it fits the INTEGER of the property for 68 years.
 */
function icsSequence(event: Pick<AfishaEvent, 'publishedAt' | 'updatedAt'>): number {
  return event.publishedAt ? Math.max(0, Math.floor((event.updatedAt.getTime() - event.publishedAt.getTime()) / 1000)) : 0;
}

/**
 * The event's UID (RFC 5545 §3.8.4.7): the same for as long as the event exists, whatever host
 * serves the file. It names no host (a changed PUBLIC_URL, or a file fetched through another name,
 * would make it another event in every calendar that has it: a duplicate, and a cancellation that
 * never arrives), and the event's creation instant beside its id keeps two installations (a
 * staging copy and production) from sharing one.
 */
export function eventUid(event: Pick<AfishaEvent, 'id' | 'createdAt'>): string {
  return `afisha-event-${event.id}-${event.createdAt.getTime().toString(36)}@otklik`;
}

/**
 * An event as an iCalendar file (RFC 5545) for the phone's calendar: times in UTC (every
 * calendar shows them in its own zone), the venue with its point, a display alarm 3 hours before
 * (as the bot's reminder), CANCELLED once cancelled. The UID is stable and the SEQUENCE grows with
 * every revision, so a second import updates it (or cancels it).
 */
export function eventIcs(event: AfishaEvent, options: { url?: string } = {}): string {
  const calendar = ical({ name: icsText(event.title), prodId: { company: 'Otklik', product: 'afisha', language: 'RU' } });
  const entry = calendar.createEvent({
    id: eventUid(event),
    start: event.startsAt,
    end: event.endsAt,
    summary: event.title,
    description: [event.description, event.organiser, event.price, event.link].filter(Boolean).join('\n'),
    location: { title: event.venue.name, address: event.venue.address, geo: { lat: event.venue.lat, lon: event.venue.lon } },
    url: event.link ?? options.url ?? null,
    status: event.state === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    sequence: icsSequence(event),
    stamp: event.updatedAt,
    lastModified: event.updatedAt,
  });
  if (event.state !== 'cancelled') entry.createAlarm({ type: ICalAlarmType.display, trigger: REMIND_BEFORE_MS / 1000, description: event.title });
  return calendar.toString();
}
