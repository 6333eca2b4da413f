import type { Api } from 'grammy';
import type { BotCommand } from 'grammy/types';
import type { Language } from '../../core/db/types.ts';
import type { Features } from '../dialogs/registry.ts';
import type { Translate } from '../i18n.ts';

const PUBLISH_TIMEOUT_MS = 10_000;

/** The command menu Telegram shows next to the input field: the features' described commands, in one language. */
export function commandMenu(features: Features, t: Translate, language: Language): BotCommand[] {
  return features.described.map((c) => ({ command: c.name, description: t(language, c.description) }));
}

/** Publishes the command menu: Russian as the default, English for clients set to English. */
export async function publishCommands(api: Api, features: Features, t: Translate): Promise<void> {
  // grammY's signal type is not the DOM's AbortSignal: an abort controller of its own shape, bridged.
  const signal = () => AbortSignal.timeout(PUBLISH_TIMEOUT_MS) as unknown as Parameters<Api['setMyCommands']>[2];
  await api.setMyCommands(commandMenu(features, t, 'ru'), {}, signal());
  await api.setMyCommands(commandMenu(features, t, 'en'), { language_code: 'en' }, signal());
}
