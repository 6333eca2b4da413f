import { GrammyError, type Api } from 'grammy';
import type { TelegramCall } from './render.ts';

/** Performs one rendered call through grammY. */
export async function performCall(api: Api, call: TelegramCall): Promise<void> {
  switch (call.method) {
    case 'sendMessage':
      await api.raw.sendMessage(call.params);
      return;
    case 'editMessageText':
      await api.raw.editMessageText(call.params);
      return;
    case 'sendPhoto':
      await api.raw.sendPhoto(call.params);
      return;
    case 'sendMediaGroup':
      await api.raw.sendMediaGroup(call.params);
      return;
    case 'sendLocation':
      await api.raw.sendLocation(call.params);
      return;
  }
}

/** Telegram says the user blocked the bot (or deleted the account): delivery is refused for good. */
export function isBlocked(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 403;
}

/** Seconds Telegram asks us to wait (429), if that is what the error is. */
export function retryAfter(error: unknown): number | undefined {
  return error instanceof GrammyError && error.error_code === 429 ? error.parameters.retry_after : undefined;
}

export { safeError } from '../safe-error.ts';
