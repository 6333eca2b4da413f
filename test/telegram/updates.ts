/** A Telegram text update template for the Telegram-only tests (the Conversation completes ids, sender and chat). */
export const text = (value: string) => ({ message: { text: value } });

export { newUser } from './conversation.ts';
