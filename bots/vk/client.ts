import { sql } from 'kysely';
import type { Db } from '../../core/db/types.ts';

/**
 * What a resident's VK app can show, as the `client_info` of each message_new tells (VK, bots
 * docs, "Информация о доступных пользователю функциях"): `button_actions`, the button types the
 * app supports (text, location, callback, open_link…); `keyboard`, whether it shows bot keyboards
 * at all; `inline_keyboard`, whether it shows keyboards inside messages. Old and limited apps say
 * no to some: a callback button (message_event, no message) or an inline keyboard they cannot show
 * would leave the resident stuck, so views are rendered for what the chat's app can do (render.ts).
 */
export type VkClient = {
  keyboard: boolean;
  inline: boolean;
  /** `callback` among button_actions. */
  callback: boolean;
  /** `text` among button_actions: a button that sends its label as a message, with our payload. */
  text: boolean;
  /** `location` among button_actions. */
  location: boolean;
};

/**
 * How a chat's inline keyboards are shown:
 * - `callback`: inline keyboards of callback buttons (capabilities unknown, or all there: as always);
 * - `inline-text`: inline keyboards of text buttons (no callback): a press is a message_new whose
 *   payload carries the same button id, handled as the callback's press;
 * - `regular`: no inline keyboards: the row's buttons on one one-time regular keyboard of text buttons;
 * - `numbered`: no keyboards (or more buttons than a regular keyboard holds): the options numbered in
 *   the text, answered by typing the number (the chat's options are stored, VkChatClient.options).
 */
export type VkMode = 'callback' | 'inline-text' | 'regular' | 'numbered';

/** The client as stored per chat (dialog_state.client), with the options last shown numbered. */
export type VkChatClient = VkClient & {
  /** Button ids of the numbered options last sent to the chat, in order: the typed number n is the n-th. */
  options?: string[];
};

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A message_new's client_info as VkClient; undefined when it says nothing about buttons (missing,
 * malformed, or only lang_id): capabilities unknown.
 */
export function vkClientOf(clientInfo: unknown): VkClient | undefined {
  if (!isObject(clientInfo)) return undefined;
  const actions = Array.isArray(clientInfo.button_actions) ? clientInfo.button_actions.filter((a): a is string => typeof a === 'string') : undefined;
  const keyboard = typeof clientInfo.keyboard === 'boolean' ? clientInfo.keyboard : undefined;
  const inline = typeof clientInfo.inline_keyboard === 'boolean' ? clientInfo.inline_keyboard : undefined;
  if (actions === undefined && keyboard === undefined && inline === undefined) return undefined;
  return {
    keyboard: keyboard ?? true,
    inline: inline ?? true,
    // A client_info without button_actions says nothing against any button type.
    callback: actions?.includes('callback') ?? true,
    text: actions?.includes('text') ?? true,
    location: actions?.includes('location') ?? true,
  };
}

/** A stored dialog_state.client as VkChatClient (undefined when unknown or malformed). */
export function storedVkClient(value: unknown): VkChatClient | undefined {
  if (!isObject(value)) return undefined;
  const flags = ['keyboard', 'inline', 'callback', 'text', 'location'] as const;
  if (!flags.every((f) => typeof value[f] === 'boolean')) return undefined;
  const options = Array.isArray(value.options) && value.options.every((o) => typeof o === 'string') ? { options: value.options as string[] } : {};
  return { keyboard: value.keyboard as boolean, inline: value.inline as boolean, callback: value.callback as boolean, text: value.text as boolean, location: value.location as boolean, ...options };
}

export function vkModeOf(client: VkClient | undefined): VkMode {
  if (!client) return 'callback';
  if (client.inline && client.callback) return 'callback';
  if (client.inline && client.text) return 'inline-text';
  if (client.keyboard && client.text) return 'regular';
  return 'numbered';
}

export const sameVkClient = (a: VkClient | undefined, b: VkClient | undefined): boolean =>
  a !== undefined && b !== undefined && a.keyboard === b.keyboard && a.inline === b.inline && a.callback === b.callback && a.text === b.text && a.location === b.location;

/** Only the capability flags (no options): what a reply row carries (OutboxPayload.client). */
export const vkClientFlags = ({ keyboard, inline, callback, text, location }: VkClient): VkClient => ({ keyboard, inline, callback, text, location });

/**
 * Stores the chat's client as its message said, when it changed (in the turn's transaction, the
 * state row locked). Options shown earlier are dropped: they were for another app.
 */
export async function storeVkClient(db: Db, externalId: string, client: VkClient): Promise<void> {
  await db
    .updateTable('dialog_state')
    .set({ client: JSON.stringify(vkClientFlags(client)) })
    .where('channel', '=', 'vk')
    .where('external_id', '=', externalId)
    .execute();
}

/** The chat's stored client (the sender renders a notification with it); undefined when unknown. */
export async function loadVkClient(db: Db, chatId: string): Promise<VkChatClient | undefined> {
  const row = await db.selectFrom('dialog_state').select('client').where('channel', '=', 'vk').where('external_id', '=', chatId).executeTakeFirst();
  return storedVkClient(row?.client);
}

/**
 * The numbered options a row shows, stored before it is sent (so a number typed after it is seen
 * finds them): the chat's earlier options are replaced; none clears them (no write when there are
 * none to clear). Nothing when the chat has no state row.
 */
export async function storeVkOptions(db: Db, chatId: string, options: string[]): Promise<void> {
  if (options.length === 0) {
    await db
      .updateTable('dialog_state')
      .set({ client: sql<string>`client - 'options'` })
      .where('channel', '=', 'vk')
      .where('external_id', '=', chatId)
      .where(sql<boolean>`client -> 'options' IS NOT NULL`)
      .execute();
    return;
  }
  await db
    .updateTable('dialog_state')
    .set({ client: sql<string>`coalesce(client, '{}'::jsonb) || ${JSON.stringify({ options })}::jsonb` })
    .where('channel', '=', 'vk')
    .where('external_id', '=', chatId)
    .where('client', 'is not', null)
    .execute();
}

/** A typed answer to numbered options: "2", "2.", "№2", " 2 ". */
const NUMBER = /^\s*(?:№\s*)?(\d{1,2})[.)]?\s*$/;

/** The button id a typed number stands for among the chat's numbered options, if it is one. */
export function numberedChoice(text: string, client: VkChatClient | undefined): string | undefined {
  const options = client?.options;
  if (!options || options.length === 0) return undefined;
  const match = NUMBER.exec(text);
  if (!match) return undefined;
  return options[Number(match[1]) - 1];
}
