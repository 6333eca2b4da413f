import { CONSENT_VERSION, hasLiveConsent, withdrawConsent } from '../../../core/residents/consent.service.ts';
import { getMunicipality } from '../../../core/municipalities/municipality.repository.ts';
import { residentData } from '../../../core/residents/data-export.ts';
import { getResident } from '../../../core/residents/resident.repository.ts';
import { button } from '../../dialogs/buttons.ts';
import { end, goto, stay, type Flow, type StepContext } from '../../dialogs/flow.ts';
import { formatDate } from '../../dialogs/format.ts';
import { menuButton } from '../../dialogs/menu.ts';
import { local, type View } from '../../dialogs/view.ts';
import { backToMenuButton } from '../basics/back-to-menu.ts';

const DEFAULT_TIME_ZONE = 'Asia/Novokuznetsk';
/** The "all my data" entry (`!m:mydata`): not in the main menu, a button on the /privacy screen. */
export const MY_DATA_ENTRY = 'mydata';
/** The /privacy screen's "Withdraw consent": a button of its own, so the screen is no dialog step the resident stays in. */
export const WITHDRAW_ENTRY = 'withdraw';
const CHANNEL_NAMES = { tg: 'Telegram', vk: 'VK' } as const;

/** `/mydata`: everything the platform stores about the resident (core/residents/data-export.ts), as text. */
export async function myDataView(c: StepContext): Promise<View> {
  const data = await residentData(c.db, c.resident.id);
  const zone = data.municipality?.timeZone ?? DEFAULT_TIME_ZONE;
  const date = (d: Date | null) => (d ? formatDate(d, c.language, zone) : local('privacy.none'));
  const none = local('privacy.none');
  const lines: { key: string; params?: Record<string, unknown> }[] = [
    { key: 'privacy.d_profile', params: { name: data.displayName ?? none, phone: data.phone ?? none, language: local(`privacy.language_${data.language}`), municipality: data.municipality ? (c.language === 'en' ? data.municipality.nameEn : data.municipality.nameRu) : none, registered: date(data.registeredAt), notify: data.notifyChannel ? CHANNEL_NAMES[data.notifyChannel] : local('privacy.d_notify_last'), since: date(data.createdAt) } },
    ...data.identities.map((i) => ({ key: 'privacy.d_identity', params: { channel: CHANNEL_NAMES[i.channel], id: i.externalId, chat: i.chatId, username: i.username ? `@${i.username}` : none, seen: date(i.lastSeenAt) } })),
    ...data.consents.map((k) => ({ key: k.withdrawnAt ? 'privacy.d_consent_withdrawn' : 'privacy.d_consent', params: { version: k.version, channel: CHANNEL_NAMES[k.channel], given: date(k.givenAt), withdrawn: date(k.withdrawnAt) } })),
    { key: 'privacy.d_messages', params: { count: data.messages.length } },
    ...data.messages.map((m) => ({
      key: 'privacy.d_message',
      params: { id: m.id, date: date(m.createdAt), status: local(`my.status_${m.status}`), category: c.language === 'en' ? m.category.en : m.category.ru, lat: m.lat?.toFixed(5) ?? none, lon: m.lon?.toFixed(5) ?? none, address: m.address ?? none, photos: m.photos, text: m.text },
    })),
    ...data.comments.map((k) =>
      k.photos > 0 || k.place
        ? { key: 'privacy.d_comment_attached', params: { id: k.messageId, date: date(k.createdAt), text: k.text || none, photos: k.photos, place: k.place ? `${k.place.lat.toFixed(5)}, ${k.place.lon.toFixed(5)}` : none } }
        : { key: 'privacy.d_comment', params: { id: k.messageId, date: date(k.createdAt), text: k.text } },
    ),
    ...data.ratings.map((r) => ({ key: r.complaint ? 'privacy.d_rating_complaint' : 'privacy.d_rating', params: { id: r.messageId, stars: r.stars, complaint: r.complaint } })),
    ...data.supports.map((s) => ({ key: 'privacy.d_support', params: { id: s.messageId, date: date(s.createdAt) } })),
    ...data.subscriptions.map((s) => ({ key: s.enabled ? 'privacy.d_subscribed' : 'privacy.d_unsubscribed', params: { topic: local(`settings.topic_${s.topic}`) } })),
    ...data.directLineQuestions.map((q) => ({ key: q.answered ? 'privacy.d_question_answered' : 'privacy.d_question', params: { title: q.title, date: date(q.createdAt), text: q.text } })),
    ...data.pollVotes.map((v) => ({ key: 'privacy.d_poll_vote', params: { title: v.title, date: date(v.votedAt) } })),
    ...data.contestEntries.map((e) => ({ key: 'privacy.d_contest_entry', params: { id: e.id, contest: e.contest ?? none, date: date(e.createdAt), caption: e.caption || none, state: local(`privacy.entry_${e.state}`) } })),
    ...data.contestVotes.map((v) => ({ key: 'privacy.d_contest_vote', params: { contest: v.contest ?? none, id: v.entryId, date: date(v.createdAt) } })),
    ...data.itemComments.map((k) => ({ key: `privacy.d_item_comment_${k.target}`, params: { title: k.title, date: date(k.createdAt), text: k.text } })),
    ...data.eventReminders.map((r) => ({ key: 'privacy.d_reminder', params: { title: r.title, date: date(r.startsAt) } })),
    { key: 'privacy.d_activity', params: { days: data.activeDays } },
    // Withdrawing is offered only where there is a consent to withdraw (the /privacy screen has the button only then).
    { key: data.consents.some((k) => !k.withdrawnAt) ? 'privacy.d_footer' : 'privacy.d_footer_no_consent' },
  ];
  return { key: 'privacy.d_title', lines };
}

/** Everything the platform keeps about this resident, shown to the resident only (never logged). */
export async function storedDataView(c: StepContext): Promise<View> {
  const resident = await getResident(c.db, c.resident.id);
  const municipality = resident.municipalityId ? await getMunicipality(c.db, resident.municipalityId) : null;
  const consent = await c.db
    .selectFrom('consent')
    .select(['given_at', 'text_version'])
    .where('resident_id', '=', resident.id)
    .where('withdrawn_at', 'is', null)
    .executeTakeFirst();
  const messages = await c.db.selectFrom('message').select((eb) => eb.fn.countAll<number>().as('n')).where('author_id', '=', resident.id).executeTakeFirstOrThrow();
  const none = local('privacy.none');
  const live = consent !== undefined;
  return {
    key: 'privacy.info',
    lines: [
      { key: 'privacy.item_identity', params: { channel: CHANNEL_NAMES[c.from.channel], id: c.from.externalId, username: c.from.username ? `@${c.from.username}` : none } },
      { key: 'privacy.item_name', params: { name: resident.displayName ?? none } },
      { key: 'privacy.item_phone', params: { phone: resident.phone ?? none } },
      { key: 'privacy.item_municipality', params: { municipality: municipality ? (c.language === 'en' ? municipality.nameEn : municipality.nameRu) : none } },
      { key: 'privacy.item_language', params: { language: local(`privacy.language_${resident.language}`) } },
      { key: 'privacy.item_messages', params: { count: Number(messages.n) } },
      consent
        ? { key: 'privacy.item_consent', params: { date: formatDate(consent.given_at, c.language, municipality?.timeZone ?? DEFAULT_TIME_ZONE), version: consent.text_version } }
        : { key: 'privacy.item_no_consent', params: { version: CONSENT_VERSION } },
    ],
    keyboard: { kind: 'inline', rows: [[menuButton(MY_DATA_ENTRY, 'privacy.all_data')], ...(live ? [[menuButton(WITHDRAW_ENTRY, 'privacy.withdraw')]] : []), [backToMenuButton()]] },
  };
}

/**
 * Withdrawal of consent under 152-FZ and what then happens to the data: entered at `confirm` from
 * the /privacy screen's button. `info` (the screen as a step) only answers keyboards sent before.
 */
export const privacyFlow: Flow = {
  name: 'privacy',
  first: 'info',
  needsRegistration: false,
  steps: {
    info: {
      accepts: ['button'],
      wrongInput: 'dialog.use_buttons',
      prompt: async (c) => [await storedDataView(c)],
      async next(c, input) {
        if (input.kind === 'button' && input.action === 'w' && (await hasLiveConsent(c.db, c.resident.id))) return goto('confirm');
        return stay({ reprompt: true });
      },
    },
    confirm: {
      accepts: ['button'],
      wrongInput: 'dialog.use_buttons',
      prompt: () => [{ key: 'privacy.confirm_withdraw', keyboard: { kind: 'inline', rows: [[button('yes', 'privacy.withdraw_yes')], [button('no', 'privacy.withdraw_no')]] } }],
      async next(c, input) {
        if (input.kind !== 'button') return stay({ reprompt: true });
        // Keeping the consent replaces the question in place; no main menu follows.
        if (input.action === 'no') return end([{ key: 'privacy.kept', edit: true }], false);
        if (input.action !== 'yes') return stay({ reprompt: true });
        const erased = await withdrawConsent(c.db, c.resident.id, c.now);
        return end([{ key: 'privacy.withdrawn', params: { messages: erased.messagesAnonymised, cancelled: erased.notificationsCancelled } }], false);
      },
    },
  },
};
