import type { Channel } from '../../core/db/types.ts';
import type { ClaimedRow } from '../../core/outbox/outbox.queue.ts';

/**
 * How one send ended, classified by the messenger's transport so the sender stays generic:
 * - `sent`: every part went out;
 * - `rate_limited`: the messenger said "too many requests"; wait `retryAfterMs` (the attempt is not counted);
 *   `chatOnly`: the limit is this recipient's own (VK's flood control), so only the row (and its chat) waits;
 * - `unreachable`: the recipient blocked the bot or forbids messages; never retried;
 * - `transient`: network error, timeout, 5xx; retried with backoff;
 * - `permanent`: the request itself is wrong (400 …); the row is dead;
 * - `channel_down`: the bot's token is refused; the whole channel waits, the row is not blamed.
 */
export type SendOutcome =
  | { kind: 'sent'; partsDone: number }
  | { kind: 'rate_limited'; retryAfterMs: number; error: string; partsDone: number; chatOnly?: true }
  | { kind: 'unreachable'; error: string; partsDone: number }
  | { kind: 'transient'; error: string; partsDone: number }
  | { kind: 'permanent'; error: string; partsDone: number }
  | { kind: 'channel_down'; error: string; partsDone: number };

/** Called by a transport before each API call of a row: waits for the channel's rate (and the chat's gap between parts). */
export type BeforeCall = () => Promise<void>;

export interface Transport {
  readonly channel: Channel;
  /** Messenger rule for group chats (they have a per-minute limit instead of per-second). */
  isGroupChat(chatId: string): boolean;
  /** Sends the row's parts from `row.sent_parts` on; never throws for API failures, classifies them. */
  send(row: ClaimedRow, beforeCall: BeforeCall): Promise<SendOutcome>;
  close?(): Promise<void>;
}

/** A short, log-safe description of an error (API descriptions hold no message text). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 300);
  return String(error).slice(0, 300);
}
