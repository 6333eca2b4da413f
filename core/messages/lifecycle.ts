import { DomainError } from '../errors.ts';
import type { MessageStatus } from './message.table.ts';

/**
 * The one state machine of a message (DOMAIN.md "Message lifecycle"). Every status change in the
 * code goes through `transition`; nothing else writes `message.status`.
 *
 *   new ──accept──► in_work ──close(solved|explained)──► solved | explained
 *    └──reject / duplicate──► rejected
 *   in_work ──link_duplicate──► in_work, closed later with its original's outcome
 *   in_work ──intermediate | clarification──► in_work
 *   solved | explained ──reopen──► in_work   (the curator, after a bad rating or a complaint)
 */
export type MessageAction =
  | 'accept'
  | 'reject'
  | 'duplicate'
  | 'link_duplicate'
  | 'intermediate'
  | 'clarification'
  | 'close_solved'
  | 'close_explained'
  | 'publish'
  | 'unpublish'
  | 'change_category'
  | 'route'
  | 'mark_urgent'
  | 'rate'
  | 'comment'
  | 'reopen';

const CLOSED: readonly MessageStatus[] = ['solved', 'explained'];
export const OPEN_STATUSES: readonly MessageStatus[] = ['new', 'in_work'];

const RULES: Record<MessageAction, { from: readonly MessageStatus[]; to?: MessageStatus }> = {
  accept: { from: ['new'], to: 'in_work' },
  reject: { from: ['new'], to: 'rejected' },
  /** At moderation a duplicate is rejected with that reason (seed: it never entered the work). */
  duplicate: { from: ['new'], to: 'rejected' },
  /** Once in work it is linked to its original and closed with the original's outcome and answer. */
  link_duplicate: { from: ['in_work'] },
  intermediate: { from: ['in_work'] },
  clarification: { from: ['in_work'] },
  close_solved: { from: ['in_work'], to: 'solved' },
  close_explained: { from: ['in_work'], to: 'explained' },
  publish: { from: ['in_work', 'solved', 'explained'] },
  unpublish: { from: ['new', 'in_work', 'solved', 'explained', 'rejected'] },
  change_category: { from: ['new', 'in_work'] },
  /** Hand a message in work to another executor (curators and moderators, seed 004 §6). */
  route: { from: ['in_work'] },
  mark_urgent: { from: ['new', 'in_work'] },
  rate: { from: ['solved', 'explained'] },
  comment: { from: ['new', 'in_work', 'solved', 'explained'] },
  /** A closed message back in work when its answer did not solve the problem (counted in the monthly report). */
  reopen: { from: ['solved', 'explained'], to: 'in_work' },
};

export function isClosed(status: MessageStatus): boolean {
  return CLOSED.includes(status);
}

export function canApply(status: MessageStatus, action: MessageAction): boolean {
  return RULES[action].from.includes(status);
}

/** Returns the status after `action`, or throws the domain error that explains why it is illegal. */
export function transition(status: MessageStatus, action: MessageAction): MessageStatus {
  if (canApply(status, action)) return RULES[action].to ?? status;
  if (action === 'rate') throw new DomainError('NOT_CLOSED', { status, action });
  if (isClosed(status)) throw new DomainError('MESSAGE_ALREADY_CLOSED', { status, action });
  throw new DomainError('ILLEGAL_TRANSITION', { status, action });
}
