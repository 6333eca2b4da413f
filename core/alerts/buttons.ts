/**
 * Buttons on officials' alerts. Ids are short (Telegram callback data ≤ 64 bytes), carry a version
 * (a tap on a keyboard from an older release is recognised, not misapplied) and the id they act on.
 * The shape is the inline keyboard of bots/dialogs/view.ts; core stores it without rendering it.
 *
 *   ans1:i:<messageId>   executor: write an intermediate answer
 *   ans1:f:<messageId>   executor: write the final answer
 *   ans1:c:<messageId>   executor: ask the author for a clarification
 *   apr1:a:<answerId>    curator: approve the answer
 *   apr1:r:<answerId>    curator: return the answer with a remark
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

const ANSWER_KINDS: Record<string, 'intermediate' | 'final' | 'clarification' | undefined> = { i: 'intermediate', f: 'final', c: 'clarification' };

/** The executor's card: intermediate answer, final answer, clarification request. */
export function assignedKeyboard(messageId: number): AlertKeyboard {
  return {
    kind: 'inline',
    rows: [
      [{ id: `ans1:i:${messageId}`, label: 'alert.button_intermediate' }],
      [{ id: `ans1:f:${messageId}`, label: 'alert.button_final' }],
      [{ id: `ans1:c:${messageId}`, label: 'alert.button_clarification' }],
    ],
  };
}

/** The curator's card: approve, or return with a remark. */
export function approvalKeyboard(answerId: number): AlertKeyboard {
  return {
    kind: 'inline',
    rows: [[{ id: `apr1:a:${answerId}`, label: 'alert.button_approve' }, { id: `apr1:r:${answerId}`, label: 'alert.button_return' }]],
  };
}

/** Reads a tapped alert button; null for anything else (another flow's button, an older version). */
export function parseAlertButton(id: string): AlertAction | null {
  const m = /^(ans1|apr1):([a-z]):([1-9][0-9]{0,9})$/.exec(id);
  if (!m) return null;
  const target = Number(m[3]);
  if (!Number.isSafeInteger(target) || target > 2_147_483_647) return null;
  if (m[1] === 'ans1') {
    const kind = ANSWER_KINDS[m[2]!];
    return kind ? { action: 'answer', kind, messageId: target } : null;
  }
  if (m[2] === 'a') return { action: 'approve', answerId: target };
  if (m[2] === 'r') return { action: 'return', answerId: target };
  return null;
}
