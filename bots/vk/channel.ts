import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Kysely } from 'kysely';
import { type API, APIError, VK } from 'vk-io';
import type { Clock } from '../../core/clock.ts';
import type { Database } from '../../core/db/database.ts';
import type { Language } from '../../core/db/types.ts';
import { storableText } from '../../core/text/unsafe-text.ts';
import { markIdentityReachable, markIdentityUnreachable } from '../../core/residents/reachability.ts';
import type { Logger } from '../../logger.ts';
import { storableInput } from '../dialogs/input.ts';
import { runDialog } from '../dialogs/engine.ts';
import type { Features } from '../dialogs/registry.ts';
import { UNEXPECTED_ERROR_VIEW } from '../dialogs/errors.ts';
import type { View } from '../dialogs/view.ts';
import type { Translate } from '../i18n.ts';
import { languageOfIdentity, processOnce } from '../inbound.ts';
import { safeError } from '../safe-error.ts';
import { startVkLongPoll, type VkLongPoll } from './long-poll.ts';
import { parseEvent, type VkEvent } from './parse.ts';
import { renderVk, type VkCall } from './render.ts';

export const CHANNEL = 'vk' as const;
/** Error codes of messages.send meaning "this person cannot be written to" (see bots/outbox/vk-transport.ts). */
const UNREACHABLE = new Set([900, 901, 902]);

export interface VkChannelOptions {
  token: string;
  groupId: number;
  apiBaseUrl: string;
  db: Kysely<Database>;
  logger: Logger;
  clock: Clock;
  t: Translate;
  features: Features;
}

export interface VkChannel {
  /**
   * One event (Callback API body or Long Poll update), handled and committed or recorded as poison
   * before it resolves; replies are sent after commit. Throws only when the event could not be
   * recorded at all (the database is down): the caller must then not acknowledge it.
   */
  handleEvent(event: VkEvent): Promise<void>;
  startPolling(): Promise<void>;
  stop(): Promise<void>;
}

/** An event without event_id (an old API version) is deduplicated by its content. */
export function eventIdOf(event: VkEvent): string {
  if (typeof event.event_id === 'string' && event.event_id.length > 0) return storableText(event.event_id.slice(0, 128));
  const { secret: _secret, ...rest } = event;
  return `sha256:${createHash('sha256').update(JSON.stringify(rest)).digest('hex')}`;
}

/**
 * The VK community bot: events are parsed here (plain JSON, checked field by field), run through
 * the shared dialogs in one transaction with their dedupe row (bots/inbound.ts), and answered
 * through vk-io's API. Callback API (http/webhooks/vk.ts) and Bots Long Poll share this pipeline.
 */
export function createVkChannel(options: VkChannelOptions): VkChannel {
  const { db, clock, t } = options;
  const log = options.logger.child({ channel: CHANNEL });
  // node-fetch refuses an https agent for an http URL (the local fake in tests).
  const agent = options.apiBaseUrl.startsWith('http:') ? new HttpAgent({ keepAlive: true }) : new HttpsAgent({ keepAlive: true });
  const vk = new VK({ token: options.token, apiBaseUrl: options.apiBaseUrl, agent: agent as HttpsAgent, apiLimit: 20 });
  const api: API = vk.api;

  async function perform(peerId: string, call: VkCall): Promise<void> {
    const peer_id = Number(peerId);
    if (call.method === 'messages.send') await api.call('messages.send', { peer_id, random_id: 0, dont_parse_links: 1, ...call.params });
    else await api.call('messages.edit', { peer_id, dont_parse_links: 1, ...call.params });
  }

  async function send(eventId: string, peerId: string, externalId: string, views: View[], language: Language, editMessageId?: number): Promise<void> {
    for (const view of views) {
      for (const call of renderVk(view, { language, t, editMessageId })) {
        try {
          await perform(peerId, call);
        } catch (error) {
          if (error instanceof APIError && UNREACHABLE.has(Number(error.code))) {
            log.warn({ eventId }, 'resident forbids messages from the community: identity marked unreachable');
            await markIdentityUnreachable(db, CHANNEL, externalId, clock());
            return;
          }
          log.warn({ eventId, method: call.method, err: safeError(error) }, 'direct reply failed');
          // A message that can no longer be edited: show the page as a new message instead.
          if (call.method === 'messages.edit') await send(eventId, peerId, externalId, [{ ...view, edit: false }], language);
        }
      }
    }
  }

  async function answerEvent(answer: { eventId: string; userId: string; peerId: string } | undefined): Promise<void> {
    if (!answer) return;
    // Stops the button's spinner; an event older than a minute can no longer be answered, and that is fine.
    await api
      .call('messages.sendMessageEventAnswer', { event_id: answer.eventId, user_id: Number(answer.userId), peer_id: Number(answer.peerId) })
      .catch((error: unknown) => log.debug({ err: safeError(error) }, 'sendMessageEventAnswer failed'));
  }

  async function handleEvent(event: VkEvent): Promise<void> {
    const eventId = eventIdOf(event);
    const raw = parseEvent(event);
    const parsed = raw.kind === 'dialog' ? { ...raw, inputs: raw.inputs.map(storableInput) } : raw;
    const outcome = await processOnce(db, CHANNEL, eventId, log, async (trx) => {
      if (parsed.kind === 'dialog') {
        const views: View[] = [];
        let language: Language = 'ru';
        for (const input of parsed.inputs) {
          const turn = await runDialog(trx, input, { t, features: options.features }, clock());
          views.push(...turn.views);
          language = turn.language;
        }
        return { views, language };
      }
      if (parsed.kind === 'blocked') await markIdentityUnreachable(trx, CHANNEL, parsed.externalId, clock());
      if (parsed.kind === 'allowed') await markIdentityReachable(trx, CHANNEL, parsed.externalId);
      return undefined;
    });
    if (outcome.kind === 'duplicate') {
      log.info({ eventId }, 'duplicate event acknowledged without effect');
      return;
    }
    if (parsed.kind === 'ignore') {
      await answerEvent(parsed.eventAnswer);
      log.debug({ eventId, type: event.type, reason: parsed.reason }, 'event ignored');
      return;
    }
    if (parsed.kind !== 'dialog') return;
    const externalId = parsed.inputs[0]!.identity.externalId;
    await answerEvent(parsed.eventAnswer && { ...parsed.eventAnswer, peerId: parsed.peerId });
    if (outcome.kind === 'failed') {
      await send(eventId, parsed.peerId, externalId, [UNEXPECTED_ERROR_VIEW], await languageOfIdentity(db, CHANNEL, externalId));
      return;
    }
    if (outcome.result) await send(eventId, parsed.peerId, externalId, outcome.result.views, outcome.result.language, parsed.conversationMessageId);
  }

  let longPoll: VkLongPoll | undefined;
  return {
    handleEvent,
    startPolling() {
      // Our own loop (bots/vk/long-poll.ts), so the ts survives a restart; same handler as the webhook.
      longPoll ??= startVkLongPoll({ api, groupId: options.groupId, db, clock, logger: log, handle: handleEvent });
      return Promise.resolve();
    },
    async stop() {
      await longPoll?.stop();
      agent.destroy();
    },
  };
}
