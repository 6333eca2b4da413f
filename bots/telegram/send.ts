import { InputFile, type Api } from 'grammy';
import type { Message } from 'grammy/types';
import { fileNameOf, resolveStored, sendTogether, uploadOnce, type StoredMediaDeps } from '../media/stored-media.ts';
import type { TelegramCall } from './render.ts';

/**
 * Performs one rendered call through grammY; stored media needs the store (`media`). Returns the
 * id of the message a text call shows (sent, or edited: it keeps its id), for a running line's record.
 */
export async function performCall(api: Api, call: TelegramCall, media?: StoredMediaDeps): Promise<number | undefined> {
  switch (call.method) {
    case 'sendMessage':
      return (await api.raw.sendMessage(call.params)).message_id;
    case 'editMessageText':
      await api.raw.editMessageText(call.params);
      return call.params.message_id;
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
    case 'sendStoredMedia':
      if (!media) throw new Error('stored media cannot be sent without the media store');
      await sendStoredMedia(api, call.params.chat_id, call.params.media, media);
      return;
    case 'sendStoredMediaGroup':
      if (!media) throw new Error('stored media cannot be sent without the media store');
      await sendStoredMediaGroup(api, call.params.chat_id, call.params.media, media);
      return;
  }
}

/**
 * 2–10 stored files as one album (sendMediaGroup: one call, one message per file in its answer):
 * files uploaded to Telegram before go by file_id, the others are uploaded with this call and their
 * file_ids, read from the answer's messages in order, are kept for every later send.
 */
async function sendStoredMediaGroup(api: Api, chatId: string, mediaIds: number[], deps: StoredMediaDeps): Promise<void> {
  await sendTogether(deps, 'tg', mediaIds, async (items) => {
    const messages = await api.raw.sendMediaGroup({
      chat_id: chatId,
      media: items.map(({ media, file }) => {
        const input = typeof file === 'string' ? file : new InputFile(file, fileNameOf(media));
        return media.kind === 'image' ? { type: 'photo' as const, media: input } : { type: 'video' as const, media: input, supports_streaming: true };
      }),
    });
    if (messages.length !== items.length) throw new Error(`Telegram answered an album of ${items.length} with ${messages.length} messages`);
    return messages.map((message, i) => {
      const shown = message as { photo?: { file_id: string }[]; video?: { file_id: string } };
      return items[i]!.media.kind === 'image' ? shown.photo?.at(-1)?.file_id : shown.video?.file_id;
    });
  });
}

export { safeError } from '../safe-error.ts';

/**
 * A stored file to a chat: by Telegram's file_id when the content was uploaded before, else
 * uploaded with this very send (its file_id then kept for every later send).
 */
async function sendStoredMedia(api: Api, chatId: string, mediaId: number, deps: StoredMediaDeps): Promise<void> {
  const { media, ref } = await resolveStored(deps, 'tg', mediaId);
  const send = (file: string | InputFile): Promise<Message> =>
    media.kind === 'image' ? api.raw.sendPhoto({ chat_id: chatId, photo: file }) : api.raw.sendVideo({ chat_id: chatId, video: file, supports_streaming: true });
  if (ref) {
    await send(ref);
    return;
  }
  let sentByUpload = false;
  const fileId = await uploadOnce(deps, 'tg', media, async (bytes) => {
    sentByUpload = true;
    const message = await send(new InputFile(bytes, fileNameOf(media)));
    const id = media.kind === 'image' ? message.photo?.at(-1)?.file_id : message.video?.file_id;
    if (!id) throw new Error('Telegram returned no file id for an upload');
    return id;
  });
  if (!sentByUpload) await send(fileId);
}
