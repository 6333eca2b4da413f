import type { Context } from 'hono';
import { messageInScope } from '../../../../core/access/scope.ts';
import type { Message } from '../../../../core/messages/message.repository.ts';
import type { ModerationInput } from '../../../../core/messages/moderation.service.ts';
import type { ApiDeps, ApiEnv } from '../../env.ts';
import { etag, expectedVersion, staffActor } from '../../route-kit.ts';
import { messageDto } from '../../schemas/message.ts';
import { audited, type WriteContext } from '../../write.ts';

export interface MessageWriteContext extends WriteContext {
  /** The message as it stood, already checked to be in the caller's scope. */
  before: Message;
  /** What every moderation service takes: the message, the version If-Match names, the staff actor. */
  target: ModerationInput;
}

/**
 * The handler every moderation action on one message shares: the If-Match version is read first,
 * the message must be in the caller's scope, the write and its audit entry (`message`, the message's
 * municipality) happen in one transaction, and the answer is the message with its new ETag. A
 * repeat that changed nothing writes no audit entry.
 */
export async function answerMessageWrite(
  c: Context<ApiEnv>,
  deps: Pick<ApiDeps, 'db' | 'clock'>,
  id: number,
  ifMatch: string | undefined,
  write: (ctx: MessageWriteContext) => Promise<{ result: Message; action: string; data?: Record<string, unknown> }>,
) {
  const version = expectedVersion(ifMatch);
  const message = await audited(c, deps, async (ctx) => {
    const before = await messageInScope(ctx.trx, ctx.scope, id);
    const { result, action, data } = await write({ ...ctx, before, target: { messageId: id, expectedVersion: version, actor: staffActor(ctx.principal) } });
    // Every change bumps the message's version; an idempotent repeat (publish again, the same
    // category or executor) returns it as it was and, as everywhere in the API, leaves no entry.
    if (result.version === before.version) return { result, audit: null };
    return { result, audit: { action, entity: 'message', entityId: id, municipalityId: result.municipalityId, data } };
  });
  return c.json(messageDto(message, deps.clock()), 200, etag(message.version));
}
