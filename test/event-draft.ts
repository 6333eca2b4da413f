import type { EventFields } from '../core/news/events.service.ts';
import { KEMEROVO_CENTER } from './residents.ts';

/** What createEvent (core/news/events.service.ts) takes: an event's fields, its municipality and author. */
export type EventDraft = EventFields & { municipalityId: number; staffId: number | null };

const HOUR = 3_600_000;

/**
 * An event of «Афиша» as createEvent takes it, for the tests: a two-hour concert from `startsAt` at
 * Kemerovo's philharmonic, with none of the optional attributes (age limit, price, organiser, photo,
 * link) and no author; `over` sets anything else (a venue outside Kemerovo needs its own point).
 */
export const eventDraft = (over: Pick<EventDraft, 'municipalityId' | 'startsAt'> & Partial<EventDraft>): EventDraft => ({
  kind: 'culture',
  title: 'Концерт',
  description: '',
  endsAt: new Date(over.startsAt.getTime() + 2 * HOUR),
  venue: { name: 'Филармония Кузбасса', address: 'Кемерово, пр. Советский, 68', ...KEMEROVO_CENTER },
  ageLimit: null,
  price: null,
  organiser: null,
  photoMediaId: null,
  link: null,
  staffId: null,
  ...over,
});
