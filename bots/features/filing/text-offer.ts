import { LANGUAGES } from '../../../core/db/types.ts';
import { action } from '../../dialogs/feature.ts';
import { enter, stay, str, num, type StepContext } from '../../dialogs/flow.ts';
import { takeTextOffer } from '../../dialogs/idle.ts';
import { isTypedLabel } from '../../dialogs/menu.ts';
import { isRegistered } from '../../dialogs/registration-check.ts';
import type { View } from '../../dialogs/view.ts';
import { backToMenuButton } from '../basics/back-to-menu.ts';
import { descriptionOf, filingFlow, hasWords } from './flow.ts';

/** Filing's data: the offer whose button started this filing, and when (a second press of it is no new start). */
const FROM_OFFER = 'fromOffer';
const FROM_OFFER_AT = 'fromOfferAt';
/** A second press of the button within this is the same press (a double tap), answered quietly, as the engine does for step buttons. */
const DOUBLE_PRESS_MS = 60_000;

const MIN_WORDS = 3;
const OFFER_LABEL = 'filing.file_with_text';

/**
 * Whether a text sent between flows reads as a problem described («На улице Ленина 5 третий день не
 * вывозят мусор»): at least three words and three letters, within a description's limits, not a
 * question (those want an answer, not a report), not a command, nor the offer's own button label
 * (a VK app that sends a label without its payload). Command words and menu labels never get here.
 */
function looksLikeProblem(c: StepContext, text: string): boolean {
  const trimmed = text.trim();
  if (trimmed.startsWith('/') || /\?[^\p{L}\p{N}]*$/u.test(trimmed)) return false;
  if (trimmed.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length < MIN_WORDS || !hasWords(trimmed)) return false;
  if (c.features.commandWord(trimmed) || LANGUAGES.some((language) => isTypedLabel(trimmed, c.t(language, OFFER_LABEL)))) return false;
  return descriptionOf(trimmed) !== undefined;
}

/** `!ft:<offer id>`: file a message with the text offered between flows as its description. */
export const fileTextAction = action<string>({
  tag: 'ft',
  encode: (id) => [id],
  decode: (args) => (args.length === 1 && /^[0-9a-z]{1,12}$/.test(args[0]!) ? args[0] : undefined),
  async run(c, id) {
    // Pressed again while the filing it started is under way: a double tap is quiet, a later press shows where the resident is.
    if (c.position.flow === filingFlow.name && str(c.data, FROM_OFFER) === id) {
      const pressed = num(c.data, FROM_OFFER_AT) ?? 0;
      return c.now.getTime() - pressed <= DOUBLE_PRESS_MS ? stay() : stay({ reprompt: true });
    }
    const offered = (await isRegistered(c)) ? takeTextOffer(c, id) : undefined;
    const text = descriptionOf(offered);
    // Expired, taken already or an older offer's button: filing starts as from the menu, nothing said against the press.
    if (text === undefined) return enter(filingFlow.name);
    return enter(filingFlow.name, { data: { text, [FROM_OFFER]: id, [FROM_OFFER_AT]: c.now.getTime() }, say: [{ key: 'filing.start_with_text' }] });
  },
});

/** A problem described between flows: a short hint and the button that files it (BotFeature.textOffer). */
export function offerFiling(c: StepContext, text: string, offerId: string): View[] | undefined {
  if (!looksLikeProblem(c, text)) return undefined;
  return [{ key: 'filing.text_offer', keyboard: { kind: 'inline', rows: [[fileTextAction.button(offerId, OFFER_LABEL)], [backToMenuButton()]] } }];
}
