import { positiveIdArg } from '../../../core/dialogs/action-id.ts';
import { DomainError } from '../../../core/errors.ts';
import { getRating, rateMessage } from '../../../core/messages/feedback.service.ts';
import { assertResidentCanView } from '../../../core/messages/message.queries.ts';
import { action } from '../../dialogs/feature.ts';
import { enter, reply, type StepContext } from '../../dialogs/flow.ts';
import { isRegistered, registrationRequired } from '../../dialogs/registration-check.ts';
import type { Button } from '../../dialogs/view.ts';

/** The flow these buttons open (bots/features/my-messages/flow.ts). */
const MESSAGES_FLOW = 'messages';
/**
 * The card is shown again right under its photos (after a comment, or Back from the comment
 * prompt): its photos are not sent again. `false` when a card is opened (from the list, a notification).
 */
export const CARD_AGAIN = 'cardAgain';

const messageId = (args: readonly string[]) => (args.length === 1 ? positiveIdArg(args[0]) : undefined);

/** Opens a message's card (`open`) or its comment prompt (`comment`): only a message the resident may see. */
async function openMessage(c: StepContext, id: number, step: 'card' | 'comment') {
  if (!(await isRegistered(c))) return reply([await registrationRequired(c)]);
  await assertResidentCanView(c.db, c.resident.id, id);
  return enter(MESSAGES_FLOW, { step, data: { messageId: id, [CARD_AGAIN]: false } });
}

/** `!o:<messageId>`: open the message card (notifications, "support instead" lists). */
export const openAction = action<number>({ tag: 'o', encode: (id) => [id], decode: messageId, run: (c, id) => openMessage(c, id, 'card') });

/** `!c:<messageId>`: write a comment on the message (a clarification request, an official's reply). */
export const commentAction = action<number>({ tag: 'c', encode: (id) => [id], decode: messageId, run: (c, id) => openMessage(c, id, 'comment') });

/** `!r:<messageId>:<stars>`: rate a closed message; 1–2 stars ask what is wrong. */
export const rateAction = action<{ messageId: number; stars: number }>({
  tag: 'r',
  encode: (v) => [v.messageId, v.stars],
  decode(args) {
    const id = positiveIdArg(args[0]);
    const stars = Number(args[1]);
    return args.length === 2 && id !== undefined && /^[1-5]$/.test(args[1]!) ? { messageId: id, stars } : undefined;
  },
  async run(c, { messageId: id, stars }) {
    if (!(await isRegistered(c))) return reply([await registrationRequired(c)]);
    try {
      await rateMessage(c.db, { residentId: c.resident.id, messageId: id, stars }, c.now);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'ALREADY_RATED') throw error;
      // A double tap, or the stars of an old notification: the rating given, briefly, where the resident is.
      const given = await getRating(c.db, id);
      return reply([{ key: 'my.already_rated', params: { stars: given?.stars ?? stars } }]);
    }
    if (stars <= 2) return enter(MESSAGES_FLOW, { step: 'complaint', data: { messageId: id }, say: [{ key: 'my.rated_low', params: { stars } }] });
    // A short thanks where the resident is: the chat does not fill with main menus.
    return reply([{ key: 'my.rated', params: { stars } }]);
  },
});

/** One row of 1..5 star buttons for a closed message: the same ids in notifications and cards. */
export function ratingRow(id: number): Button[] {
  return [1, 2, 3, 4, 5].map((stars) => rateAction.button({ messageId: id, stars }, 'my.stars', { stars }));
}
