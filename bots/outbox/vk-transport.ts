import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { API, APIRequest } from 'vk-io';
import type { OutboxPayload } from '../../core/outbox/outbox.table.ts';
import type { ClaimedRow } from '../../core/outbox/outbox.queue.ts';
import { describeError, type BeforeCall, type SendOutcome, type Transport } from './transport.ts';

/** What a VK renderer makes of a payload: the text and, optionally, a keyboard as VK's JSON. */
export interface VkMessage {
  text: string;
  keyboard?: string;
}
export type VkRender = (payload: OutboxPayload) => VkMessage;

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
 * The row id is the random_id: VK ignores a second messages.send with the same random_id to the
 * same peer, so a retry after a timeout or a crash between send and settle is not shown twice.
 * Outbox ids are int4, inside random_id's int32 range.
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
      let params: Record<string, unknown>;
      try {
        params = sendParams(row, options.render(row.payload));
      } catch (error) {
        return { kind: 'permanent', error: `render failed: ${describeError(error)}`, partsDone: 0 };
      }
      await beforeCall();
      let answer: { response?: unknown; error?: { error_code?: number; error_msg?: string } };
      try {
        answer = await new APIRequest({ api, method: 'messages.send', params }).make();
      } catch (error) {
        return { kind: 'transient', error: describeError(error), partsDone: 0 };
      }
      if (!answer.error) return { kind: 'sent', partsDone: 1 };
      return classify(Number(answer.error.error_code), String(answer.error.error_msg ?? ''));
    },
    async close() {
      agent.destroy();
    },
  };
}

function sendParams(row: ClaimedRow, message: VkMessage): Record<string, unknown> {
  const { photos, location } = row.payload;
  return {
    peer_id: Number(row.chat_id),
    random_id: randomIdOf(row.id),
    message: message.text,
    ...(message.keyboard && { keyboard: message.keyboard }),
    // VK photos in a payload are attachment strings (photo<owner>_<id>).
    ...(photos && photos.length > 0 && { attachment: photos.slice(0, 10).join(',') }),
    ...(location && { lat: location.lat, long: location.lon }),
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
