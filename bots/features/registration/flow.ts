import { DomainError } from '../../../core/errors.ts';
import { findMunicipalityByPoint, getMunicipality, listMunicipalities, type Municipality } from '../../../core/municipalities/municipality.repository.ts';
import { CONSENT_VERSION, giveConsent } from '../../../core/residents/consent.service.ts';
import { contactPhone, normalizeRussianPhone } from '../../../core/residents/phone.ts';
import { getResident, updateResident } from '../../../core/residents/resident.repository.ts';
import { button, literalButton } from '../../dialogs/buttons.ts';
import { end, goto, num, type Outcome, stay, str, type Flow, type StepContext } from '../../dialogs/flow.ts';
import { municipalityName } from '../../dialogs/format.ts';
import { listRows, pageOf, pageSizeFor } from '../../dialogs/paging.ts';
import type { View } from '../../dialogs/view.ts';

const MUNICIPALITIES_PER_PAGE = 8;

/** The consent text exactly as shown: its hash is stored with the consent (152-FZ). */
export function consentView(): View {
  return {
    key: 'reg.consent_text',
    params: { version: CONSENT_VERSION },
    keyboard: { kind: 'inline', rows: [[button('yes', 'reg.consent_agree')], [button('no', 'reg.consent_decline')]] },
  };
}

/** The flow's data key of a deep link to open once registered (index.ts `startRegistration`). */
export const THEN_KEY = 'then';

async function register(c: StepContext, municipality: Municipality): Promise<Outcome> {
  await updateResident(c.db, c.resident.id, { municipalityId: municipality.id, registeredAt: c.now });
  const done = { key: 'reg.done', params: { municipality: municipalityName(municipality, c) } };
  const then = str(c.data, THEN_KEY);
  const found = then === undefined ? undefined : c.features.deepLink(then);
  if (!found) return end([done]);
  // The deep link the resident came with (a poster's poll), now as a registered resident of the chosen municipality.
  c.resident = await getResident(c.db, c.resident.id);
  const opened = await found.link.open(c, found.rest);
  const say = [done, ...(opened.say ?? [])];
  if (opened.kind === 'enter' || (opened.kind === 'goto' && opened.flow !== undefined && opened.flow !== registrationFlow.name)) return { ...opened, say };
  return end(say, opened.kind === 'end' ? (opened.menu ?? true) : true);
}

/**
 * /start for a new resident: language → what the platform is (and is not: not an appeal under
 * 59-FZ) → consent under 152-FZ → optional phone (Telegram: own contact; VK: typed) → municipality → registered.
 */
export const registrationFlow: Flow = {
  name: 'registration',
  first: 'language',
  needsRegistration: false,
  registers: true,
  steps: {
    language: {
      accepts: ['button'],
      wrongInput: 'dialog.use_buttons',
      prompt: () => [
        {
          key: 'reg.choose_language',
          keyboard: { kind: 'inline', rows: [[literalButton('lang:ru', 'Русский'), literalButton('lang:en', 'English')]] },
        },
      ],
      async next(c, input) {
        if (input.kind !== 'button' || (input.action !== 'lang:ru' && input.action !== 'lang:en')) return stay({ reprompt: true });
        c.language = input.action === 'lang:en' ? 'en' : 'ru';
        await updateResident(c.db, c.resident.id, { language: c.language });
        return goto('about');
      },
    },
    about: {
      accepts: ['button'],
      wrongInput: 'dialog.use_buttons',
      prompt: () => [{ key: 'reg.about', keyboard: { kind: 'inline', rows: [[button('ok', 'reg.continue')]] } }],
      next: (_c, input) => (input.kind === 'button' && input.action === 'ok' ? goto('consent') : stay({ reprompt: true })),
    },
    consent: {
      accepts: ['button'],
      wrongInput: 'dialog.use_buttons',
      prompt: () => [consentView()],
      async next(c, input) {
        if (input.kind !== 'button') return stay({ reprompt: true });
        // Declined: nothing kept, but the dialog stays at the consent, so a change of mind (its
        // agree button, /start) comes back here, not to the language and the introduction again.
        if (input.action === 'no') return stay({ say: [{ key: 'reg.consent_declined' }] });
        if (input.action !== 'yes') return stay({ reprompt: true });
        const shown = c.t(c.language, consentView().key, consentView().params);
        await giveConsent(c.db, c.resident.id, c.from.channel, shown, c.now);
        // The name is personal data: it is kept only from the moment of consent on.
        if (c.from.displayName) await updateResident(c.db, c.resident.id, { displayName: c.from.displayName.slice(0, 200) });
        // A VK press carries no name: the VK adapter looks it up (users.get) once this is committed.
        else c.nameWanted = true;
        return goto('phone', { say: [{ key: 'reg.consent_recorded' }] });
      },
    },
    phone: {
      // Telegram shares the resident's own contact with a button; VK has no such button, so there
      // the number is typed (checked and normalised to +7…). Skip works in both.
      accepts: ['contact', 'button', 'text'],
      wrongInput: (c) => (c.from.channel === 'vk' ? 'reg.phone_wrong_input_vk' : 'reg.phone_wrong_input'),
      prompt: (c) =>
        c.from.channel === 'vk'
          ? [{ key: 'reg.phone_typed', keyboard: { kind: 'inline', rows: [[button('skip', 'reg.skip')]] } }]
          : [
              { key: 'reg.phone', keyboard: { kind: 'reply', rows: [[{ kind: 'contact', label: 'reg.share_phone' }]], oneTime: true } },
              { key: 'reg.phone_skip_hint', keyboard: { kind: 'inline', rows: [[button('skip', 'reg.skip')]] } },
            ],
      validate(c, input) {
        if (input.kind === 'contact' && !input.own) return { key: 'reg.contact_not_own' };
        if (input.kind !== 'text') return undefined;
        if (c.from.channel !== 'vk') return { key: 'reg.phone_wrong_input' };
        return normalizeRussianPhone(input.text) ? undefined : { key: 'reg.phone_invalid' };
      },
      async next(c, input) {
        if (input.kind === 'contact' || input.kind === 'text') {
          const phone = input.kind === 'text' ? normalizeRussianPhone(input.text)! : (normalizeRussianPhone(input.phone) ?? contactPhone(input.phone));
          await updateResident(c.db, c.resident.id, { phone });
          return goto('municipality', { say: [{ key: 'reg.phone_saved' }] });
        }
        return input.kind === 'button' && input.action === 'skip' ? goto('municipality') : stay({ reprompt: true });
      },
    },
    municipality: {
      // Text too: the municipality's name typed ("Новокузнецк"), where the list is not tapped.
      accepts: ['location', 'button', 'text'],
      wrongInput: 'reg.municipality_wrong_input',
      async prompt(c) {
        const all = await listMunicipalities(c.db);
        const { items, page, pages } = pageOf(all, num(c.data, 'page') ?? 0, pageSizeFor(c.from.channel, MUNICIPALITIES_PER_PAGE));
        return [
          { key: 'reg.municipality', keyboard: { kind: 'reply', rows: [[{ kind: 'location', label: 'reg.send_location' }]], oneTime: true } },
          { key: 'reg.municipality_list', keyboard: { kind: 'inline', rows: listRows(items.map((m) => literalButton(`mu:${m.id}`, municipalityName(m, c))), page, pages) } },
        ];
      },
      async next(c, input) {
        if (input.kind === 'location') return register(c, await findMunicipalityByPoint(c.db, { lat: input.lat, lon: input.lon }));
        if (input.kind === 'text') {
          const named = municipalityNamed(await listMunicipalities(c.db), input.text);
          return named ? register(c, named) : stay({ say: [{ key: 'reg.municipality_wrong_input' }], reprompt: true });
        }
        const id = input.kind === 'button' && input.action.startsWith('mu:') ? Number(input.action.slice(3)) : NaN;
        if (!Number.isSafeInteger(id)) throw new DomainError('MUNICIPALITY_NOT_FOUND');
        return register(c, await getMunicipality(c.db, id));
      },
    },
  },
};

/** The words of a name, lower case, ё as е: "г. Кемерово" → ["г", "кемерово"]. */
const wordsOf = (text: string) => text.toLowerCase().replace(/ё/g, 'е').split(/[^\p{L}\p{N}]+/u).filter(Boolean);

/**
 * The one municipality a typed name means: every word of four letters or more begins (its first
 * five letters: "Кемерово" → "кемер") a word of its Russian or English name ("Кемеровский городской
 * округ"); none when no word is that long, or when it fits none or several (the list is shown again).
 */
export function municipalityNamed<M extends { nameRu: string; nameEn: string }>(all: M[], typed: string): M | undefined {
  const stems = wordsOf(typed)
    .filter((w) => [...w].length >= 4)
    .map((w) => [...w].slice(0, 5).join(''));
  if (stems.length === 0) return undefined;
  const fits = (name: string) => stems.every((stem) => wordsOf(name).some((w) => w.startsWith(stem)));
  const found = all.filter((m) => fits(m.nameRu) || fits(m.nameEn));
  return found.length === 1 ? found[0] : undefined;
}
