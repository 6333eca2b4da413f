import { assignedKeyboard } from '../core/alerts/buttons.ts';
import type { Language } from '../core/db/types.ts';
import type { OutboxPayload } from '../core/outbox/outbox.table.ts';
import { local, type Button, type Keyboard, type View } from './dialogs/view.ts';
import { commentAction, openAction, ratingRow } from './features/my-messages/actions.ts';

/**
 * Notifications core queues (outbox `kind` → the buttons that go with them). Their buttons are
 * ids the dialog engine understands in any state: for residents, action ids (rate 1–5 on a final
 * answer, reply to a clarification request or an official's comment, open the message card); for
 * an executor whose answer was returned, the alert buttons of core/alerts/buttons.ts. Alerts that
 * core queues with their own keyboard (cards, approvals) keep it.
 */
const open = (messageId: number): Button => openAction.button(messageId, 'menu.open_message', { messageId });
const reply = (messageId: number): Button => commentAction.button(messageId, 'menu.reply');

const KEYBOARDS: Record<string, (messageId: number, params: Record<string, unknown>) => Button[][]> = {
  'status.accepted': (id) => [[open(id)]],
  'status.rejected': (id) => [[open(id)]],
  'status.reopened': (id) => [[open(id)]],
  'status.routed': (id) => [[open(id)]],
  'status.duplicate': (_id, params) => (positive(params.originalId) ? [[open(Number(params.originalId))]] : []),
  'answer.intermediate': (id) => [[open(id)]],
  'answer.clarification': (id) => [[reply(id)], [open(id)]],
  'answer.final': (id) => [ratingRow(id), [open(id)]],
  'comment.reply': (id) => [[reply(id)], [open(id)]],
  // A returned answer is fixed from the same buttons as the card: they revise the returned draft.
  'alert.answer_returned': (id) => assignedKeyboard(id).rows,
};

function positive(value: unknown): boolean {
  return Number.isSafeInteger(Number(value)) && Number(value) > 0;
}

/** Params a text needs that core does not store: `resolutionLabel` from `resolution` for final answers. */
export function completeParams(params: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!params) return params;
  if (params.resolutionLabel === undefined && (params.resolution === 'solved' || params.resolution === 'explained')) {
    return { ...params, resolutionLabel: local(`notify.resolution_${params.resolution}`) };
  }
  return params;
}

function isKeyboard(value: unknown): value is Keyboard {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  if (kind === 'remove') return true;
  return (kind === 'inline' || kind === 'reply') && Array.isArray((value as { rows?: unknown }).rows);
}

export function languageOf(payload: Pick<OutboxPayload, 'language'>): Language {
  return payload.language === 'en' ? 'en' : 'ru';
}

/** An outbox payload as a View: keeps a valid stored keyboard, drops anything malformed. */
export function payloadView(payload: OutboxPayload): View {
  return {
    key: payload.key,
    params: completeParams(payload.params),
    ...(isKeyboard(payload.keyboard) && { keyboard: payload.keyboard }),
    ...(payload.photos?.length && { photos: payload.photos }),
    ...(payload.media?.length && { media: payload.media.filter((id) => Number.isSafeInteger(id) && id > 0) }),
    ...(payload.location && { location: payload.location }),
  };
}

/** The view of a notification row: its payload plus the buttons of its kind (unless it brought its own). */
export function notificationView(kind: string, payload: OutboxPayload): View {
  const view = payloadView(payload);
  const messageId = Number(payload.params?.messageId);
  const rows = Object.hasOwn(KEYBOARDS, kind) && positive(messageId) ? KEYBOARDS[kind]!(messageId, payload.params ?? {}) : [];
  if (view.keyboard || rows.length === 0) return view;
  return { ...view, keyboard: { kind: 'inline', rows } };
}

/** The views of a direct reply row (bots/outbox/reply.ts), as the dialog returned them. */
export function replyViews(payload: OutboxPayload): View[] {
  return (payload.views ?? []).filter((v): v is View => typeof v === 'object' && v !== null && typeof (v as View).key === 'string');
}
