import type { Api } from 'grammy';
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
    case 'answerCallbackQuery':
      await api.raw.answerCallbackQuery(call.params);
      return;
  }
}

export { safeError } from '../safe-error.ts';
