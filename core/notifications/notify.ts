import { type ExpressionBuilder, type RawBuilder, sql } from 'kysely';
import type { Database } from '../db/database.ts';
import { CHANNELS, type Channel, type Db, type Language } from '../db/types.ts';
import { enqueue, PRIORITY } from '../outbox/outbox.repository.ts';
import type { OutboxPayload } from '../outbox/outbox.table.ts';

export interface NotifyOptions {
  kind: string;
  priority?: number;
  dedupeKey?: string;
  keyboard?: unknown;
  photos?: string[];
  /** Photo file ids are only valid in the messenger that issued them: per channel, overriding `photos`. */
  photosByChannel?: Partial<Record<Channel, string[]>>;
  /**
   * Copies in the media store (core/media) of the photos that came through another messenger, per
   * messenger they are shown in: the sender uploads each there once and reuses its id afterwards.
   */
  mediaByChannel?: Partial<Record<Channel, number[]>>;
  /** Files of the media store shown in whichever messenger the resident is reached in (notifyResident). */
  media?: number[];
  /**
   * Of the photos in `photosByChannel`, how many have no copy yet but are still being copied (a
   * download due or to be retried): their copies follow the card (alert.photos), so the note says
   * they are on their way rather than that they could not be brought.
   */
  photosFollowing?: number;
  location?: { lat: number; lon: number };
  /**
   * What this notice shows in the messenger it is queued to, computed once that messenger is known
   * (an answer's photos: their file ids there, copies elsewhere, and a note on those not shown):
   * overrides `photos` and `media`, and adds to the params.
   */
  perChannel?: (channel: Channel) => { photos?: string[]; media?: number[]; params?: Record<string, unknown> };
}

/**
 * The params of a notice for one messenger. With `photosByChannel`, `photosNote` says how many
 * photos came through another messenger and are not shown here (their file ids mean nothing here,
 * and no copy in the media store is ready: `mediaByChannel`): a locale reference rendered in the
 * reader's language, or '' when every photo is shown.
 */
export function paramsForChannel(params: Record<string, unknown>, options: Pick<NotifyOptions, 'photosByChannel' | 'mediaByChannel' | 'photosFollowing'>, channel: Channel): Record<string, unknown> {
  const byChannel = options.photosByChannel;
  if (!byChannel) return params;
  const elsewhere = Object.entries(byChannel).filter(([other, ids]) => other !== channel && (ids?.length ?? 0) > 0);
  if (elsewhere.length === 0 || (byChannel[channel]?.length ?? 0) > 0) return { ...params, photosNote: '' };
  const [other, ids] = elsewhere[0]!;
  const total = ids!.length;
  const copied = Math.min(options.mediaByChannel?.[channel]?.length ?? 0, total);
  if (copied === total) return { ...params, photosNote: '' };
  const messenger = { $key: other === 'tg' ? 'menu.messenger_tg' : 'menu.messenger_vk' };
  // Every photo not shown is still being copied: its copy follows the card.
  if ((options.photosFollowing ?? 0) >= total - copied) {
    if (copied === 0) return { ...params, photosNote: { $key: 'alert.photos_following', $params: { count: total, messenger } } };
    return { ...params, photosNote: { $key: 'alert.photos_following_some', $params: { count: total - copied, total, messenger } } };
  }
  if (copied === 0) return { ...params, photosNote: { $key: 'alert.photos_elsewhere', $params: { count: total, messenger } } };
  return { ...params, photosNote: { $key: 'alert.photos_elsewhere_some', $params: { count: total - copied, total, messenger } } };
}

/** A staff member's outbox payload on one messenger: the params for it, and the photos (or their copies) it can show. */
export function staffPayload(key: string, params: Record<string, unknown>, options: Omit<NotifyOptions, 'kind'>, channel: Channel, language: string): OutboxPayload {
  const own = options.perChannel?.(channel);
  const media = own?.media ?? options.mediaByChannel?.[channel];
  return {
    key,
    params: { ...paramsForChannel(params, options, channel), ...own?.params },
    language,
    keyboard: options.keyboard,
    photos: own?.photos ?? options.photosByChannel?.[channel] ?? options.photos,
    ...(media?.length && { media }),
    location: options.location,
  };
}

/**
 * Records which messengers' bots run on this deployment (their tokens set), as app.ts finds them at
 * start: a resident's notices then skip a messenger that was turned off (see `reachOrder`).
 */
export async function recordRunningMessengers(db: Db, running: Record<Channel, boolean>, now: Date): Promise<void> {
  await db
    .insertInto('messenger')
    .values(CHANNELS.map((channel) => ({ channel, running: running[channel], changed_at: now })))
    .onConflict((oc) => oc.column('channel').doUpdateSet((eb) => ({ running: eb.ref('excluded.running'), changed_at: eb.ref('excluded.changed_at') })).where('messenger.running', 'is distinct from', (eb) => eb.ref('excluded.running')))
    .execute();
}

/**
 * The order in which a resident's identities are tried for a notice: a messenger whose bot runs
 * before one turned off (a notice there would wait for its bot to come back), then the messenger
 * the resident chose, then the one they wrote in last. `identity` is the resident_identity alias,
 * `notifyChannel` the column holding the resident's choice.
 */
export function reachOrder(identity: string, notifyChannel: string): RawBuilder<unknown> {
  const channel = sql.ref(`${identity}.channel`);
  return sql`${channel} IN (SELECT m.channel FROM messenger m WHERE NOT m.running), CASE WHEN ${channel} = ${sql.ref(notifyChannel)} THEN 0 ELSE 1 END, ${sql.ref(`${identity}.last_seen_at`)} DESC`;
}

/** Where a resident is reached for a notice (`reachOrder`), with their language; none without a live consent or a reachable identity. */
export async function residentTarget(db: Db, residentId: number): Promise<{ channel: Channel; chat_id: string; language: Language } | undefined> {
  return db
    .selectFrom('resident_identity as ri')
    .innerJoin('resident as r', 'r.id', 'ri.resident_id')
    .select(['ri.channel', 'ri.chat_id', 'r.language'])
    .where('ri.resident_id', '=', residentId)
    .where('ri.unreachable_at', 'is', null)
    .where((eb) =>
      eb.exists(eb.selectFrom('consent').select('id').where('resident_id', '=', residentId).where('withdrawn_at', 'is', null)),
    )
    .orderBy(reachOrder('ri', 'r.notify_channel'))
    .executeTakeFirst();
}

/**
 * Queues a notice for a resident on the channel they chose, else the one they used last (a
 * messenger turned off only when nothing else reaches them: `reachOrder`).
 * Nobody is notified without a live consent or with no reachable identity; returns whether
 * a row was queued.
 */
export async function notifyResident(
  db: Db,
  residentId: number,
  key: string,
  params: Record<string, unknown>,
  options: NotifyOptions,
): Promise<boolean> {
  const target = await residentTarget(db, residentId);
  if (!target) return false;
  const own = options.perChannel?.(target.channel);
  const media = own?.media ?? options.media;
  const photos = own?.photos ?? options.photos;
  const payload: OutboxPayload = {
    key,
    params: { ...params, ...own?.params },
    language: target.language,
    keyboard: options.keyboard,
    ...(photos?.length && { photos }),
    ...(media?.length && { media }),
    location: options.location,
  };
  const ids = await enqueue(db, [
    {
      channel: target.channel,
      chatId: target.chat_id,
      recipientKind: 'resident',
      residentId,
      kind: options.kind,
      payload,
      priority: options.priority ?? PRIORITY.notification,
      dedupeKey: options.dedupeKey,
    },
  ]);
  return ids.length > 0;
}

/** Queues an alert for each given staff member on each messenger they linked; returns rows queued. */
export async function notifyStaff(
  db: Db,
  staffIds: number[],
  key: string,
  params: Record<string, unknown>,
  options: NotifyOptions,
): Promise<number> {
  if (staffIds.length === 0) return 0;
  const targets = await db
    .selectFrom('staff_identity as si')
    .innerJoin('staff as s', 's.id', 'si.staff_id')
    .select(['si.staff_id', 'si.channel', 'si.chat_id', 's.language'])
    .where('si.staff_id', 'in', staffIds)
    .where('s.active', '=', true)
    .where('si.unreachable_at', 'is', null)
    .execute();
  const ids = await enqueue(
    db,
    targets.map((t) => ({
      channel: t.channel,
      chatId: t.chat_id,
      recipientKind: 'staff' as const,
      staffId: t.staff_id,
      kind: options.kind,
      payload: staffPayload(key, params, options, t.channel, t.language),
      priority: options.priority ?? PRIORITY.alert,
      dedupeKey: options.dedupeKey ? `${options.dedupeKey}:${t.staff_id}:${t.channel}` : undefined,
    })),
  );
  return ids.length;
}

/** Active staff of a role in a municipality (for alerts to curators, moderators, responsibles). */
export async function staffIdsByRole(db: Db, municipalityId: number, role: 'curator' | 'moderator' | 'responsible'): Promise<number[]> {
  const rows = await db
    .selectFrom('staff')
    .select('id')
    .where('municipality_id', '=', municipalityId)
    .where('role', '=', role)
    .where('active', '=', true)
    .execute();
  return rows.map((r) => r.id);
}

/** The outer `municipality` row has an active official of `role` reachable in a messenger (a linked identity not marked unreachable). */
function reachableOfficialOf(eb: ExpressionBuilder<Database, 'municipality'>, role: 'curator' | 'moderator' = 'curator') {
  return eb.exists(
    eb
      .selectFrom('staff')
      .innerJoin('staff_identity', 'staff_identity.staff_id', 'staff.id')
      .select('staff.id')
      .whereRef('staff.municipality_id', '=', 'municipality.id')
      .where('staff.role', '=', role)
      .where('staff.active', '=', true)
      .where('staff_identity.unreachable_at', 'is', null),
  );
}

/** Whether a municipality has an active official of `role` reachable in a messenger, whatever they chose to be told. */
export async function hasReachableOfficial(db: Db, municipalityId: number, role: 'curator' | 'moderator'): Promise<boolean> {
  const row = await db
    .selectFrom('municipality')
    .select((eb) => reachableOfficialOf(eb, role).as('reachable'))
    .where('id', '=', municipalityId)
    .executeTakeFirst();
  return row?.reachable === true;
}

/**
 * Who gets a municipality's alerts meant for its `roles` (curators; curators and moderators for the
 * incident queue): its own active officials of those roles (`local`, listed in GET /alerts even
 * without a messenger); when none of them is reachable in a messenger, the active regional curators
 * (no municipality: the ЦУР) who are (`regional`), so the alert never reaches nobody. A municipality
 * with one of its own at hand does not copy the regional ones. `null` is the region's shared
 * incident queue: every municipality's officials of those roles are its `local` ones.
 */
export async function fallbackRecipients(db: Db, municipalityId: number | null, roles: readonly ('curator' | 'moderator')[]): Promise<{ local: number[]; regional: number[] }> {
  const rows = await db
    .selectFrom('staff')
    .select(['staff.id', 'staff.municipality_id'])
    .select((eb) => eb.exists(eb.selectFrom('staff_identity').select('staff_identity.id').whereRef('staff_identity.staff_id', '=', 'staff.id').where('staff_identity.unreachable_at', 'is', null)).as('reachable'))
    .where('staff.active', '=', true)
    .where((eb) =>
      eb.or([
        eb.and([eb('staff.role', 'in', roles), municipalityId === null ? eb('staff.municipality_id', 'is not', null) : eb('staff.municipality_id', '=', municipalityId)]),
        eb.and([eb('staff.role', '=', 'curator'), eb('staff.municipality_id', 'is', null)]),
      ]),
    )
    .orderBy('staff.id')
    .execute();
  const local = rows.filter((r) => r.municipality_id !== null);
  if (local.some((r) => r.reachable)) return { local: local.map((r) => r.id), regional: [] };
  return { local: local.map((r) => r.id), regional: rows.filter((r) => r.municipality_id === null && r.reachable).map((r) => r.id) };
}

/** Municipalities whose curators' alerts fall back to the regional curators (fallbackRecipients): none of their own curators is reachable in a messenger. */
export async function municipalitiesWithoutReachableCurator(db: Db): Promise<number[]> {
  const rows = await db.selectFrom('municipality').select('id').where((eb) => eb.not(reachableOfficialOf(eb))).orderBy('id').execute();
  return rows.map((r) => r.id);
}

/** Active staff members acting for an executor organisation. */
export async function executorStaffIds(db: Db, executorId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('staff')
    .select('id')
    .where('executor_id', '=', executorId)
    .where('active', '=', true)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Residents who support ("me too") a message follow it: they hear when it is accepted and closed.
 * Each gets one row per event (the dedupe key makes retries harmless).
 */
export async function notifySupporters(
  db: Db,
  target: number | { messageId: number; occasion: string | number },
  key: string,
  params: Record<string, unknown>,
  kind: string,
): Promise<void> {
  // `occasion` tells apart notices of one kind that may happen again (closed, reopened, closed again).
  const { messageId, occasion } = typeof target === 'number' ? { messageId: target, occasion: undefined } : target;
  const rows = await db.selectFrom('support').select('resident_id').where('message_id', '=', messageId).execute();
  const suffix = occasion === undefined ? '' : `:${occasion}`;
  for (const { resident_id } of rows) {
    await notifyResident(db, resident_id, key, params, { kind, dedupeKey: `${kind}:${messageId}:${resident_id}${suffix}` });
  }
}
