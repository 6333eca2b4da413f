import { sql } from 'kysely';
import { CHANNELS, type Db } from '../db/types.ts';
import { notifyStaff, staffPayload, type NotifyOptions } from '../notifications/notify.ts';
import { enqueue, PRIORITY } from '../outbox/outbox.repository.ts';
import type { OutboxState } from '../outbox/outbox.table.ts';
import type { StaffRole } from '../staff/staff.table.ts';

export interface AlertInput {
  /** The outbox kind and the alert's category in listings, e.g. 'alert.overdue'. */
  kind: string;
  /** Locale key of the text; params are rendered in each recipient's language at send time. */
  key: string;
  params: Record<string, unknown>;
  messageId?: number;
  /** What makes this alert unique per recipient, e.g. `overdue:<messageId>`; a repeat is a no-op. */
  dedupeKey: string;
  delivery?: Omit<NotifyOptions, 'kind' | 'dedupeKey'>;
}

export interface AlertResult {
  /** Officials for whom the alert was new. */
  raised: number;
  /** Outbox rows queued for them (one per linked messenger). */
  queued: number;
}

/**
 * Raises an alert for each official once: a staff_alert row (listed by the admin API even when the
 * official has no messenger linked) and, for the new ones only, an outbox row per linked messenger
 * through notifyStaff. Runs in the caller's transaction, so a rolled-back change alerts nobody.
 */
export async function raiseAlert(db: Db, staffIds: number[], alert: AlertInput, now: Date): Promise<AlertResult> {
  const unique = [...new Set(staffIds)];
  if (unique.length === 0) return { raised: 0, queued: 0 };
  const inserted = await db
    .insertInto('staff_alert')
    .values(
      unique.map((staffId) => ({
        staff_id: staffId,
        kind: alert.kind,
        message_id: alert.messageId ?? null,
        key: alert.key,
        params: JSON.stringify(alert.params),
        dedupe_key: `${alert.dedupeKey}:${staffId}`,
        created_at: now,
      })),
    )
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('staff_id')
    .execute();
  const fresh = inserted.map((r) => r.staff_id);
  if (fresh.length === 0) return { raised: 0, queued: 0 };
  const queued = await notifyStaff(db, fresh, alert.key, alert.params, { ...alert.delivery, kind: alert.kind, dedupeKey: alert.dedupeKey });
  return { raised: fresh.length, queued };
}

/** One alert of a batch and the officials it is for. */
export interface BatchAlert {
  staffIds: number[];
  alert: AlertInput;
}

/**
 * raiseAlert for many alerts at once, set-based: one INSERT of every (official, alert) pair into
 * staff_alert, one look-up of the new recipients' messengers, one INSERT into the outbox. The same
 * once-per-recipient guarantee (the dedupe keys), a fixed number of queries however large the batch.
 */
export async function raiseAlerts(db: Db, batch: BatchAlert[], now: Date): Promise<AlertResult & { messages: number }> {
  const pairs = batch.flatMap((b, index) => [...new Set(b.staffIds)].map((staffId) => ({ index, staffId })));
  if (pairs.length === 0) return { raised: 0, queued: 0, messages: 0 };
  const inserted = await db
    .insertInto('staff_alert')
    .values(
      pairs.map(({ index, staffId }) => {
        const { alert } = batch[index]!;
        return { staff_id: staffId, kind: alert.kind, message_id: alert.messageId ?? null, key: alert.key, params: JSON.stringify(alert.params), dedupe_key: `${alert.dedupeKey}:${staffId}`, created_at: now };
      }),
    )
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning(['staff_id', 'dedupe_key'])
    .execute();
  if (inserted.length === 0) return { raised: 0, queued: 0, messages: 0 };
  const byKey = new Map(pairs.map((p) => [`${batch[p.index]!.alert.dedupeKey}:${p.staffId}`, p.index]));
  const fresh = inserted.map((r) => ({ staffId: r.staff_id, index: byKey.get(r.dedupe_key)! }));
  const targets = await db
    .selectFrom('staff_identity as si')
    .innerJoin('staff as s', 's.id', 'si.staff_id')
    .select(['si.staff_id', 'si.channel', 'si.chat_id', 's.language'])
    .where('si.staff_id', 'in', [...new Set(fresh.map((f) => f.staffId))])
    .where('s.active', '=', true)
    .where('si.unreachable_at', 'is', null)
    .execute();
  const entries = fresh.flatMap(({ staffId, index }) => {
    const { alert } = batch[index]!;
    const options = alert.delivery ?? {};
    return targets
      .filter((t) => t.staff_id === staffId)
      .map((t) => ({
        channel: t.channel,
        chatId: t.chat_id,
        recipientKind: 'staff' as const,
        staffId,
        kind: alert.kind,
        payload: staffPayload(alert.key, alert.params, options, t.channel, t.language),
        priority: options.priority ?? PRIORITY.alert,
        dedupeKey: `${alert.dedupeKey}:${staffId}:${t.channel}`,
      }));
  });
  const queued = await enqueue(db, entries);
  return { raised: fresh.length, queued: queued.length, messages: new Set(fresh.map((f) => f.index)).size };
}

export interface AlertListItem {
  id: number;
  staffId: number;
  staffRole: StaffRole;
  municipalityId: number | null;
  kind: string;
  messageId: number | null;
  key: string;
  params: Record<string, unknown>;
  createdAt: Date;
  /** Queued to a linked messenger and not cancelled since (an official without one only sees it here). */
  queued: boolean;
  /** How far its messenger copies got, the furthest first; null: none was queued. */
  delivery: OutboxState | null;
}

/** Outbox states from the furthest a delivery got to the least. */
const DELIVERY_ORDER: OutboxState[] = ['sent', 'sending', 'pending', 'unreachable', 'dead', 'cancelled'];

export interface AlertFilter {
  staffId?: number;
  municipalityId?: number;
  kind?: string;
  messageId?: number;
  /** Keyset paging: alerts older than this id. */
  beforeId?: number;
  limit?: number;
  /** false: leave out the operators' alerts (only operators see the platform's own staff). */
  withOperators?: boolean;
}

/** Alerts raised for officials, newest first (for the admin API). */
export async function listAlerts(db: Db, filter: AlertFilter = {}): Promise<AlertListItem[]> {
  let query = db
    .selectFrom('staff_alert as a')
    .innerJoin('staff as s', 's.id', 'a.staff_id')
    .select(['a.id', 'a.staff_id', 's.role', 's.municipality_id', 'a.kind', 'a.message_id', 'a.key', 'a.params', 'a.created_at'])
    // The furthest its messenger copies got (one per linked messenger), e.g. sent on one, dead on another.
    .select((eb) =>
      eb
        .selectFrom('outbox as o')
        .select('o.state')
        // notifyStaff keys a row `<alert key>:<channel>`: equality keeps this on the unique index.
        .where('o.dedupe_key', 'in', CHANNELS.map((c) => sql<string>`a.dedupe_key || ${`:${c}`}::text`))
        .orderBy(sql`array_position(${sql.val(DELIVERY_ORDER)}::text[], o.state::text)`)
        .limit(1)
        .as('delivery'),
    )
    .orderBy('a.id', 'desc')
    .limit(Math.min(Math.max(filter.limit ?? 50, 1), 500));
  if (filter.staffId !== undefined) query = query.where('a.staff_id', '=', filter.staffId);
  if (filter.municipalityId !== undefined) query = query.where('s.municipality_id', '=', filter.municipalityId);
  if (filter.withOperators === false) query = query.where('s.role', '<>', 'operator');
  if (filter.kind !== undefined) query = query.where('a.kind', '=', filter.kind);
  if (filter.messageId !== undefined) query = query.where('a.message_id', '=', filter.messageId);
  if (filter.beforeId !== undefined) query = query.where('a.id', '<', filter.beforeId);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    staffId: r.staff_id,
    staffRole: r.role,
    municipalityId: r.municipality_id,
    kind: r.kind,
    messageId: r.message_id,
    key: r.key,
    params: r.params,
    createdAt: r.created_at,
    queued: r.delivery !== null && r.delivery !== 'cancelled',
    delivery: r.delivery,
  }));
}
