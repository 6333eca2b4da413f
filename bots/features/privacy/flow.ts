import { CONSENT_VERSION, hasLiveConsent, withdrawConsent } from '../../../core/residents/consent.service.ts';
import { getMunicipality } from '../../../core/municipalities/municipality.repository.ts';
import { getResident } from '../../../core/residents/resident.repository.ts';
import { button } from '../../dialogs/buttons.ts';
import { end, goto, stay, type Flow, type StepContext } from '../../dialogs/flow.ts';
import { formatDate } from '../../dialogs/format.ts';
import { menuButton } from '../../dialogs/menu.ts';
import { local, type View } from '../../dialogs/view.ts';

const DEFAULT_TIME_ZONE = 'Asia/Novokuznetsk';

/** Everything the platform keeps about this resident, shown to the resident only (never logged). */
async function storedDataView(c: StepContext): Promise<View> {
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
      { key: 'privacy.item_identity', params: { channel: c.from.channel, id: c.from.externalId, username: c.from.username ? `@${c.from.username}` : none } },
      { key: 'privacy.item_name', params: { name: resident.displayName ?? none } },
      { key: 'privacy.item_phone', params: { phone: resident.phone ?? none } },
      { key: 'privacy.item_municipality', params: { municipality: municipality ? (c.language === 'en' ? municipality.nameEn : municipality.nameRu) : none } },
      { key: 'privacy.item_language', params: { language: resident.language } },
      { key: 'privacy.item_messages', params: { count: Number(messages.n) } },
      consent
        ? { key: 'privacy.item_consent', params: { date: formatDate(consent.given_at, c.language, municipality?.timeZone ?? DEFAULT_TIME_ZONE), version: consent.text_version } }
        : { key: 'privacy.item_no_consent', params: { version: CONSENT_VERSION } },
    ],
    keyboard: { kind: 'inline', rows: [...(live ? [[button('w', 'privacy.withdraw')]] : []), [menuButton('menu', 'menu.back_to_menu')]] },
  };
}

/** /privacy: what is stored; withdrawal of consent under 152-FZ and what then happens to the data. */
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
        await withdrawConsent(c.db, c.resident.id, c.now);
        return end([{ key: 'privacy.withdrawn' }], false);
      },
    },
  },
};
