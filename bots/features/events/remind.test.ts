import { describe, expect, it } from 'vitest';
import { cancelEvent, createEvent, publishEvent, REMIND_BEFORE_MS, updateEvent } from '../../../core/news/events.service.ts';
import { runJob } from '../../../core/jobs/run-job.ts';
import { JOBS } from '../../../cron/jobs.ts';
import { registeredChat } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { CHANNELS, press, tap } from '../../../test/bots/player.ts';
import type { TestDatabase } from '../../../test/database.ts';
import { KEMEROVO_CENTER, NOVOKUZNETSK_CENTER } from '../../../test/residents.ts';
import { expandFully } from '../../../test/expand.ts';
import { eventDraft } from '../../../test/event-draft.ts';
import { setSubscription } from '../../../core/subscriptions/subscriptions.ts';
import { formatDate } from '../../dialogs/format.ts';
import { createTranslator } from '../../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const HOUR = 60 * 60 * 1000;

describe.each(CHANNELS)('%s: "Remind me" on an event that starts in less than 3 hours', (channel) => {
  it('says the reminder is sent now, and the reminder says "soon", not "in 3 hours"', async () => {
    const { chat } = await registeredChat(db, harness, channel, 'Kemerovo', 'Анна');
    const start = new Date(Date.now() + HOUR);
    const venue = { name: 'Стадион «Химик»', address: 'Кемерово, ул. Весенняя, 1', ...KEMEROVO_CENTER };
    const draft = await createEvent(
      db.db,
      eventDraft({ municipalityId: db.demo.municipalities.Kemerovo, kind: 'sport', title: `Лыжня ${channel}`, startsAt: start, endsAt: new Date(start.getTime() + HOUR), venue, ageLimit: 6 }),
      new Date(),
    );
    const event = await publishEvent(db.db, draft.id, new Date(), null);

    await chat.say(`/start event_${event.id}`);
    // A 6+ event is not marked with 🔞 (which reads "adults only").
    expect(chat.replyTexts.join('\n')).toContain('👤 Возраст: 6+');
    expect(chat.replyTexts.join('\n')).not.toContain('🔞');
    await chat.say(press(t('ru', 'events.remind')));
    expect(chat.replyTexts).toEqual([t('ru', 'events.remind_soon')]);
    await chat.deliverOutbox();
    const reminder = chat.replyTexts.find((text) => text.includes(`Лыжня ${channel}`));
    expect(reminder).toMatch(/^🔔 Скоро начало: /);
    expect(chat.replyTexts.join('\n')).not.toContain('Через 3 часа');
  });
});

describe.each(CHANNELS)('%s: a deep link to a news item or an event that is gone', (channel) => {
  it('says so with a "☰ Menu" button, not a bare line', async () => {
    const { chat } = await registeredChat(db, harness, channel, 'Kemerovo', 'Борис');
    for (const [link, key] of [
      ['news_99999', 'news.gone'],
      ['event_99999', 'events.gone'],
    ] as const) {
      await chat.say(`/start ${link}`);
      expect(chat.replyTexts, link).toEqual([t('ru', key)]);
      expect(chat.buttonLabels(), link).toEqual([t('ru', 'menu.back_to_menu')]);
    }
  });
});

describe.each(CHANNELS)('%s: the announcement of a published event', (channel) => {
  it('names the age limit as the card does, and has no age line without one', async () => {
    const { chat, residentId: resident } = await registeredChat(db, harness, channel, 'Kemerovo', 'Вера');
    await setSubscription(db.db, resident, 'culture_events', true, new Date());
    const start = new Date(Date.now() + 48 * HOUR);
    const venue = { name: 'Филармония Кузбасса', address: 'Кемерово, пр. Советский, 68', ...KEMEROVO_CENTER };
    for (const [title, ageLimit] of [
      [`Джаз ${channel}`, 16],
      [`Ёлка ${channel}`, null],
    ] as const) {
      const draft = await createEvent(
        db.db,
        eventDraft({ municipalityId: db.demo.municipalities.Kemerovo, title, description: 'Вечер', startsAt: start, endsAt: new Date(start.getTime() + HOUR), venue, ageLimit }),
        new Date(),
      );
      const event = await publishEvent(db.db, draft.id, new Date(), null);
      await expandFully(db.db, event.broadcastId!);
    }
    await chat.deliverOutbox();
    const announcement = (title: string) => chat.replyTexts.find((text) => text.includes(title));
    expect(announcement(`Джаз ${channel}`)).toContain(`📍 Филармония Кузбасса, Кемерово, пр. Советский, 68\n${t('ru', 'events.line_age', { age: '16+' })}\n💳 `);
    expect(announcement(`Ёлка ${channel}`)).toContain('📍 Филармония Кузбасса, Кемерово, пр. Советский, 68\n💳 ');
    expect(announcement(`Ёлка ${channel}`)).not.toContain('👤');
  });
});

describe.each(CHANNELS)('%s: an event that is over', (channel) => {
  it('its card offers no "Remind me", and the button of its old announcement says it is over, not that it has started', async () => {
    const { chat } = await registeredChat(db, harness, channel, 'Kemerovo', 'Глеб');
    const venue = { name: 'Дворец спорта', address: 'Кемерово, ул. Кирова, 25', ...KEMEROVO_CENTER };
    // Published yesterday for last evening.
    const published = new Date(Date.now() - 24 * HOUR);
    const draft = await createEvent(
      db.db,
      eventDraft({
        municipalityId: db.demo.municipalities.Kemerovo,
        kind: 'sport',
        title: `Хоккей ${channel}`,
        description: 'Матч',
        startsAt: new Date(Date.now() - 6 * HOUR),
        endsAt: new Date(Date.now() - 4 * HOUR),
        venue,
      }),
      published,
    );
    const event = await publishEvent(db.db, draft.id, published, null);

    await chat.say(`/start event_${event.id}`);
    expect(chat.replyTexts.join('\n')).toContain(`Хоккей ${channel}`);
    const labels = chat.buttonLabels();
    expect(labels).not.toContain(t('ru', 'events.remind'));
    await chat.say(tap(`!er:${event.id}`));
    expect(chat.replyTexts).toEqual([t('ru', 'events.remind_over')]);
  });
});

describe.each(CHANNELS)('%s: "Remind me" on the announcement of an event cancelled since', (channel) => {
  it('says the event is cancelled, as its card does, not just that it is unavailable', async () => {
    const { chat } = await registeredChat(db, harness, channel, 'Kemerovo', 'Дина');
    const venue = { name: 'Драмтеатр', address: 'Кемерово, пр. Советский, 92', ...KEMEROVO_CENTER };
    const draft = await createEvent(
      db.db,
      eventDraft({ municipalityId: db.demo.municipalities.Kemerovo, title: `Спектакль ${channel}`, description: 'Премьера', startsAt: new Date(Date.now() + 48 * HOUR), venue }),
      new Date(),
    );
    const event = await publishEvent(db.db, draft.id, new Date(), null);
    await cancelEvent(db.db, event.id, 'Болезнь актёра', new Date());
    await chat.say(tap(`!er:${event.id}`));
    expect(chat.replyTexts).toEqual([t('ru', 'events.remind_cancelled')]);
  });
});

describe.each(CHANNELS)('%s: «Афиша» screens that show no event', (channel) => {
  it('a period with no events and a cancelled event\'s card have the "☰ Menu" button, as every other screen of «Афиша»', async () => {
    // Novokuznetsk: no event of this file's other tests is there.
    const { chat } = await registeredChat(db, harness, channel, 'Novokuznetsk', 'Вика');
    await chat.say('/events');
    await chat.say(tap('!ea:w:s:0'));
    expect(chat.replyTexts[0]).toBe(t('ru', 'events.none', { period: t('ru', 'events.period_weekend'), kind: t('ru', 'events.filter_sport') }));
    expect(chat.buttonLabels()).toContain(t('ru', 'menu.back_to_menu'));

    const start = new Date(Date.now() + 30 * HOUR);
    const venue = { name: 'ДК Металлургов', address: 'Новокузнецк, пр. Металлургов, 18', ...NOVOKUZNETSK_CENTER };
    const draft = await createEvent(
      db.db,
      eventDraft({ municipalityId: db.demo.municipalities.Novokuznetsk, title: `Спектакль ${channel}`, startsAt: start, endsAt: new Date(start.getTime() + HOUR), venue }),
      new Date(),
    );
    const event = await publishEvent(db.db, draft.id, new Date(), null);
    await cancelEvent(db.db, event.id, null, new Date());
    await chat.say(`/start event_${event.id}`);
    expect(chat.replyTexts).toEqual([t('ru', 'events.cancelled_card', { title: `Спектакль ${channel}` })]);
    expect(chat.buttonLabels()).toEqual([t('ru', 'menu.back_to_menu')]);
  });
});

describe.each(CHANNELS)("%s: an «Афиша» card's dates in the reader's language", (channel) => {
  it('read 04/12/2026, 09:36 in English and 04.12.2026, 09:36 in Russian, in the municipality zone', async () => {
    const { chat: english, residentId } = await registeredChat(db, harness, channel, 'Kemerovo', 'Emma');
    await db.db.updateTable('resident').set({ language: 'en' }).where('id', '=', residentId).execute();
    const { chat: russian } = await registeredChat(db, harness, channel, 'Kemerovo', 'Вера');
    const start = new Date(Date.now() + 2 * 24 * HOUR);
    const end = new Date(start.getTime() + HOUR);
    const venue = { name: 'ДК Шахтёров', address: 'Кемерово, ул. Весенняя, 2', ...KEMEROVO_CENTER };
    const draft = await createEvent(db.db, eventDraft({ municipalityId: db.demo.municipalities.Kemerovo, kind: 'culture', title: `Хор ${channel}`, startsAt: start, endsAt: end, venue }), new Date());
    const event = await publishEvent(db.db, draft.id, new Date(), null);
    const zone = 'Asia/Novokuznetsk';
    const en = `🗓 ${formatDate(start, 'en', zone)} — ${formatDate(end, 'en', zone)}`;
    expect(en).toMatch(/^🗓 \d\d\/\d\d\/\d{4}, \d\d:\d\d — /);

    await english.say(`/start event_${event.id}`);
    expect(english.replyTexts[0]).toContain(en);
    await russian.say(`/start event_${event.id}`);
    expect(russian.replyTexts[0]).toContain(`🗓 ${formatDate(start, 'ru', zone)} — ${formatDate(end, 'ru', zone)}`);
  });
});

describe.each(CHANNELS)('%s: the card of an event without a description', (channel) => {
  it('is brief: the venue line is followed by the next line, with no empty line and no "undefined"', async () => {
    const { chat } = await registeredChat(db, harness, channel, 'Kemerovo', 'Ирина');
    const start = new Date(Date.now() + 26 * HOUR);
    const venue = { name: 'Парк Победы', address: 'Кемерово, ул. Притомская набережная, 7', ...KEMEROVO_CENTER };
    const draft = await createEvent(db.db, eventDraft({ municipalityId: db.demo.municipalities.Kemerovo, title: `Зарядка ${channel}`, description: '', startsAt: start, venue }), new Date());
    const event = await publishEvent(db.db, draft.id, new Date(), null);

    await chat.say(`/start event_${event.id}`);
    const card = chat.replyTexts.join('\n');
    expect(card).toContain(`Зарядка ${channel}`);
    expect(card).toContain(`📍 Парк Победы, Кемерово, ул. Притомская набережная, 7\n${t('ru', 'events.line_free')}`);
    expect(card).not.toMatch(/\n\s*\n/);
    expect(card).not.toContain('undefined');
  });
});

/** A published Kemerovo event starting `hoursAhead` from now at `venue`. */
async function published(title: string, hoursAhead: number, venue: { name: string; address: string }) {
  const startsAt = new Date(Date.now() + hoursAhead * HOUR);
  const draft = await createEvent(db.db, eventDraft({ municipalityId: db.demo.municipalities.Kemerovo, title, startsAt, venue: { ...venue, ...KEMEROVO_CENTER } }), new Date());
  return publishEvent(db.db, draft.id, new Date(), null);
}

const remindersOf = (eventId: number) => db.db.selectFrom('event_reminder').select('resident_id').where('event_id', '=', eventId).execute();

describe.each(CHANNELS)('%s: "Don\'t remind me"', (channel) => {
  it('is offered once asked (in the answer and on the card), turns the reminder off in one line, and a second or stale press says it is off already', async () => {
    const { chat, residentId } = await registeredChat(db, harness, channel, 'Kemerovo', 'Лена');
    const event = await published(`Органный вечер ${channel}`, 48, { name: 'Органный зал', address: 'Кемерово, пр. Советский, 40' });

    await chat.say(`/start event_${event.id}`);
    expect(chat.buttonLabels()).toContain(t('ru', 'events.remind'));
    expect(chat.buttonLabels()).not.toContain(t('ru', 'events.unremind'));
    await chat.say(press(t('ru', 'events.remind')));
    expect(chat.replyTexts).toEqual([t('ru', 'events.remind_scheduled')]);
    expect(chat.buttonLabels()).toEqual([t('ru', 'events.unremind')]);
    // The card now offers to turn it off instead.
    await chat.say(`/start event_${event.id}`);
    expect(chat.buttonLabels()).toContain(t('ru', 'events.unremind'));
    expect(chat.buttonLabels()).not.toContain(t('ru', 'events.remind'));

    await chat.say(press(t('ru', 'events.unremind')));
    expect(chat.replyTexts).toEqual([t('ru', 'events.unremind_off')]);
    expect(chat.replyTexts[0]).not.toContain('\n');
    expect(await remindersOf(event.id)).toEqual([]);
    // The same button again (the card's, above), and its id as a stale button sends it.
    await chat.say(press(t('ru', 'events.unremind')));
    expect(chat.replyTexts).toEqual([t('ru', 'events.unremind_already_off')]);
    await chat.say(tap(`!eu:${event.id}`));
    expect(chat.replyTexts).toEqual([t('ru', 'events.unremind_already_off')]);
    // A "Remind me" of an old card or the announcement asks again; already on, it offers the way off.
    await chat.say(`/start event_${event.id}`);
    expect(chat.buttonLabels()).toContain(t('ru', 'events.remind'));
    await chat.say(tap(`!er:${event.id}`));
    await chat.say(tap(`!er:${event.id}`));
    expect(chat.replyTexts).toEqual([t('ru', 'events.remind_already')]);
    expect(chat.buttonLabels()).toEqual([t('ru', 'events.unremind')]);
    expect(await remindersOf(event.id)).toEqual([{ resident_id: residentId }]);
  });

  it('in English: the button and the answers', async () => {
    const { chat, residentId } = await registeredChat(db, harness, channel, 'Kemerovo', 'Emma');
    await db.db.updateTable('resident').set({ language: 'en' }).where('id', '=', residentId).execute();
    const event = await published(`Organ night ${channel}`, 48, { name: 'Органный зал', address: 'Кемерово, пр. Советский, 40' });
    await chat.say(`/start event_${event.id}`);
    await chat.say(press(t('en', 'events.remind')));
    expect(chat.buttonLabels()).toEqual(["🔕 Don't remind me"]);
    await chat.say(press("🔕 Don't remind me"));
    expect(chat.replyTexts).toEqual([t('en', 'events.unremind_off')]);
    await chat.say(tap(`!eu:${event.id}`));
    expect(chat.replyTexts).toEqual(['The reminder is already off.']);
  });

  it('drops the reminder already queued and not sent: it never arrives', async () => {
    const { chat } = await registeredChat(db, harness, channel, 'Kemerovo', 'Нина');
    const event = await published(`Утренник ${channel}`, 1, { name: 'ДК Шахтёров', address: 'Кемерово, ул. Весенняя, 2' });
    await chat.say(`/start event_${event.id}`);
    await chat.say(press(t('ru', 'events.remind')));
    expect(chat.replyTexts).toEqual([t('ru', 'events.remind_soon')]);
    await chat.say(press(t('ru', 'events.unremind')));
    expect(chat.replyTexts).toEqual([t('ru', 'events.unremind_off')]);
    const rows = await db.db.selectFrom('outbox').select('state').where('kind', '=', 'event.reminder').where('chat_id', '=', chat.externalId).execute();
    expect(rows).toEqual([{ state: 'cancelled' }]);
    await chat.deliverOutbox();
    expect(chat.replyTexts).toEqual([]);
  });

  it('no notice of a move or a new venue, and no reminder, reaches who turned it off; who kept it gets them', async () => {
    const { chat: keeper } = await registeredChat(db, harness, channel, 'Kemerovo', 'Олег');
    const { chat: quitter } = await registeredChat(db, harness, channel, 'Kemerovo', 'Пётр');
    const event = await published(`Лекция ${channel}`, 30, { name: 'Библиотека им. Федорова', address: 'Кемерово, ул. Дзержинского, 19' });
    for (const chat of [keeper, quitter]) {
      await chat.say(`/start event_${event.id}`);
      await chat.say(press(t('ru', 'events.remind')));
    }
    await quitter.say(press(t('ru', 'events.unremind')));
    expect(quitter.replyTexts).toEqual([t('ru', 'events.unremind_off')]);

    const start = new Date(event.startsAt.getTime() + 24 * HOUR);
    await updateEvent(db.db, event.id, { startsAt: start, endsAt: new Date(start.getTime() + 2 * HOUR) }, new Date());
    await updateEvent(db.db, event.id, { venue: { name: 'Дом знаний', address: 'Кемерово, пр. Ленина, 5', ...KEMEROVO_CENTER } }, new Date());
    expect((await runJob(db.db, JOBS.eventReminders, () => new Date(start.getTime() - REMIND_BEFORE_MS + 60_000))).counts).toEqual({ queued: 1, failed: 0 });

    await quitter.deliverOutbox();
    expect(quitter.replyTexts).toEqual([]);
    await keeper.deliverOutbox();
    const told = keeper.replyTexts.filter((text) => text.includes(`Лекция ${channel}`));
    expect(told).toHaveLength(3);
    expect(told[0]).toMatch(/^🔁 /);
    expect(told[1]).toMatch(/^📍 .*Дом знаний/);
    expect(told[2]).toMatch(/^🔔 .*\n.*\n📍 Дом знаний, Кемерово, пр. Ленина, 5$/);
  });
});

describe.each(CHANNELS)('%s: a reminder queued before the venue changed', (channel) => {
  it('names the new venue, with the new place as the location; one already sent is not sent again', async () => {
    const { chat } = await registeredChat(db, harness, channel, 'Kemerovo', 'Рита');
    const old = { name: 'Стадион «Шахтёр»', address: 'Кемерово, ул. Рутгерса, 18' };
    const event = await published(`Забег ${channel}`, 1, old);
    await chat.say(`/start event_${event.id}`);
    await chat.say(press(t('ru', 'events.remind')));
    expect(chat.replyTexts).toEqual([t('ru', 'events.remind_soon')]);

    // The reminder waits in the outbox (not delivered yet) when the venue changes.
    const hall = { name: 'Манеж', address: 'Кемерово, ул. Кирова, 3', lat: KEMEROVO_CENTER.lat + 0.002, lon: KEMEROVO_CENTER.lon };
    await updateEvent(db.db, event.id, { venue: hall }, new Date());
    await chat.deliverOutbox();
    const reminders = chat.replyTexts.filter((text) => text.startsWith('🔔'));
    expect(reminders).toEqual([`🔔 Скоро начало: Забег ${channel}\n🗓 ${formatDate(event.startsAt, 'ru', 'Asia/Novokuznetsk')}\n📍 Манеж, Кемерово, ул. Кирова, 3`]);
    expect(chat.replyTexts.join('\n')).toContain(
      t('ru', 'events.venue_changed', {
        title: `Забег ${channel}`,
        starts: formatDate(event.startsAt, 'ru', 'Asia/Novokuznetsk'),
        venue: hall.name,
        address: hall.address,
        was: `${old.name}, ${old.address}`,
      }),
    );
    const sent = await db.db.selectFrom('outbox').select(['state', 'payload']).where('kind', '=', 'event.reminder').where('chat_id', '=', chat.externalId).orderBy('id').execute();
    expect(sent.map((r) => r.state)).toEqual(['cancelled', 'sent']);
    expect(sent[1]!.payload.location).toEqual({ lat: hall.lat, lon: hall.lon });

    // Sent: another change is told, the reminder is not repeated.
    await updateEvent(db.db, event.id, { venue: { ...hall, name: 'Манеж «Кузбасс»' } }, new Date());
    await chat.deliverOutbox();
    expect(chat.replyTexts.filter((text) => text.startsWith('🔔'))).toEqual([]);
    expect(chat.replyTexts.join('\n')).toContain('Манеж «Кузбасс»');
  });
});
