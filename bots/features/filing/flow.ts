import { getCategory, listCategories, listSectors, titleIn } from '../../../core/categories/category.repository.ts';
import { DomainError } from '../../../core/errors.ts';
import { supportMessage } from '../../../core/messages/feedback.service.ts';
import { fileMessage, MAX_PHOTOS, type PhotoRef } from '../../../core/messages/filing.service.ts';
import { findNearby } from '../../../core/messages/nearby.ts';
import { MAX_TEXT_LENGTH, validText } from '../../../core/messages/text.ts';
import { findMunicipalityByPoint, getMunicipality } from '../../../core/municipalities/municipality.repository.ts';
import { button, literalButton } from '../../dialogs/buttons.ts';
import { BATCH_PHOTOS_NOT_TAKEN, end, enter, goto, num, photoNotTaken, photoTaken, stay, str, type Flow, type Outcome, type StepContext, type StepData, type StepInput } from '../../dialogs/flow.ts';
import { excerpt, municipalityName } from '../../dialogs/format.ts';
import { listRows, pageOf, pageSizeFor } from '../../dialogs/paging.ts';
import { placeFromText } from './place-text.ts';
import { freeTextAnswer } from '../../dialogs/idle.ts';
import { local, type Button, type View } from '../../dialogs/view.ts';

const LIST_PAGE_SIZE = 8;
/** An address or landmark in words, added from the summary. */
const MAX_ADDRESS_LENGTH = 300;
const MIN_ADDRESS_LENGTH = 3;

/** A shared point as the resident sees it: latitude, longitude to about a metre. */
const pointText = (point: { lat: number; lon: number }) => `${point.lat.toFixed(5)}, ${point.lon.toFixed(5)}`;
const CANCEL: Button = button('x', 'dialog.cancel');
/** The location step's keyboard: a button that shares the resident's location. */
const LOCATION_KEYBOARD: View['keyboard'] = { kind: 'reply', rows: [[{ kind: 'location', label: 'filing.send_location' }]], oneTime: true };

function photosOf(data: StepData): PhotoRef[] {
  return Array.isArray(data.photos) ? (data.photos as PhotoRef[]) : [];
}

/**
 * A photo sent before the photos step (with the description as its caption, or together with the
 * text in one VK message) is kept for the message rather than refused; a repeat of one is not added twice.
 */
function keepPhoto(c: StepContext, input: StepInput): PhotoRef[] {
  const photos = photosOf(c.data);
  if (input.kind !== 'photo' || photos.length >= MAX_PHOTOS || isRepeat(photos, input)) return photos;
  return [...photos, photoRef(input)];
}

/** A photo as the message keeps it: the messenger's ids, and VK's download URL (the copy in the media store is made from it). */
function photoRef(input: Extract<StepInput, { kind: 'photo' }>): PhotoRef {
  return { fileId: input.fileId, fileUniqueId: input.fileUniqueId ?? null, ...(input.file?.url && { url: input.file.url }) };
}

/** The same photo again (re-sent from the gallery, or forwarded back), known by the messenger's unique file id. */
const isRepeat = (photos: PhotoRef[], input: { fileUniqueId?: string }) => Boolean(input.fileUniqueId) && photos.some((p) => p.fileUniqueId === input.fileUniqueId);

/**
 * A description needs words: a text with fewer letters than this (an emoji, "!!!", a number, "ок")
 * tells the moderator and the executor nothing, and the message would only be rejected.
 */
const MIN_DESCRIPTION_LETTERS = 3;
/** A link's letters are no description (a post's address alone says nothing the executor can act on). */
const LINK = /(?:https?:\/\/|www\.)\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:ru|com|me|org|net|su|рф)\/\S*/giu;
export const hasWords = (text: string) => (text.replace(LINK, ' ').match(/\p{L}/gu)?.length ?? 0) >= MIN_DESCRIPTION_LETTERS;

/**
 * A photo while the sector or category is chosen (the rest of an album or a VK message that started
 * filing, or one sent early) is kept for the message. One line says so, and the list stays above;
 * the album's or message's later photos are kept quietly.
 */
function photoBeforeCategory(c: StepContext, input: Extract<StepInput, { kind: 'photo' }>): Outcome {
  const before = photosOf(c.data);
  const photos = keepPhoto(c, input);
  const quiet = input.alongside === true || (input.album !== undefined && c.data.album === input.album);
  // Past the fifth: a photo of its own is told at once; the album's or message's later ones are
  // counted and told together when the choice is made (photosOverSaid), not once per photo.
  if (photos.length === before.length && !isRepeat(before, input)) {
    if (!quiet) return stay({ say: [{ key: 'filing.photo_over_choose', params: { max: MAX_PHOTOS } }] });
    return stay({ data: { [PHOTOS_OVER]: (num(c.data, PHOTOS_OVER) ?? 0) + 1 } });
  }
  return stay({ data: { photos }, ...(!quiet && { say: [{ key: 'filing.photo_kept_choose' }] }) });
}

/**
 * A text while the sector or category is chosen: the answer to a clarification request when a
 * feature takes it, else the description written first (kept, and a later text goes on with it),
 * so it is not lost; the list stays above. A text of no words, a command's word («Меню») or any text
 * while the category is changed from the summary asks for a button, as before.
 */
async function textBeforeCategory(c: StepContext, text: string): Promise<Outcome> {
  const taken = await freeTextAnswer(c, text);
  if (taken) return stay({ say: taken });
  const description = c.data.editing || c.features.commandWord(text) ? undefined : descriptionOf(text);
  if (description === undefined) return stay({ say: [{ key: 'dialog.use_buttons' }], reprompt: true });
  const before = str(c.data, 'text');
  return stay({ data: { text: before === undefined ? description : validText(`${before}\n${description}`) }, say: [{ key: 'filing.text_kept_choose' }] });
}

/** The item of a list whose title (in the resident's language) is the typed text, case and spaces aside. */
function typedItem<T extends { id: number }>(items: T[], title: (item: T) => string, text: string): T | undefined {
  const typed = text.trim().replace(/\s+/g, ' ').toLocaleLowerCase();
  return items.find((item) => title(item).toLocaleLowerCase() === typed);
}

/** How many photos of an album or a VK message past MAX_PHOTOS came while the sector or category was chosen. */
const PHOTOS_OVER = 'photosOver';

/** The line for the photos past the limit counted so far (none: nothing), said with the step the choice leads to. */
function photosOverSaid(c: StepContext): View[] {
  const count = num(c.data, PHOTOS_OVER) ?? 0;
  return count > 0 ? [{ key: 'filing.photos_over', params: { count, max: MAX_PHOTOS } }] : [];
}

const DONE_KEYBOARD: View['keyboard'] = { kind: 'inline', rows: [[button('done', 'filing.photos_done')]] };

/** A place for the message: its municipality found by the point (OUTSIDE_MUNICIPALITY otherwise), and the "place accepted" name. */
async function placeData(c: StepContext, place: { lat: number; lon: number }, address: string | null): Promise<{ data: StepData; municipality: string }> {
  const municipality = await findMunicipalityByPoint(c.db, { lat: place.lat, lon: place.lon });
  return { data: { lat: place.lat, lon: place.lon, address, municipalityId: municipality.id }, municipality: municipalityName(municipality, c) };
}

/**
 * The running line of the message's photos (View `slot`): every photo of a Telegram album or a VK
 * message answers with its count, and the album or message gets the line once, with its final count.
 */
const PHOTOS_SLOT = 'filing_photos';

/** A photo's count line ("photo 2 of 5 …"), a running line of PHOTOS_SLOT. */
const photoKept = (key: string, photos: PhotoRef[], keyboard?: View['keyboard']): View => ({
  key,
  params: { count: photos.length, max: MAX_PHOTOS },
  ...(keyboard && { keyboard }),
  slot: PHOTOS_SLOT,
});

/**
 * The running line of the photos of one album or VK message not kept, past MAX_PHOTOS (View `slot`):
 * each such photo answers with the batch's count so far, and the batch gets the line once, with its
 * final count ("not kept: 2 — at most 5"), instead of "the other attachments were not taken".
 */
const PHOTOS_OVER_SLOT = 'filing_photos_over';

/** A photo past MAX_PHOTOS, not kept: the batch's line with its count so far, and the data that counts it. */
function photoOver(c: StepContext): { data: StepData; say: View[] } {
  const { count, data } = photoNotTaken(c);
  return { data, say: [{ key: 'filing.photos_over', params: { count, max: MAX_PHOTOS }, slot: PHOTOS_OVER_SLOT }] };
}

/** Whether `input` is a photo `keepPhoto` does not keep for the limit (five kept already; a repeat is no photo past it). */
const pastLimit = (c: StepContext, input: StepInput) => input.kind === 'photo' && photosOf(c.data).length >= MAX_PHOTOS && !isRepeat(photosOf(c.data), input);

/** A photo at a step that keeps photos: past the limit, the batch's line (photoOver); else the batch marked as taken here (photoTaken). */
const batchAfter = (c: StepContext, input: StepInput): { data: StepData; say: View[] } => (pastLimit(c, input) ? photoOver(c) : { data: photoTaken(c), say: [] });

const locationHint = (c: StepContext) => (c.from.channel === 'vk' ? 'filing.send_location_hint_vk' : 'filing.send_location_hint');

/** The step after one that filled `data`: the first of text, place and photos still missing (filing may start from a shared place). */
function following(c: StepContext, data: StepData): string {
  const all = { ...c.data, ...data };
  if (str(all, 'text') === undefined) return 'text';
  if (num(all, 'lat') === undefined) return 'location';
  return photosOf(all).length >= MAX_PHOTOS ? 'summary' : 'photos';
}

/** After a change made from the summary's Edit menu, go back to the summary. */
const forward = (c: StepContext, nextStep: string, data: StepData, say: View[] = []) => goto(c.data.editing ? 'summary' : nextStep, { data, say });

function idFrom(action: string, prefix: string): number | undefined {
  if (!action.startsWith(prefix)) return undefined;
  const id = Number(action.slice(prefix.length));
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/**
 * Filing a message: sector → category → text → location → up to 5 photos → summary (the point and
 * its municipality, an optional address or landmark in words, open published messages nearby to
 * support instead) → Send / Address / Edit / Cancel.
 */
export const filingFlow: Flow = {
  name: 'filing',
  first: 'sector',
  needsRegistration: true,
  // Anything chosen, written, shared or sent so far is the resident's work: leaving by /start or the menu says it is dropped.
  draft: (data) => (num(data, 'sectorId') !== undefined || str(data, 'text') !== undefined || num(data, 'lat') !== undefined || photosOf(data).length > 0 ? 'filing.draft_discarded' : undefined),
  // The photos of an album or a VK message past the fifth, at the summary the fifth led to (or any
  // step that takes no photo, five kept): counted, and told in one line with the limit. Not a batch
  // whose first photo was refused (no photo of it taken: no count): that one got the step's hint.
  batchPhoto(c) {
    if (photosOf(c.data).length < MAX_PHOTOS || num(c.data, BATCH_PHOTOS_NOT_TAKEN) === undefined) return undefined;
    const over = photoOver(c);
    return stay({ data: over.data, say: over.say });
  },
  steps: {
    sector: {
      accepts: ['button', 'photo', 'text'],
      wrongInput: 'dialog.use_buttons',
      async prompt(c) {
        const size = pageSizeFor(c.from.channel, LIST_PAGE_SIZE, { perRow: 2, fixedButtons: 1, fixedRows: 1 });
        const { items, page, pages } = pageOf(await listSectors(c.db), num(c.data, 'page') ?? 0, size);
        const rows = listRows(items.map((s) => literalButton(`s:${s.id}`, titleIn(s, c.language))), page, pages, 2);
        return [{ key: 'filing.sector', keyboard: { kind: 'inline', rows: [...rows, [CANCEL]] } }];
      },
      async next(c, input) {
        if (input.kind === 'photo') return photoBeforeCategory(c, input);
        const typed = input.kind === 'text' ? typedItem(await listSectors(c.db), (s) => titleIn(s, c.language), input.text) : undefined;
        if (input.kind === 'text' && !typed) return textBeforeCategory(c, input.text);
        const sectorId = typed?.id ?? (input.kind === 'button' ? idFrom(input.action, 's:') : undefined);
        return sectorId ? goto('category', { data: { sectorId, [PHOTOS_OVER]: 0 }, say: photosOverSaid(c) }) : stay({ reprompt: true });
      },
    },
    category: {
      accepts: ['button', 'photo', 'text'],
      wrongInput: 'dialog.use_buttons',
      async prompt(c) {
        const categories = await listCategories(c.db, { sectorId: num(c.data, 'sectorId'), activeOnly: true });
        const size = pageSizeFor(c.from.channel, LIST_PAGE_SIZE, { fixedButtons: 2, fixedRows: 1 });
        const { items, page, pages } = pageOf(categories, num(c.data, 'page') ?? 0, size);
        const rows = listRows(items.map((cat) => literalButton(`c:${cat.id}`, titleIn(cat, c.language))), page, pages);
        return [{ key: 'filing.category', keyboard: { kind: 'inline', rows: [...rows, [button('b', 'dialog.back'), CANCEL]] } }];
      },
      async next(c, input) {
        if (input.kind === 'photo') return photoBeforeCategory(c, input);
        if (input.kind === 'text') {
          const categories = await listCategories(c.db, { sectorId: num(c.data, 'sectorId'), activeOnly: true });
          const typed = typedItem(categories, (cat) => titleIn(cat, c.language), input.text);
          if (!typed) return textBeforeCategory(c, input.text);
          return forward(c, following(c, { categoryId: typed.id }), { categoryId: typed.id, [PHOTOS_OVER]: 0 }, photosOverSaid(c));
        }
        if (input.kind !== 'button') return stay({ reprompt: true });
        if (input.action === 'b') return goto('sector');
        const categoryId = idFrom(input.action, 'c:');
        if (!categoryId) return stay({ reprompt: true });
        const category = await getCategory(c.db, categoryId);
        if (!category.active || category.sectorId !== num(c.data, 'sectorId')) throw new DomainError('CATEGORY_NOT_FOUND', { id: categoryId });
        return forward(c, following(c, { categoryId }), { categoryId, [PHOTOS_OVER]: 0 }, photosOverSaid(c));
      },
    },
    text: {
      accepts: ['text', 'photo'],
      textAnswer: true,
      wrongInput: 'filing.send_text',
      prompt: () => [{ key: 'filing.text', params: { max: MAX_TEXT_LENGTH }, keyboard: { kind: 'inline', rows: [[CANCEL]] } }],
      next(c, input) {
        if (input.kind === 'text') {
          const text = validText(input.text);
          if (!hasWords(text)) return stay({ say: [{ key: 'filing.text_no_words' }], reprompt: true });
          return forward(c, following(c, { text }), { text });
        }
        const photos = keepPhoto(c, input);
        // Past the fifth: the count line stays (the album's next photo says it again), and one line says how many were not kept.
        const over = batchAfter(c, input);
        // A photo with its caption is the description and a photo; without one (or with a caption of no words) the text is still due.
        const caption = input.kind === 'photo' ? input.caption : undefined;
        if (caption?.trim() && hasWords(caption)) {
          const described = { text: validText(caption), photos };
          return forward(c, following(c, described), { ...described, ...over.data }, over.say);
        }
        return stay({ data: { photos, ...over.data }, say: [photoKept('filing.photo_kept_text', photos, { kind: 'inline', rows: [[CANCEL]] }), ...over.say] });
      },
    },
    location: {
      // Text too: coordinates or a map link, where the messenger cannot share a location (desktop apps).
      accepts: ['location', 'photo', 'text'],
      wrongInput: (c) => locationHint(c),
      prompt: (c) => [{ key: c.from.channel === 'vk' ? 'filing.location_vk' : 'filing.location', keyboard: LOCATION_KEYBOARD }],
      async next(c, input) {
        if (input.kind === 'photo') {
          const photos = keepPhoto(c, input);
          const over = batchAfter(c, input);
          // The location button stays: an answer without a keyboard would take it away.
          return stay({ data: { photos, ...over.data }, say: [photoKept('filing.photo_kept_location', photos, LOCATION_KEYBOARD), ...over.say] });
        }
        const typed = input.kind === 'text' ? placeFromText(input.text) : undefined;
        if (input.kind === 'text' && !typed) {
          // Not a place: maybe text a feature takes (the answer to a clarification request), as elsewhere.
          const taken = await freeTextAnswer(c, input.text);
          return stay({ say: taken ?? [{ key: locationHint(c) }], reprompt: !taken });
        }
        const place = input.kind === 'location' ? input : typed;
        if (!place) return stay({ reprompt: true });
        const { data, municipality } = await placeData(c, place, input.kind === 'location' ? (input.address ?? null) : null);
        return forward(c, following(c, data), data, [{ key: 'filing.location_ok', params: { municipality } }]);
      },
    },
    photos: {
      accepts: ['photo', 'button'],
      // The button under the step is «No photos» until a photo is kept, then «Done»: the hint names the one there.
      wrongInput: (c) => (photosOf(c.data).length > 0 ? 'filing.send_photo_or_done' : 'filing.send_photo'),
      prompt(c) {
        // Photos kept earlier (sent with the description or before the place) count here.
        const kept = photosOf(c.data);
        if (kept.length > 0) return [photoKept('filing.photo_added', kept, DONE_KEYBOARD)];
        return [{ key: 'filing.photos', params: { max: MAX_PHOTOS }, keyboard: { kind: 'inline', rows: [[button('done', 'filing.skip_photos')]] } }];
      },
      next(c, input) {
        if (input.kind === 'button') return input.action === 'done' ? goto('summary') : stay({ reprompt: true });
        if (input.kind !== 'photo') return stay({ reprompt: true });
        const photos = photosOf(c.data);
        if (isRepeat(photos, input)) return stay({ say: [photoKept('filing.photo_repeat', photos, DONE_KEYBOARD)] });
        if (photos.length >= MAX_PHOTOS) throw new DomainError('TOO_MANY_PHOTOS', { max: MAX_PHOTOS });
        const next = [...photos, photoRef(input)];
        // The last one allowed: no "send more", the summary follows (where the album's or message's photos past it are told: batchPhoto).
        if (next.length === MAX_PHOTOS) return goto('summary', { data: { photos: next, ...photoTaken(c) }, say: [photoKept('filing.photo_last', next)] });
        return stay({ data: { photos: next, ...photoTaken(c) }, say: [photoKept('filing.photo_added', next, DONE_KEYBOARD)] });
      },
    },
    summary: {
      accepts: ['button'],
      wrongInput: 'filing.summary_hint',
      async prompt(c) {
        const categoryId = num(c.data, 'categoryId')!;
        const point = { lat: num(c.data, 'lat')!, lon: num(c.data, 'lon')! };
        const [category, municipality, nearby] = await Promise.all([
          getCategory(c.db, categoryId),
          getMunicipality(c.db, num(c.data, 'municipalityId')!),
          findNearby(c.db, { categoryId, point, excludeAuthorId: c.resident.id, limit: 3 }),
        ]);
        const nearbyViews: View[] = nearby.map((m) => ({
          key: 'filing.nearby_item',
          params: { messageId: m.id, text: excerpt(m.text, 300), distance: Math.round(m.distanceM), supporters: local('my.supporters', { count: m.supporters }) },
          keyboard: { kind: 'inline', rows: [[button(`sup:${m.id}`, 'filing.support_instead', { messageId: m.id })]] },
        }));
        const summary: View = {
          key: 'filing.summary',
          params: {
            category: titleIn(category, c.language),
            municipality: municipalityName(municipality, c),
            point: pointText(point),
            address: str(c.data, 'address') ?? local('filing.address_none'),
            text: excerpt(str(c.data, 'text') ?? '', 1500),
            photos: local('filing.photo_count', { count: photosOf(c.data).length }),
          },
          keyboard: { kind: 'inline', rows: [[button('send', 'filing.send')], [button('addr', 'filing.add_address')], [button('edit', 'filing.edit'), CANCEL]] },
        };
        return nearby.length > 0 ? [{ key: 'filing.nearby_intro', params: { count: nearby.length } }, ...nearbyViews, summary] : [summary];
      },
      async next(c, input) {
        if (input.kind !== 'button') return stay({ reprompt: true });
        if (input.action === 'edit') return goto('edit');
        if (input.action === 'addr') return goto('address');
        const supportId = idFrom(input.action, 'sup:');
        if (supportId) {
          const { supporters } = await supportMessage(c.db, { residentId: c.resident.id, messageId: supportId }, c.now);
          return end([{ key: 'filing.supported', params: { messageId: supportId, supporters: local('my.supporters', { count: supporters }) } }]);
        }
        if (input.action !== 'send') return stay({ reprompt: true });
        const { message, notice } = await fileMessage(
          c.db,
          {
            residentId: c.resident.id,
            categoryId: num(c.data, 'categoryId')!,
            text: str(c.data, 'text') ?? '',
            point: { lat: num(c.data, 'lat')!, lon: num(c.data, 'lon')! },
            address: str(c.data, 'address') ?? null,
            photos: photosOf(c.data),
            channel: c.from.channel,
          },
          c.now,
        );
        return end([{ key: 'filing.sent', params: { messageId: message.id } }, { key: notice }]);
      },
    },
    address: {
      accepts: ['text', 'button'],
      wrongInput: 'filing.address_hint',
      prompt: (c) => [
        {
          key: 'filing.address',
          params: { max: MAX_ADDRESS_LENGTH },
          keyboard: { kind: 'inline', rows: [[...(str(c.data, 'address') ? [button('clear', 'filing.address_clear')] : []), button('back', 'dialog.back')]] },
        },
      ],
      validate(_c, input) {
        if (input.kind !== 'text') return undefined;
        const length = [...input.text.trim()].length;
        // Too short asks for more, too long for less (with the length, as the description's refusal gives it).
        if (length < MIN_ADDRESS_LENGTH) return { key: 'filing.address_too_short', params: { min: MIN_ADDRESS_LENGTH } };
        return length > MAX_ADDRESS_LENGTH ? { key: 'filing.address_too_long', params: { max: MAX_ADDRESS_LENGTH, length } } : undefined;
      },
      next(_c, input) {
        if (input.kind === 'text') return goto('summary', { data: { address: validText(input.text).replace(/\s+/g, ' ') } });
        if (input.kind === 'button' && input.action === 'clear') return goto('summary', { data: { address: null } });
        return input.kind === 'button' && input.action === 'back' ? goto('summary') : stay({ reprompt: true });
      },
    },
    edit: {
      accepts: ['button'],
      wrongInput: 'dialog.use_buttons',
      prompt: () => [
        {
          key: 'filing.edit_what',
          keyboard: {
            kind: 'inline',
            rows: [[button('cat', 'filing.edit_category'), button('text', 'filing.edit_text')], [button('loc', 'filing.edit_location'), button('ph', 'filing.edit_photos')], [button('back', 'dialog.back')]],
          },
        },
      ],
      next(c, input) {
        const action = input.kind === 'button' ? input.action : '';
        // Photos are replaced, not added to: the resident is told the earlier ones are gone.
        const kept = photosOf(c.data).length;
        if (action === 'ph' && kept > 0) {
          return goto('photos', { data: { editing: true, photos: [] }, say: [{ key: 'filing.photos_removed', params: { photos: local('filing.photo_count', { count: kept }) } }] });
        }
        const targets: Record<string, [string, StepData]> = {
          cat: ['sector', { editing: true }],
          text: ['text', { editing: true }],
          loc: ['location', { editing: true }],
          ph: ['photos', { editing: true, photos: [] }],
          back: ['summary', {}],
        };
        const target = Object.hasOwn(targets, action) ? targets[action] : undefined;
        return target ? goto(target[0], { data: target[1] }) : stay({ reprompt: true });
      },
    },
  },
};

/**
 * A place shared from the main menu starts filing there: the place is kept, and the text of the
 * message the point came in (a VK message with both) as the description; the usual steps ask for the rest.
 */
export async function fileAtPlace(c: StepContext, input: Extract<StepInput, { kind: 'location' }>): Promise<Outcome> {
  const { data, municipality } = await placeData(c, input, input.address ?? null);
  const text = descriptionOf(input.caption);
  if (text === undefined) return enter(filingFlow.name, { data, say: [{ key: 'filing.start_at_place', params: { municipality } }] });
  return enter(filingFlow.name, { data: { ...data, text }, say: [{ key: 'filing.start_at_place_described', params: { municipality } }] });
}

/**
 * A photo sent between flows starts filing with it: the photo is kept, and its caption (the text of
 * the VK message it came in) as the description; the sector and category are asked, then the rest.
 * The other photos of its Telegram album or VK message are kept as they come (the sector and category steps).
 */
export async function fileWithPhoto(_c: StepContext, input: Extract<StepInput, { kind: 'photo' }>): Promise<Outcome> {
  const photos = [photoRef(input)];
  const text = descriptionOf(input.caption);
  if (text === undefined) return enter(filingFlow.name, { data: { photos }, say: [{ key: 'filing.start_with_photo' }] });
  return enter(filingFlow.name, { data: { photos, text }, say: [{ key: 'filing.start_with_photo_described' }] });
}

/** The text that came with a point as a description, or undefined when it cannot be one (no words, too long, unstorable: the text step asks then). */
export function descriptionOf(caption: string | undefined): string | undefined {
  if (caption === undefined || !hasWords(caption)) return undefined;
  try {
    return validText(caption);
  } catch (error) {
    if (error instanceof DomainError) return undefined;
    throw error;
  }
}
