/** A Telegram text update template for the Telegram-only tests (the Conversation completes ids, sender and chat). */
export const text = (value: string) => ({ message: { text: value } });

export { newUser } from './conversation.ts';

/** A whole `/start` update from a resident's private chat, as Telegram posts it to a webhook (for tests that post it themselves). */
export function startCommandUpdate(updateId: number, userId: number, firstName: string, date = Math.floor(Date.now() / 1000)) {
  const from = { id: userId, is_bot: false, first_name: firstName, language_code: 'ru' };
  return {
    update_id: updateId,
    message: {
      message_id: 1,
      date,
      chat: { id: userId, type: 'private', first_name: firstName },
      from,
      text: '/start',
      entities: [{ type: 'bot_command', offset: 0, length: 6 }],
    },
  };
}
