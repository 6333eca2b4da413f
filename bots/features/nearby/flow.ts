import { getCategory, titleIn } from '../../../core/categories/category.repository.ts';
import { countSupporters, supportMessage } from '../../../core/messages/feedback.service.ts';
import { OPEN_STATUSES } from '../../../core/messages/lifecycle.ts';
import { getMessage } from '../../../core/messages/message.repository.ts';
import { AROUND_RADIUS_M, listPublished, supports } from '../../../core/messages/published-nearby.ts';
import { findMunicipalityByPoint, getMunicipality } from '../../../core/municipalities/municipality.repository.ts';
import { getResident } from '../../../core/residents/resident.repository.ts';
import { DomainError } from '../../../core/errors.ts';
import { button } from '../../dialogs/buttons.ts';
import { goto, num, stay, type Flow, type StepContext } from '../../dialogs/flow.ts';
import { excerpt, formatDate, municipalityName } from '../../dialogs/format.ts';
import { pagerRow, pageSizeFor } from '../../dialogs/paging.ts';
import { local, type View } from '../../dialogs/view.ts';
import { backToMenuButton } from '../basics/back-to-menu.ts';
import { freeTextAnswer } from '../../dialogs/idle.ts';
import { placeFromText } from '../filing/place-text.ts';

const PAGE_SIZE = 5;

/** Where the list looks: around the shared point, or the resident's municipality. */
function where(c: StepContext): { point: { lat: number; lon: number } } | { municipalityId: number } {
  const lat = num(c.data, 'lat');
  const lon = num(c.data, 'lon');
  if (lat !== undefined && lon !== undefined) return { point: { lat, lon } };
  return { municipalityId: num(c.data, 'municipalityId')! };
}

const whereHint = (c: StepContext) => (c.from.channel === 'vk' ? 'nearby.where_hint_vk' : 'nearby.where_hint');

/**
 * "Problems near me": published messages (not rejected) around a point the resident shares, or
 * in their municipality, with their status → a message's public card (no author) → "Me too".
 */
export const nearbyFlow: Flow = {
  name: 'nearby',
  first: 'where',
  needsRegistration: true,
  steps: {
    where: {
      // Text too: coordinates or a map link, where the messenger cannot share a location (desktop apps), as in filing.
      accepts: ['location', 'button', 'text'],
      wrongInput: (c) => whereHint(c),
      prompt: (c) => [
        {
          key: c.from.channel === 'vk' ? 'nearby.where_vk' : 'nearby.where',
          params: { radius: AROUND_RADIUS_M },
          keyboard: { kind: 'reply', rows: [[{ kind: 'location', label: 'filing.send_location' }]], oneTime: true },
        },
        { key: 'nearby.or_municipality', keyboard: { kind: 'inline', rows: [[button('mu', 'nearby.in_municipality')], [backToMenuButton()]] } },
      ],
      async next(c, input) {
        const typed = input.kind === 'text' ? placeFromText(input.text) : undefined;
        if (input.kind === 'text' && !typed) {
          // Not a place: maybe text a feature takes (the answer to a clarification request), as elsewhere.
          const taken = await freeTextAnswer(c, input.text);
          return stay({ say: taken ?? [{ key: whereHint(c) }], reprompt: !taken });
        }
        const place = input.kind === 'location' ? input : typed;
        // However the step is left, the engine takes the location keyboard away (settleReplyKeyboard).
        if (place) {
          // The point's municipality is said, as filing's place step says it; a point outside every
          // municipality is refused as in filing (OUTSIDE_MUNICIPALITY).
          const municipality = await findMunicipalityByPoint(c.db, { lat: place.lat, lon: place.lon });
          const said = { key: 'nearby.place_ok', params: { municipality: municipalityName(municipality, c) } };
          return goto('list', { data: { lat: place.lat, lon: place.lon, municipalityId: undefined }, say: [said] });
        }
        if (input.kind === 'button' && input.action === 'mu') {
          const resident = await getResident(c.db, c.resident.id);
          if (resident.municipalityId === null) throw new DomainError('NOT_REGISTERED', { residentId: resident.id });
          return goto('list', { data: { municipalityId: resident.municipalityId, lat: undefined, lon: undefined } });
        }
        return stay({ reprompt: true });
      },
    },
    list: {
      screen: true,
      accepts: ['button'],
      wrongInput: 'dialog.use_buttons',
      async prompt(c) {
        const size = pageSizeFor(c.from.channel, PAGE_SIZE, { perRow: PAGE_SIZE, fixedButtons: 2, fixedRows: 1 });
        const requested = num(c.data, 'page') ?? 0;
        const scope = where(c);
        let { items, total } = await listPublished(c.db, scope, { offset: requested * size, limit: size });
        const pages = Math.max(1, Math.ceil(total / size));
        const page = Math.min(requested, pages - 1);
        if (page !== requested) ({ items, total } = await listPublished(c.db, scope, { offset: page * size, limit: size }));
        const back = [button('w', 'nearby.elsewhere'), backToMenuButton()];
        const place =
          'point' in scope ? local('nearby.around', { radius: AROUND_RADIUS_M }) : local('nearby.in', { municipality: municipalityName(await getMunicipality(c.db, scope.municipalityId), c) });
        if (total === 0) return [{ key: 'nearby.empty', params: { place }, keyboard: { kind: 'inline', rows: [back] } }];
        const lines = [];
        for (const m of items) {
          const category = titleIn(await getCategory(c.db, m.categoryId), c.language);
          const distance = m.distanceM === undefined ? '' : local('nearby.distance', { metres: Math.round(m.distanceM) });
          lines.push({
            key: 'nearby.item',
            params: { messageId: m.id, status: local(`my.status_${m.status}`), category, distance, supporters: local('my.supporters', { count: m.supporters }), text: excerpt(m.text, 160) },
          });
        }
        const pager = pagerRow(page, pages);
        return [
          {
            key: 'nearby.list',
            params: { place, count: total },
            lines,
            keyboard: { kind: 'inline', rows: [items.map((m) => button(`o:${m.id}`, 'dialog.message_number', { id: m.id })), ...(pager.length > 0 ? [pager] : []), back] },
          },
        ];
      },
      async next(c, input) {
        if (input.kind === 'button' && input.action === 'w') return goto('where', { data: { lat: undefined, lon: undefined, municipalityId: undefined } });
        const id = input.kind === 'button' && input.action.startsWith('o:') ? Number(input.action.slice(2)) : Number.NaN;
        if (!Number.isSafeInteger(id) || id <= 0) return stay({ reprompt: true });
        await publishedMessage(c, id);
        return goto('card', { data: { messageId: id } });
      },
    },
    card: {
      screen: true,
      accepts: ['button'],
      wrongInput: 'dialog.use_buttons',
      prompt: async (c) => [await publicCard(c, num(c.data, 'messageId')!)],
      async next(c, input) {
        if (input.kind !== 'button') return stay({ reprompt: true });
        if (input.action === 'b') return goto('list');
        if (input.action !== 'me') return stay({ reprompt: true });
        const messageId = num(c.data, 'messageId')!;
        const { supporters } = await supportMessage(c.db, { residentId: c.resident.id, messageId }, c.now);
        // A short line says what happened; the card is updated in place.
        return stay({ say: [{ key: 'filing.supported', params: { messageId, supporters: local('my.supporters', { count: supporters }) } }], reprompt: 'edit' });
      },
    },
  },
};

/** A message the resident may see here: published and not rejected (anything else answers as missing). */
async function publishedMessage(c: StepContext, id: number) {
  const message = await getMessage(c.db, id).catch((error: unknown) => {
    // A missing message answers as an unpublished one; anything else (the database) propagates.
    throw error instanceof DomainError ? new DomainError('MESSAGE_NOT_FOUND', { id }) : error;
  });
  if (!message.published || message.status === 'rejected') throw new DomainError('MESSAGE_NOT_FOUND', { id });
  return message;
}

/** What any resident sees of a published message: no author, no officials' names. */
async function publicCard(c: StepContext, id: number): Promise<View> {
  const message = await publishedMessage(c, id);
  const [category, municipality, supported, supporters] = await Promise.all([
    getCategory(c.db, message.categoryId),
    getMunicipality(c.db, message.municipalityId),
    supports(c.db, c.resident.id, id),
    countSupporters(c.db, id),
  ]);
  const own = message.authorId === c.resident.id;
  const open = OPEN_STATUSES.includes(message.status);
  const note = own ? 'nearby.own' : supported ? 'nearby.supporting' : open ? undefined : 'nearby.closed';
  return {
    key: 'nearby.card',
    params: {
      messageId: id,
      status: local(`my.status_${message.status}`),
      category: titleIn(category, c.language),
      municipality: municipalityName(municipality, c),
      address: message.address ?? local('nearby.no_address'),
      date: formatDate(message.createdAt, c.language, municipality.timeZone),
      supporters: local('my.supporters', { count: supporters }),
      text: excerpt(message.text, 1500),
    },
    lines: note ? [{ key: note }] : [],
    keyboard: {
      kind: 'inline',
      rows: [...(note ? [] : [[button('me', 'nearby.me_too')]]), [button('b', 'nearby.back_to_list'), backToMenuButton()]],
    },
  };
}
