import { actionId, parseActionId, positiveIdArg } from '../dialogs/action-id.ts';
import { MAX_ROW_ID } from '../db/types.ts';

/**
 * Buttons on officials' alerts, as action ids of the one button scheme (core/dialogs/action-id.ts);
 * the officials' bot feature (bots/features/officials) answers these tags. The shape is the inline
 * keyboard of bots/dialogs/view.ts; core stores it in outbox payloads without rendering it.
 *
 *   !ans:i:<messageId>   executor: write an intermediate answer
 *   !ans:f:<messageId>   executor: write the final answer
 *   !ans:c:<messageId>   executor: ask the author for a clarification
 *   !apr:a:<answerId>    curator: approve the answer
 *   !apr:r:<answerId>    curator: return the answer with a remark
 *   !reo:<messageId>     curator: put a closed message back in work (low rating, complaint)
 *
 * Cards sent earlier carry `ans1:…` / `apr1:…`; the codec reads them as these same actions.
 */
export interface AlertButton {
  id: string;
  label: string;
}
export interface AlertKeyboard {
  kind: 'inline';
  rows: AlertButton[][];
}

export type AlertAction =
  | { action: 'answer'; kind: 'intermediate' | 'final' | 'clarification'; messageId: number }
  | { action: 'approve' | 'return'; answerId: number };

export const ANSWER_TAG = 'ans';
export const APPROVAL_TAG = 'apr';
const ANSWER_KINDS: Record<string, 'intermediate' | 'final' | 'clarification' | undefined> = { i: 'intermediate', f: 'final', c: 'clarification' };

/** The executor's card: intermediate answer, final answer, clarification request. */
export function assignedKeyboard(messageId: number): AlertKeyboard {
  return {
    kind: 'inline',
    rows: [
      [{ id: actionId(ANSWER_TAG, 'i', messageId), label: 'alert.button_intermediate' }],
      [{ id: actionId(ANSWER_TAG, 'f', messageId), label: 'alert.button_final' }],
      [{ id: actionId(ANSWER_TAG, 'c', messageId), label: 'alert.button_clarification' }],
    ],
  };
}

/** The curator's card: approve, or return with a remark. */
export function approvalKeyboard(answerId: number): AlertKeyboard {
  return {
    kind: 'inline',
    rows: [[{ id: actionId(APPROVAL_TAG, 'a', answerId), label: 'alert.button_approve' }, { id: actionId(APPROVAL_TAG, 'r', answerId), label: 'alert.button_return' }]],
  };
}

export const REOPEN_TAG = 'reo';

/** The curator's low-rating and complaint alerts: put the message back in work. */
export function reopenKeyboard(messageId: number): AlertKeyboard {
  return { kind: 'inline', rows: [[{ id: actionId(REOPEN_TAG, messageId), label: 'alert.button_reopen' }]] };
}

/** The message id of a `reo` button's arguments; undefined when malformed. */
export function decodeReopenAction(args: readonly string[]): { messageId: number } | undefined {
  const messageId = args.length === 1 ? positiveIdArg(args[0], MAX_ROW_ID) : undefined;
  return messageId === undefined ? undefined : { messageId };
}

/** The alert action of an answer (`ans`) or approval (`apr`) tag's arguments; null when malformed. */
export function decodeAlertAction(tag: string, args: readonly string[]): AlertAction | null {
  if (args.length !== 2) return null;
  const target = positiveIdArg(args[1], MAX_ROW_ID);
  if (target === undefined) return null;
  if (tag === ANSWER_TAG) {
    const kind = ANSWER_KINDS[args[0]!];
    return kind ? { action: 'answer', kind, messageId: target } : null;
  }
  if (tag === APPROVAL_TAG && args[0] === 'a') return { action: 'approve', answerId: target };
  if (tag === APPROVAL_TAG && args[0] === 'r') return { action: 'return', answerId: target };
  return null;
}

/** Reads a tapped alert button; null for anything else (another feature's button, a malformed id). */
export function parseAlertButton(id: string): AlertAction | null {
  const parsed = parseActionId(id);
  return parsed ? decodeAlertAction(parsed.tag, parsed.args) : null;
}
