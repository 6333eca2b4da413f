import { storableText } from '../../core/text/unsafe-text.ts';
import { stay, type Flow, type StepContext } from './flow.ts';
import { ATTACHMENTS_NOT_TAKEN } from './input.ts';
import { isMenuLabel, mainMenu } from './menu.ts';
import { isRegistered } from './registration-check.ts';
import { IDLE_FLOW } from './registry.ts';
import type { TextOffer } from './state.ts';
import type { View } from './view.ts';

/** Idle's data while a VK message's photo follows its text (DialogInput text `photoFollows`). */
const PHOTO_AWAITED = 'photoAwaited';

/** Text no step asked for, offered to the features in registry order (e.g. an answer to a clarification request). */
export async function freeTextAnswer(c: StepContext, text: string): Promise<View[] | undefined> {
  for (const feature of c.features.list) {
    const views = await feature.freeText?.(c, text);
    if (views) return views;
  }
  return undefined;
}

/** How long a text offered between flows (BotFeature.textOffer) is kept for its button: a day, then the button starts afresh. */
export const OFFER_TTL_MS = 24 * 60 * 60_000;

/** The chat's kept offer, unless it expired (then it is dropped with the turn's save). */
export const liveOffer = (offer: TextOffer | undefined, now: Date): TextOffer | undefined => (offer && now.getTime() - offer.at <= OFFER_TTL_MS ? offer : undefined);

/**
 * The text offered with the button of `offerId`, taken: it is offered no more. Undefined when that
 * offer expired, was taken already, or a later text was offered since (an older button).
 */
export function takeTextOffer(c: StepContext, offerId: string): string | undefined {
  const offer = liveOffer(c.offer, c.now);
  if (offer?.id !== offerId) return undefined;
  delete c.offer;
  return offer.text;
}

/**
 * Text no feature took and no menu label: the first feature's offer to start something with it
 * (BotFeature.textOffer), the text kept for the offer's button. Its id is the moment it was made
 * (base 36): a chat's turns are one at a time, so no two offers of a chat share it.
 */
async function textOffer(c: StepContext, text: string): Promise<View[] | undefined> {
  if (isMenuLabel(c, text)) return undefined;
  const id = c.now.getTime().toString(36);
  for (const feature of c.features.list) {
    const views = await feature.textOffer?.(c, text, id);
    if (!views) continue;
    // Kept in the state's jsonb: made storable (a feature offers on a text it can use, which is storable already).
    c.offer = { id, text: storableText(text), at: c.now.getTime() };
    return views;
  }
  return undefined;
}

/** What an account that is not a registered resident is told between flows: a feature's hint (officials get theirs), else "send /start". */
async function unregisteredHint(c: StepContext): Promise<View> {
  for (const feature of c.features.list) {
    const hint = await feature.idleHint?.(c);
    if (hint) return hint;
  }
  return { key: 'dialog.start_hint' };
}

/** Idle's screen: the main menu for a registered resident, a hint for anybody else. */
async function idlePrompt(c: StepContext): Promise<View> {
  return (await isRegistered(c)) ? await mainMenu(c) : await unregisteredHint(c);
}

/**
 * Between flows: the main menu for a registered resident, a hint for anybody else. Free text a
 * feature takes (freeText) goes there, else a feature may offer to act on it (textOffer); anything
 * else gets a short hint and the menu.
 */
export const idleFlow: Flow = {
  name: IDLE_FLOW,
  first: 'idle',
  needsRegistration: false,
  steps: {
    idle: {
      accepts: ['text', 'location', 'photo', 'contact', 'other', 'button'],
      prompt: async (c) => [await idlePrompt(c)],
      async next(c, input) {
        // Set by the text of a VK message whose photo comes next (its caption): only for that photo.
        const photoAwaited = c.data[PHOTO_AWAITED] === true;
        delete c.data[PHOTO_AWAITED];
        // Idle's data carries what is under way from one input to the next (a VK text's photo, a
        // clarification reply's parts sent one by one): a command, a text no feature takes, a
        // contact, anything else the resident sends on its own ends it (commands and buttons:
        // engine.ts too), so a photo after it starts anew.
        const ends = (input.kind === 'text' && !input.photoFollows) || input.kind === 'contact' || (input.kind === 'other' && !input.alongside);
        // A command's word typed instead of it («Помощь» for /help; Command.words).
        const command = input.kind === 'text' ? c.features.commandWord(input.text) : undefined;
        if (ends && (command || input.kind !== 'text')) c.data = {};
        if (command) return command.run(c, undefined);
        // A step's button that reached idle carries the current version only by chance (a chat that
        // never had a dialog is at version 1, as every first step is): no step offers it, so it is out
        // of date, as a stale button is anywhere else (engine.ts outdated), not a thing not understood.
        if (input.kind === 'button') return stay({ say: [{ key: 'dialog.outdated' }, await idlePrompt(c)] });
        // A point that came with a command (a VK message «Меню» or /help with a place attached): the
        // command was the message's answer, as it is for a photo with one; the point is not taken (no
        // clarification reply, no filing at it). Only a command leaves such a point without the text as its caption.
        if (input.kind === 'location' && input.alongside && (input.caption === undefined || c.features.commandWord(input.caption))) return stay({ say: [{ key: ATTACHMENTS_NOT_TAKEN }] });
        if (!(await isRegistered(c))) return stay({ say: [await unregisteredHint(c)] });
        // A VK text whose photo comes next is that photo's caption: the photo answers with both (freeAttachment, idlePhoto).
        const taken = input.kind === 'text' && !input.photoFollows ? await freeTextAnswer(c, input.text) : undefined;
        if (taken) return stay({ say: taken });
        if (ends) c.data = {};
        // A VK text with a photo: the photo, next, carries it and starts filing; the text gets no answer of its own.
        if (input.kind === 'text' && input.photoFollows) return stay({ data: { [PHOTO_AWAITED]: true } });
        // Words of the resident's own a feature may offer to act on (a problem described: report it).
        const offered = input.kind === 'text' ? await textOffer(c, input.text) : undefined;
        if (offered) return stay({ say: offered });
        // A photo or a place some feature answers first (the reply to a clarification request, with a
        // VK message's later photos, which carry no caption, and a Telegram album's next ones).
        const laterPhoto = input.kind === 'photo' && input.alongside === true && !input.caption;
        if ((input.kind === 'photo' || input.kind === 'location') && (!input.alongside || photoAwaited || input.kind === 'location' || laterPhoto)) {
          for (const feature of c.features.list) {
            const answered = await feature.freeAttachment?.(c, input);
            if (answered) return stay({ say: answered });
          }
        }
        // A photo (with the words sent with it) starts filing: a Telegram photo, or a VK message's first photo.
        if (input.kind === 'photo' && (!input.alongside || photoAwaited)) {
          for (const feature of c.features.list) {
            const started = await feature.idlePhoto?.(c, input);
            if (started) return started;
          }
        }
        // The message's text was answered already (the menu, or what a feature took it for); a point
        // attached to it still starts filing there.
        if (input.kind !== 'location' && input.alongside) return stay({ say: [{ key: ATTACHMENTS_NOT_TAKEN }] });
        if (input.kind === 'location') {
          for (const feature of c.features.list) {
            const started = await feature.idleLocation?.(c, input);
            if (started) return started;
          }
        }
        if (input.kind === 'other' && !input.alongside) {
          for (const feature of c.features.list) {
            const answered = await feature.idleOther?.(c);
            if (answered) return stay({ say: answered });
          }
        }
        const hint = input.kind === 'other' && input.what !== 'unsupported' ? 'dialog.hint_not_supported' : 'dialog.hint';
        return stay({ say: [{ key: hint }, await mainMenu(c)] });
      },
    },
  },
};
