import { Hono } from 'hono';
import { etag } from 'hono/etag';
import type { Kysely } from 'kysely';
import type { Database } from '../../core/db/database.ts';
import { isDomainError } from '../../core/errors.ts';
import { getEvent } from '../../core/news/events.service.ts';
import { eventIcs } from '../../core/news/ics.ts';
import { MAX_ROW_ID } from '../../core/db/types.ts';

/**
 * How long a calendar client or a shared cache may keep a file without asking again: five minutes,
 * so a cancellation reaches a subscribed calendar soon; asking again costs a 304 when nothing changed.
 */
export const ICS_CACHE_CONTROL = 'public, max-age=300';

/**
 * Public `.ics` files of «Афиша» events for the phone's calendar (`/calendar/events/<id>.ics`): the
 * bot's event cards link here. Only published and cancelled events (a cancelled one says so);
 * drafts and unknown ids are 404. Every file carries a strong ETag, a digest of its bytes: a
 * revision or a cancellation changes SEQUENCE, DTSTAMP and LAST-MODIFIED and so the ETag, and a
 * client sending the current one in If-None-Match gets 304 without the body.
 */
export function createCalendarApp(deps: { db: Kysely<Database> }): Hono {
  const app = new Hono();
  app.use('*', etag());
  app.get('/events/:file', async (c) => {
    const match = /^([1-9]\d{0,9})\.ics$/.exec(c.req.param('file'));
    if (!match || Number(match[1]) > MAX_ROW_ID) return c.text('Not found', 404);
    try {
      const event = await getEvent(deps.db, Number(match[1]));
      if (event.state === 'draft') return c.text('Not found', 404);
      return c.body(eventIcs(event), 200, {
        'content-type': 'text/calendar; charset=utf-8',
        'cache-control': ICS_CACHE_CONTROL,
        'content-disposition': `attachment; filename="event-${event.id}.ics"`,
      });
    } catch (error) {
      if (isDomainError(error, 'EVENT_NOT_FOUND')) return c.text('Not found', 404);
      throw error;
    }
  });
  return app;
}

export const ICS_PATH = (eventId: number) => `/calendar/events/${eventId}.ics`;
