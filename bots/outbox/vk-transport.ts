import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { API, APIRequest } from 'vk-io';
import type { ClaimedRow } from '../../core/outbox/outbox.queue.ts';
import { fileNameOf, resolveStored, uploadOnce, type StoredMediaDeps } from '../media/stored-media.ts';
import { WALL_COMMENT_KIND, type WallCommentParams } from '../../core/incidents/publish.ts';
import { describeError, type BeforeCall, type SendOutcome, type Transport } from './transport.ts';

/**
 * What a VK renderer makes of a row: its messages in order, messages.send parameters without
 * peer_id and random_id (text, keyboard JSON, attachment, lat/long). bots/vk/render.ts
 * `vkChatRender` is the app's (for each chat's app); the plain-text default serves standalone senders.
 */
export interface VkMessage {
  message: string;
  /** Stored media ids: uploaded (once per content) and added to `attachment` at send time. */
  media?: number[];
  keyboard?: string;
  attachment?: string;
  lat?: number;
  long?: number;
}
/**
 * Parts of a direct reply beyond messages.send: the answer to a callback button (stops its spinner;
 * refused once the press is older than a minute, which is fine) and a paging edit, with the message
 * to send instead when the original can no longer be edited.
 */
export type VkSpecialCall =
  | { method: 'messages.sendMessageEventAnswer'; params: { event_id: string; user_id: number; peer_id: number } }
  | { method: 'messages.edit'; params: { conversation_message_id: number; message: string; keyboard?: string }; fallback: VkMessage };
/** A part of a row: a message to send, or one of the special calls of a reply. */
export type VkPart = VkMessage | VkSpecialCall;
/**
 * A row's parts. It may read and write the database (bots/vk/render.ts vkChatRender: the chat's app
 * capabilities, its numbered options): an error marked `transient: true` (the database did not
 * answer) is retried, any other failure of a render is permanent.
 */
export type VkRender = (row: Pick<ClaimedRow, 'kind' | 'chat_id' | 'payload'>) => VkPart[] | Promise<VkPart[]>;

/** A render that failed for a reason outside the row (the database): the row is tried again. */
export class TransientRenderError extends Error {
  readonly transient = true;
}

const isSpecial = (part: VkPart): part is VkSpecialCall => 'method' in part;

export interface VkTransportOptions {
  token: string;
  apiBaseUrl?: string;
  render: VkRender;
  timeoutMs: number;
  /** Stored media (announcements' photos and videos); without it rows that carry media fail. */
  media?: StoredMediaDeps;
  /** The community (positive id) that comments under its wall posts (wall.comment rows). */
  groupId?: number;
}

/** The guid of a wall.comment row's wall.createComment: stable across retries of the row. */
export const wallCommentGuid = (rowId: number): string => `otklik-outbox-${rowId}`;

/** VK peer ids of group conversations start at 2e9. */
const CHAT_PEER_OFFSET = 2_000_000_000;

/** Error codes of messages.send that mean "this recipient cannot be written to". */
const UNREACHABLE = new Set([
  900, // the user blacklisted the community
  901, // the user has not allowed messages from the community
  902, // privacy settings
  917, // the community has no access to the conversation
  945, // the conversation is disabled
]);
const RATE_LIMITED = new Map([
  [6, 1000], // too many requests per second
  [29, 60_000], // method rate limit reached
]);
/**
 * 9 "Flood control: too much messages sent to user": that recipient's own limit, lifted after
 * minutes. Only their row waits (not counted as an attempt); the channel keeps its pace for everyone else.
 */
const FLOOD_CONTROL = { code: 9, retryAfterMs: 60_000 } as const;
const TRANSIENT = new Set([1, 10]); // unknown error, internal server error
const TOKEN_REFUSED = new Set([5, 27, 28]); // authorisation failed, group/app token invalid

/**
 * The row id is the random_id of a row's first message (its first messages.send part): VK ignores a second messages.send with the
 * same random_id to the same peer, so a retry after a timeout or a crash between send and settle is
 * not shown twice. Outbox ids are int4, inside random_id's int32 range. Further parts of a long row
 * (rare: a text over 4096 characters, a keyboard over VK's limits) go with random_id 0; a retry
 * resumes after `sent_parts`, so only a lost answer on such a part could show it twice.
 */
export const randomIdOf = (rowId: number): number => rowId;

/**
 * Sends outbox rows through vk-io. Each call is made with vk-io's APIRequest.make() directly, not
 * through API's queue: that queue paces at apiLimit and silently retries error 6 and network
 * failures, and the outbox must see every answer to pace the channel and count attempts itself.
 */
export function createVkTransport(options: VkTransportOptions): Transport {
  const baseUrl = options.apiBaseUrl ?? 'https://api.vk.com/method';
  // node-fetch refuses an https agent for an http URL (the local fake in tests); vk-io's type
  // says https.Agent, but it only hands the agent to node-fetch, which takes either.
  const agent = baseUrl.startsWith('http:') ? new HttpAgent({ keepAlive: true }) : new HttpsAgent({ keepAlive: true });
  const api = new API({ token: options.token, apiBaseUrl: baseUrl, agent: agent as HttpsAgent, apiTimeout: options.timeoutMs, apiRetryLimit: 0 });

  /** One API call: its response, or how its failure is to be handled. */
  async function request(method: string, params: Record<string, unknown>): Promise<{ response: unknown } | { outcome: SendOutcome }> {
    let answer: { response?: unknown; error?: { error_code?: number; error_msg?: string } };
    try {
      answer = await new APIRequest({ api, method, params }).make();
    } catch (error) {
      return { outcome: { kind: 'transient', error: describeError(error), partsDone: 0 } };
    }
    return answer.error ? { outcome: classify(Number(answer.error.error_code), String(answer.error.error_msg ?? '')) } : { response: answer.response };
  }

  async function must<T>(method: string, params: Record<string, unknown>, beforeCall: BeforeCall): Promise<T> {
    await beforeCall();
    const answer = await request(method, params);
    if ('outcome' in answer) throw new VkCallFailed(answer.outcome);
    return answer.response as T;
  }

  /**
   * A stored file as a VK attachment: reused when the content was uploaded to VK before; else
   * uploaded once (photos: photos.getMessagesUploadServer → upload → photos.saveMessagesPhoto;
   * videos as documents: docs.getMessagesUploadServer → upload → docs.save), each API call paced.
   */
  async function storedAttachment(mediaId: number, peerId: number, beforeCall: BeforeCall): Promise<string> {
    if (!options.media) throw new Error('stored media cannot be sent without the media store');
    const deps = options.media;
    const { media, ref } = await resolveStored(deps, 'vk', mediaId);
    if (ref) return ref;
    return uploadOnce(deps, 'vk', media, async (bytes) => {
      const image = media.kind === 'image';
      const server = image
        ? await must<{ upload_url: string }>('photos.getMessagesUploadServer', { peer_id: peerId }, beforeCall)
        : await must<{ upload_url: string }>('docs.getMessagesUploadServer', { peer_id: peerId, type: 'doc' }, beforeCall);
      const form = new FormData();
      form.append(image ? 'photo' : 'file', new Blob([bytes.slice().buffer], { type: media.mime }), fileNameOf(media));
      const uploaded = await fetch(server.upload_url, { method: 'POST', body: form, signal: AbortSignal.timeout(options.timeoutMs) });
      if (!uploaded.ok) throw new VkCallFailed({ kind: 'transient', error: `VK upload answered ${uploaded.status}`, partsDone: 0 });
      const body = (await uploaded.json()) as Record<string, unknown>;
      if (image) {
        const [photo] = await must<{ owner_id: number; id: number; access_key?: string }[]>('photos.saveMessagesPhoto', { server: body.server, photo: body.photo, hash: body.hash }, beforeCall);
        if (!photo) throw new Error('VK saved no photo');
        return `photo${photo.owner_id}_${photo.id}${photo.access_key ? `_${photo.access_key}` : ''}`;
      }
      const saved = await must<{ doc?: { owner_id: number; id: number } }>('docs.save', { file: body.file }, beforeCall);
      if (!saved.doc) throw new Error('VK saved no document');
      return `doc${saved.doc.owner_id}_${saved.doc.id}`;
    });
  }

  /**
   * An approved answer as a comment of the community under a post of its wall (core/incidents).
   * The guid is the row's: VK answers a repeated guid with the first comment instead of posting
   * again, so a retry after a lost answer or a crash between the call and the settle posts once.
   */
  async function sendWallComment(row: ClaimedRow, beforeCall: BeforeCall): Promise<SendOutcome> {
    const p = (row.payload.params ?? {}) as Partial<WallCommentParams>;
    if (typeof p.ownerId !== 'number' || typeof p.postId !== 'number' || typeof p.text !== 'string') {
      return { kind: 'permanent', error: 'wall.comment row without owner, post or text', partsDone: 0 };
    }
    await beforeCall();
    const answer = await request('wall.createComment', {
      owner_id: p.ownerId,
      post_id: p.postId,
      message: p.text,
      ...(options.groupId !== undefined && { from_group: options.groupId }),
      ...(p.replyToComment !== undefined && { reply_to_comment: p.replyToComment }),
      guid: wallCommentGuid(row.id),
    });
    if ('outcome' in answer) return { ...answer.outcome, partsDone: 0 };
    return { kind: 'sent', partsDone: 1 };
  }

  return {
    channel: 'vk',
    isGroupChat: (chatId) => Number(chatId) >= CHAT_PEER_OFFSET,
    async send(row: ClaimedRow, beforeCall: BeforeCall): Promise<SendOutcome> {
      if (row.kind === WALL_COMMENT_KIND) return sendWallComment(row, beforeCall);
      let parts: VkPart[];
      try {
        parts = await options.render(row);
      } catch (error) {
        if (error instanceof TransientRenderError) return { kind: 'transient', error: `render failed: ${describeError(error)}`, partsDone: row.sent_parts };
        return { kind: 'permanent', error: `render failed: ${describeError(error)}`, partsDone: row.sent_parts };
      }
      const peer_id = Number(row.chat_id);
      const firstSend = parts.findIndex((p) => !isSpecial(p));
      const call = async (method: string, params: Record<string, unknown>): Promise<SendOutcome | undefined> => {
        const answer = await request(method, params);
        return 'outcome' in answer ? answer.outcome : undefined;
      };
      const send = async (message: VkMessage, index: number): Promise<SendOutcome | undefined> => {
        const { media, ...params } = message;
        const attachments = params.attachment ? [params.attachment] : [];
        for (const id of media ?? []) {
          try {
            attachments.push(await storedAttachment(id, peer_id, beforeCall));
          } catch (error) {
            return error instanceof VkCallFailed ? error.outcome : { kind: 'transient', error: describeError(error), partsDone: 0 };
          }
        }
        return call('messages.send', {
          peer_id,
          random_id: index === firstSend ? randomIdOf(row.id) : 0,
          dont_parse_links: 1,
          ...params,
          ...(attachments.length > 0 && { attachment: attachments.join(',') }),
        });
      };
      let done = row.sent_parts;
      for (; done < parts.length; done++) {
        const part = parts[done]!;
        await beforeCall();
        let failed: SendOutcome | undefined;
        if (!isSpecial(part)) failed = await send(part, done);
        else {
          failed = await call(part.method, { peer_id, ...part.params });
          // A button answer that VK refuses (too old) is skipped; an edit VK refuses becomes a new message.
          if (failed?.kind === 'permanent' && part.method === 'messages.sendMessageEventAnswer') failed = undefined;
          if (failed?.kind === 'permanent' && part.method === 'messages.edit') {
            await beforeCall();
            failed = await send(part.fallback, done);
          }
        }
        if (failed) return { ...failed, partsDone: done };
      }
      return { kind: 'sent', partsDone: done };
    },
    async close() {
      agent.destroy();
    },
  };
}

/** A VK call inside an upload failed: the row's outcome is this call's. */
class VkCallFailed extends Error {
  readonly outcome: SendOutcome;
  constructor(outcome: SendOutcome) {
    super(outcome.kind === 'sent' ? 'sent' : outcome.error);
    this.outcome = outcome;
  }
}

export function classify(code: number, message: string): SendOutcome {
  const error = `VK ${code} ${message}`.slice(0, 300);
  if (code === FLOOD_CONTROL.code) return { kind: 'rate_limited', retryAfterMs: FLOOD_CONTROL.retryAfterMs, chatOnly: true, error, partsDone: 0 };
  const retryAfterMs = RATE_LIMITED.get(code);
  if (retryAfterMs !== undefined) return { kind: 'rate_limited', retryAfterMs, error, partsDone: 0 };
  if (UNREACHABLE.has(code)) return { kind: 'unreachable', error, partsDone: 0 };
  if (TRANSIENT.has(code)) return { kind: 'transient', error, partsDone: 0 };
  if (TOKEN_REFUSED.has(code)) return { kind: 'channel_down', error, partsDone: 0 };
  return { kind: 'permanent', error, partsDone: 0 };
}
