import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Kysely } from 'kysely';
import { type API, VK } from 'vk-io';
import type { Clock } from '../../core/clock.ts';
import type { Database } from '../../core/db/database.ts';
import { markIdentityReachable, markIdentityUnreachable } from '../../core/residents/reachability.ts';
import { storeLookedUpName } from '../../core/residents/resident.repository.ts';
import { markNameLookedUp } from '../../core/residents/name-backfill.ts';
import { vkUserName } from './users.ts';
import { queueReply, savingWithReply } from '../outbox/reply.ts';
import type { ClaimedRow } from '../../core/outbox/outbox.queue.ts';
import type { Logger } from '../../logger.ts';
import type { Features } from '../dialogs/registry.ts';
import { runDialog, type SaveTurn } from '../dialogs/engine.ts';
import { ATTACHMENTS_NOT_TAKEN, storableInput } from '../dialogs/input.ts';
import { storableText } from '../../core/text/unsafe-text.ts';
import { UNEXPECTED_ERROR_VIEW } from '../dialogs/errors.ts';
import { safeError } from '../safe-error.ts';
import type { View } from '../dialogs/view.ts';
import type { Translate } from '../i18n.ts';
import { languageOfIdentity, processOnce } from '../inbound.ts';
import { startVkLongPoll, type VkLongPoll } from './long-poll.ts';
import { parseEvent, type VkEvent } from './parse.ts';
import { numberedChoice, sameVkClient, storedVkClient, storeVkClient, vkClientFlags } from './client.ts';
import { intakeIncident } from '../../core/incidents/incidents.service.ts';
import { wallEventIntake } from '../../core/incidents/vk-wall.ts';

export const CHANNEL = 'vk' as const;

export interface VkChannelOptions {
  token: string;
  groupId: number;
  apiBaseUrl: string;
  db: Kysely<Database>;
  logger: Logger;
  clock: Clock;
  t: Translate;
  features: Features;
  /**
   * Called after an event's replies were committed: the outbox sends them now. `claimed`: the
   * event's reply row, inserted already claimed by `claimReply`'s sender.
   */
  replied?: (claimed?: ClaimedRow, heldMs?: number) => void;
  /** This instance's VK sender, when a reply may be inserted already claimed by it (OutboxSenders.replyClaimer). */
  claimReply?: () => string | undefined;
}

export interface VkChannel {
  /**
   * One event (Callback API body or Long Poll update), handled and committed or recorded as poison
   * (with its replies in the outbox) before it resolves. Throws only when the event could not be
   * recorded at all (the database is down): the caller must then not acknowledge it.
   */
  handleEvent(event: VkEvent): Promise<void>;
  startPolling(): Promise<void>;
  stop(): Promise<void>;
}

/** One word for all the attachments of a message no step took: left out of a later input's views once said. */
const notSaidYet = (said: View[], views: View[]) => (said.some((v) => v.key === ATTACHMENTS_NOT_TAKEN) ? views.filter((v) => v.key !== ATTACHMENTS_NOT_TAKEN) : views);

/**
 * An input's views after those of the message's earlier inputs (`said`): as notSaidYet, and a view
 * of a slot (View `slot`: a count the message's next photo says again) takes the place of the
 * earlier ones of that slot, taken out of `said`, so the message gets the line once, its last count.
 */
function sayAfter(said: View[], views: View[]): View[] {
  const fresh = notSaidYet(said, views);
  const slots = new Set(fresh.flatMap((v) => (v.slot === undefined ? [] : [v.slot])));
  for (let i = said.length - 1; i >= 0; i--) if (said[i]!.slot !== undefined && slots.has(said[i]!.slot!)) said.splice(i, 1);
  return fresh;
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
 * through the outbox's reply lane. Callback API (http/webhooks/vk.ts) and Bots Long Poll share this pipeline.
 */
export function createVkChannel(options: VkChannelOptions): VkChannel {
  const { db, clock, t } = options;
  const log = options.logger.child({ channel: CHANNEL });
  // node-fetch refuses an https agent for an http URL (the local fake in tests).
  const agent = options.apiBaseUrl.startsWith('http:') ? new HttpAgent({ keepAlive: true }) : new HttpsAgent({ keepAlive: true });
  const vk = new VK({ token: options.token, apiBaseUrl: options.apiBaseUrl, agent: agent as HttpsAgent, apiLimit: 20 });
  const api: API = vk.api;
  /** Name look-ups under way (after their events committed): stop() waits for them. */
  const lookups = new Set<Promise<void>>();

  /**
   * A VK press carries no name, so a resident who registered by pressing has none: it is looked up
   * with users.get once the consent is committed and stored as Telegram's is. Never the event's
   * business: a failure (VK down, a closed profile) is logged and the resident stays without a name.
   */
  function lookUpName(residentId: number, userId: string): void {
    const lookup = (async () => {
      try {
        const [user] = await api.users.get({ user_ids: [userId] });
        // Asked: the name backfill (bots/vk/users.ts) does not ask again, whatever VK answered.
        await markNameLookedUp(db, 'vk', userId, clock());
        // A deleted or banned page is named "DELETED": no name of the resident's.
        const name = vkUserName(user);
        if (!name) return;
        await storeLookedUpName(db, residentId, name);
      } catch (error) {
        log.warn({ residentId, err: safeError(error) }, 'users.get failed: the resident stays without a name');
      }
    })();
    lookups.add(lookup);
    void lookup.finally(() => lookups.delete(lookup));
  }

  async function handleEvent(event: VkEvent): Promise<void> {
    const eventId = eventIdOf(event);
    const raw = parseEvent(event);
    const parsed = raw.kind === 'dialog' ? { ...raw, inputs: raw.inputs.map(storableInput) } : raw;
    // Replies, the button's answer included, are one outbox row of the reply lane written in the
    // handling transaction (bots/outbox/reply.ts): committed with the event, sent by the token's
    // one paced sender.
    const answerOf = (p: typeof parsed) => {
      const answer = p.kind === 'dialog' && p.eventAnswer ? { ...p.eventAnswer, peerId: p.peerId } : p.kind === 'ignore' ? p.eventAnswer : undefined;
      // The press's id goes into the outbox payload (jsonb): made storable like every string from outside.
      return answer && { ...answer, eventId: storableText(answer.eventId) };
    };
    const now = clock();
    let claimed: ClaimedRow | undefined;
    let heldMs: number | undefined;
    let nameWanted: { residentId: number; userId: string } | undefined;
    const outcome = await processOnce(
      db,
      CHANNEL,
      eventId,
      log,
      async (trx, locked) => {
        // Residents' posts and comments on the community's wall: the incident triage queue (once per post, by its URL).
        const wall = wallEventIntake(event, options.groupId);
        if (parsed.kind === 'dialog') {
          const views: View[] = [];
          const answer = answerOf(parsed);
          // What the resident's app can show: as this message says (stored for the chat when it
          // changed), else as the chat's last message said; the reply is rendered for it.
          const stored = storedVkClient(locked?.locked.client);
          const changed = parsed.client !== undefined && !sameVkClient(parsed.client, stored);
          if (changed) await storeVkClient(trx, parsed.inputs[0]!.identity.externalId, parsed.client!);
          const client = parsed.client ?? stored;
          // A number typed in answer to the numbered options of an app without keyboards is that option's press.
          const first = parsed.inputs[0]!;
          const typed = first.kind === 'text' ? first.text : undefined;
          const choice = !changed && parsed.inputs.length === 1 && typed !== undefined ? numberedChoice(typed, stored) : undefined;
          // The typed text goes along: where the step's answer is a written text, it is that text (Step.textAnswer).
          const inputs = choice
            ? [{ identity: first.identity, kind: 'button' as const, data: choice, ...(typed !== undefined && { typed }), ...(first.sentAt !== undefined && { sentAt: first.sentAt }) }]
            : parsed.inputs;
          const last = inputs.length - 1;
          for (const [index, input] of inputs.entries()) {
            const at = index === 0 ? now : clock();
            // The last input's state and the event's reply (every input's views) are saved in one
            // statement (bots/outbox/reply.ts), the transaction's last unless a wall intake follows.
            const saveReply =
              index === last &&
              savingWithReply(
                trx,
                { channel: CHANNEL, externalId: input.identity.externalId, now: at, endsTransaction: !wall },
                { channel: CHANNEL, chatId: parsed.peerId, views, editMessageId: parsed.conversationMessageId, ...(answer && { answer }), ...(client && { client: vkClientFlags(client) }) },
                options.claimReply,
                (row, held) => {
                  claimed = row;
                  heldMs = held;
                },
              );
            const save: SaveTurn | false = saveReply && ((state, turn) => saveReply(state, { ...turn, views: sayAfter(views, turn.views) }));
            // The state locked with the dedupe row serves the first input; later ones read what it saved.
            const turn = await runDialog(trx, input, { t, features: options.features }, at, { ...(index === 0 && locked), ...(save && { save }) });
            views.push(...sayAfter(views, turn.views));
            if (turn.nameWanted && turn.residentId !== undefined) nameWanted = { residentId: turn.residentId, userId: input.identity.externalId };
          }
        }
        if (parsed.kind === 'ignore') {
          const answer = answerOf(parsed);
          if (answer) await queueReply(trx, { channel: CHANNEL, chatId: answer.peerId, views: [], language: 'ru', answer });
        }
        if (wall) await intakeIncident(trx, { ...wall, text: storableText(wall.text).slice(0, 4000), authorName: wall.authorName && storableText(wall.authorName) }, clock());
        if (parsed.kind === 'blocked') await markIdentityUnreachable(trx, CHANNEL, parsed.externalId, clock());
        if (parsed.kind === 'allowed') await markIdentityReachable(trx, CHANNEL, parsed.externalId);
        if (parsed.kind === 'group_start') await queueReply(trx, { channel: CHANNEL, chatId: parsed.peerId, views: [{ key: 'dialog.group_only_private' }], language: parsed.language });
      },
      async (trx) => {
        if (parsed.kind !== 'dialog') return;
        const externalId = parsed.inputs[0]!.identity.externalId;
        const answer = answerOf(parsed);
        const language = await languageOfIdentity(trx as Kysely<Database>, CHANNEL, externalId);
        await queueReply(trx, { channel: CHANNEL, chatId: parsed.peerId, views: [UNEXPECTED_ERROR_VIEW], language, ...(answer && { answer }) });
      },
      // A dialog event: its first input's state lock rides with the dedupe row, and the resident's touch with them (one round trip).
      parsed.kind === 'dialog' ? { input: parsed.inputs[0]!, now } : undefined,
    );
    if (outcome.kind === 'duplicate') {
      log.info({ eventId }, 'duplicate event acknowledged without effect');
      return;
    }
    if (parsed.kind === 'ignore') log.debug({ eventId, type: event.type, reason: parsed.reason }, 'event ignored');
    // A reply claimed at insert goes to its sender only once its transaction committed (handled).
    options.replied?.(outcome.kind === 'handled' ? claimed : undefined, outcome.kind === 'handled' ? heldMs : undefined);
    if (outcome.kind === 'handled' && nameWanted) lookUpName(nameWanted.residentId, nameWanted.userId);
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
      await Promise.allSettled([...lookups]);
      agent.destroy();
    },
  };
}
