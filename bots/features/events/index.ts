import { positiveIdArg } from '../../../core/dialogs/action-id.ts';
import { afisha, eventParams, getEvent, hasReminder, remindMe, unremindMe, type AfishaEvent } from '../../../core/news/events.service.ts';
import { NEWS_TAGS } from '../../../core/news/actions.ts';
import { AFISHA_PERIODS, timeZoneOf, type AfishaPeriod } from '../../../core/news/local-time.ts';
import type { EventKind } from '../../../core/news/news.table.ts';
import { action, type BotFeature } from '../../dialogs/feature.ts';
import { reply, type StepContext } from '../../dialogs/flow.ts';
import { isRegistered, registrationRequired } from '../../dialogs/registration-check.ts';
import { local, type Button, type View } from '../../dialogs/view.ts';
import { MAX_ROW_ID } from '../../../core/db/types.ts';
import { backToMenuButton, withMenuButton } from '../basics/back-to-menu.ts';
import { startRegistration } from '../registration/index.ts';

type KindFilter = EventKind | 'all';
const KIND_ARG: Record<KindFilter, string> = { all: 'a', culture: 'c', sport: 's' };
const PERIOD_ARG: Record<AfishaPeriod, string> = { today: 't', weekend: 'w', week: '7' };

interface Screen {
  period: AfishaPeriod;
  kind: KindFilter;
  index: number;
}

/** `!ea:<period>:<kind>:<index>`: the event at `index` of a period of «Афиша», one per screen. */
const list = action<Screen>({
  tag: 'ea',
  encode: (s) => [PERIOD_ARG[s.period], KIND_ARG[s.kind], s.index],
  decode(args) {
    if (args.length !== 3) return undefined;
    const period = AFISHA_PERIODS.find((p) => PERIOD_ARG[p] === args[0]);
    const kind = (Object.keys(KIND_ARG) as KindFilter[]).find((k) => KIND_ARG[k] === args[1]);
    const index = /^(?:0|[1-9]\d{0,3})$/.test(args[2]!) ? Number(args[2]) : undefined;
    return period && kind && index !== undefined ? { period, kind, index } : undefined;
  },
  async run(c, screen) {
    return reply(await screenViews(c, screen));
  },
});

/** `!ev:<id>`: one event (deep links, announcements). */
const open = action<number>({
  tag: NEWS_TAGS.openEvent,
  encode: (id) => [id],
  decode: (args) => (args.length === 1 ? positiveIdArg(args[0], MAX_ROW_ID) : undefined),
  run: (c, id) => openEvent(c, id),
});

/** `!er:<id>`: "Remind me", 3 hours before the start. */
const remind = action<number>({
  tag: NEWS_TAGS.remind,
  encode: (id) => [id],
  decode: (args) => (args.length === 1 ? positiveIdArg(args[0], MAX_ROW_ID) : undefined),
  async run(c, id) {
    if (!(await isRegistered(c))) return reply([await registrationRequired(c)]);
    const result = await remindMe(c.db, id, c.resident.id, c.now);
    // With the reminder on (new or from before), the way to turn it off.
    const on = result === 'scheduled' || result === 'soon' || result === 'already';
    return reply([{ key: `events.remind_${result}`, ...(on && { keyboard: { kind: 'inline', rows: [[unremind.button(id, 'events.unremind')]] } }) }]);
  },
});

/** `!eu:<id>`: "Don't remind me": no reminder and no notices of the event's changes. A second tap or a stale button: it is off already. */
const unremind = action<number>({
  tag: NEWS_TAGS.unremind,
  encode: (id) => [id],
  decode: (args) => (args.length === 1 ? positiveIdArg(args[0], MAX_ROW_ID) : undefined),
  // No registration check: anyone may stop what they asked for (a withdrawn consent included).
  async run(c, id) {
    return reply([{ key: `events.unremind_${await unremindMe(c.db, id, c.resident.id)}` }]);
  },
});

let publicBase: string | undefined;

/** The app's public URL (config PUBLIC_URL), given once at start by app.ts: the .ics links need it. */
export function provideEventLinks(publicUrl: string | undefined): void {
  publicBase = publicUrl?.trim().replace(/\/+$/, '') || undefined;
}

/** Where the phone's calendar gets the event (PUBLIC_URL + /calendar/events/<id>.ics); empty without a public URL. */
function icsLine(eventId: number): string {
  return publicBase ? `${publicBase}/calendar/events/${eventId}.ics` : '';
}

async function reminderButton(c: StepContext, eventId: number): Promise<Button> {
  return (await hasReminder(c.db, eventId, c.resident.id)) ? unremind.button(eventId, 'events.unremind') : remind.button(eventId, 'events.remind');
}

async function eventView(c: StepContext, event: AfishaEvent, extraRows: Button[][], position?: { index: number; total: number }): Promise<View> {
  const zone = await timeZoneOf(c.db, event.municipalityId);
  const params = eventParams(event, zone);
  const ics = icsLine(event.id);
  return {
    // No description: no empty paragraph for it.
    key: event.description.trim() ? 'events.card' : 'events.card_brief',
    params: { ...params, kindLabel: local(`events.kind_${event.kind}`) },
    lines: [
      ...(params.age ? [{ key: 'events.line_age', params }] : []),
      { key: event.price === null ? 'events.line_free' : 'events.line_price', params },
      ...(params.organiser ? [{ key: 'events.line_organiser', params }] : []),
      ...(params.link ? [{ key: 'events.line_link', params }] : []),
      ...(ics ? [{ key: 'events.line_ics', params: { url: ics } }] : []),
      ...(position ? [{ key: 'events.line_position', params: { position: position.index + 1, total: position.total } }] : []),
    ],
    ...(event.photoMediaId !== null && { media: [event.photoMediaId] }),
    location: { lat: event.venue.lat, lon: event.venue.lon },
    // "Remind me" (or "Don't remind me" once asked) only while there is something to be reminded of.
    keyboard: { kind: 'inline', rows: [...extraRows, ...(event.startsAt.getTime() > c.now.getTime() ? [[await reminderButton(c, event.id)]] : []), [backToMenuButton()]] },
  };
}

async function openEvent(c: StepContext, id: number) {
  // An old announcement's button pressed after the consent was withdrawn: register first (events are a municipality's).
  if (!(await isRegistered(c))) return reply([await registrationRequired(c)]);
  const event = await getEvent(c.db, id).catch(() => undefined);
  if (!event || event.state === 'draft' || event.municipalityId !== c.resident.municipalityId) return reply([withMenuButton('events.gone')]);
  if (event.state === 'cancelled') return reply([{ key: 'events.cancelled_card', params: { title: event.title }, keyboard: { kind: 'inline', rows: [[backToMenuButton()]] } }]);
  return reply([await eventView(c, event, [])]);
}

function periodRows(current?: Screen): Button[][] {
  const kind = current?.kind ?? 'all';
  return [
    AFISHA_PERIODS.map((period) => list.button({ period, kind, index: 0 }, `events.period_${period}`)),
    (['all', 'culture', 'sport'] as KindFilter[]).map((k) => list.button({ period: current?.period ?? 'week', kind: k, index: 0 }, `events.filter_${k}`)),
  ];
}

async function screenViews(c: StepContext, screen: Screen): Promise<View[]> {
  if (c.resident.municipalityId === null) return [await registrationRequired(c)];
  const events = await afisha(c.db, c.resident.municipalityId, screen.period, screen.kind === 'all' ? undefined : screen.kind, c.now);
  const heading = { period: local(`events.period_${screen.period}`), kind: local(`events.filter_${screen.kind}`) };
  if (events.length === 0) return [{ key: 'events.none', params: heading, keyboard: { kind: 'inline', rows: [...periodRows(screen), [backToMenuButton()]] } }];
  const index = Math.min(screen.index, events.length - 1);
  const pager: Button[] = [];
  if (index > 0) pager.push(list.button({ ...screen, index: index - 1 }, 'events.previous'));
  if (index < events.length - 1) pager.push(list.button({ ...screen, index: index + 1 }, 'events.next'));
  return [await eventView(c, events[index]!, [...(pager.length > 0 ? [pager] : []), ...periodRows(screen)], { index, total: events.length })];
}

const show = async (c: StepContext) => {
  if (c.resident.municipalityId === null) return reply([await registrationRequired(c)]);
  return reply([{ key: 'events.choose', keyboard: { kind: 'inline', rows: [...periodRows(), [backToMenuButton()]] } }]);
};

/** «Афиша»: `/events` and the menu; today, this weekend, the next 7 days, by kind; "Remind me" and "Don't remind me"; `/start event_<id>`. */
export const events: BotFeature = {
  name: 'events',
  commands: [{ name: 'events', description: 'events.command', run: show }],
  menu: [{ id: 'events', label: 'events.menu', row: 22, column: 1, run: show }],
  actions: [list, open, remind, unremind],
  deepLinks: [
    {
      prefix: 'event_',
      open: async (c, rest) => {
        const id = positiveIdArg(rest, MAX_ROW_ID);
        if (!id) return reply([withMenuButton('events.gone')]);
        // Events are a municipality's: a visitor not registered yet (a poster, a shared link) registers
        // first, and the event opens then (the link is kept, as a poll's is).
        if (!(await isRegistered(c))) return startRegistration(c, `event_${id}`);
        return openEvent(c, id);
      },
    },
  ],
};
