import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { API, APIRequest } from 'vk-io';
import type { ClaimedRow } from '../../core/outbox/outbox.queue.ts';
import { describeError, type BeforeCall, type SendOutcome, type Transport } from './transport.ts';

/**
 * What a VK renderer makes of a row: its messages in order, messages.send parameters without
 * peer_id and random_id (text, keyboard JSON, attachment, lat/long). bots/vk/render.ts
 * `renderVkOutboxRow` is the app's; the plain-text default serves standalone senders.
 */
export interface VkMessage {
  message: string;
  keyboard?: string;
  attachment?: string;
  lat?: number;
  long?: number;
}
export type VkRender = (row: Pick<ClaimedRow, 'kind' | 'chat_id' | 'payload'>) => VkMessage[];

export interface VkTransportOptions {
  token: string;
  apiBaseUrl?: string;
  render: VkRender;
  timeoutMs: number;
}

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
  [9, 10_000], // flood control: too many similar messages
  [29, 60_000], // method rate limit reached
]);
const TRANSIENT = new Set([1, 10]); // unknown error, internal server error
const TOKEN_REFUSED = new Set([5, 27, 28]); // authorisation failed, group/app token invalid

/**
 * The row id is the random_id of a row's first message: VK ignores a second messages.send with the
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
  return {
    channel: 'vk',
    isGroupChat: (chatId) => Number(chatId) >= CHAT_PEER_OFFSET,
    async send(row: ClaimedRow, beforeCall: BeforeCall): Promise<SendOutcome> {
      let messages: VkMessage[];
      try {
        messages = options.render(row);
      } catch (error) {
        return { kind: 'permanent', error: `render failed: ${describeError(error)}`, partsDone: row.sent_parts };
      }
      let done = row.sent_parts;
      for (; done < messages.length; done++) {
        await beforeCall();
        let answer: { response?: unknown; error?: { error_code?: number; error_msg?: string } };
        try {
          const params = { peer_id: Number(row.chat_id), random_id: done === 0 ? randomIdOf(row.id) : 0, ...messages[done]! };
          answer = await new APIRequest({ api, method: 'messages.send', params }).make();
        } catch (error) {
          return { kind: 'transient', error: describeError(error), partsDone: done };
        }
        if (answer.error) return { ...classify(Number(answer.error.error_code), String(answer.error.error_msg ?? '')), partsDone: done };
      }
      return { kind: 'sent', partsDone: done };
    },
    async close() {
      agent.destroy();
    },
  };
}

export function classify(code: number, message: string): SendOutcome {
  const error = `VK ${code} ${message}`.slice(0, 300);
  const retryAfterMs = RATE_LIMITED.get(code);
  if (retryAfterMs !== undefined) return { kind: 'rate_limited', retryAfterMs, error, partsDone: 0 };
  if (UNREACHABLE.has(code)) return { kind: 'unreachable', error, partsDone: 0 };
  if (TRANSIENT.has(code)) return { kind: 'transient', error, partsDone: 0 };
  if (TOKEN_REFUSED.has(code)) return { kind: 'channel_down', error, partsDone: 0 };
  return { kind: 'permanent', error, partsDone: 0 };
}
