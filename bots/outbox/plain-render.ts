import type { Language } from '../../core/db/types.ts';
import type { OutboxPayload } from '../../core/outbox/outbox.table.ts';
import type { Translate } from '../i18n.ts';

/** The row's text in the recipient's language (Russian when the payload does not say). */
export function payloadText(translate: Translate, payload: OutboxPayload): string {
  const language: Language = payload.language === 'en' ? 'en' : 'ru';
  return translate(language, payload.key, payload.params);
}

/**
 * A renderer without keyboards, so the senders work standalone; the messengers' own renderers
 * (bots/telegram/render.ts, bots/vk) replace it when the app wires them.
 */
export function createPlainTextRender(translate: Translate): (row: { payload: OutboxPayload }) => { message: string }[] {
  return (row) => [{ message: payloadText(translate, row.payload) }];
}
