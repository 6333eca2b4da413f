import type { Db } from '../db/types.ts';
import { fallbackRecipients } from '../notifications/notify.ts';
import { raiseAlerts, type AlertInput, type AlertResult, type BatchAlert } from './alerts.ts';

/**
 * Who gets a municipality's alert meant for its curators (fallbackRecipients): its own (`local`),
 * and the regional curators (`regional`) when none of those is reachable in a messenger. Their copy
 * carries `note`, a line naming the municipality (their alerts come from all over the region).
 */
export interface Audience {
  local: number[];
  regional: number[];
  /** The `fallbackNote` param of the regional copy; '' for the region's own queue (no municipality to name). */
  note: { $key: string; $params: Record<string, unknown> } | '';
}

/**
 * The audience of a municipality's alert (`null`: the region's incident queue) for officials of
 * `roles`. `unreachable`: whom the regional copy's line says the municipality has none of at hand
 * (the roles, unless the caller checked more, as the moderation card does its moderators).
 */
export async function audienceOf(
  db: Db,
  municipalityId: number | null,
  roles: readonly ('curator' | 'moderator')[] = ['curator'],
  unreachable: readonly ('curator' | 'moderator')[] = roles,
): Promise<Audience> {
  const { local, regional } = await fallbackRecipients(db, municipalityId, roles);
  if (regional.length === 0 || municipalityId === null) return { local, regional, note: '' };
  const m = await db.selectFrom('municipality').select(['name_ru', 'name_en']).where('id', '=', municipalityId).executeTakeFirstOrThrow();
  const key = unreachable.includes('moderator') ? 'alert.regional_staff_fallback_note' : 'alert.approval_fallback_note';
  return { local, regional, note: { $key: key, $params: { municipalityRu: m.name_ru, municipalityEn: m.name_en } } };
}

/**
 * The batch entries of one alert to an audience: its own officials as the alert is, with `also`
 * (e.g. the KPI responsibles), and the regional curators with the note. `except` (the executor's
 * staff, who get it with their buttons) is left out of both, and an official in both gets one copy.
 */
export function audienceBatch(audience: Audience, alert: AlertInput, options: { also?: number[]; except?: number[] } = {}): BatchAlert[] {
  const except = new Set(options.except);
  const local = [...new Set([...audience.local, ...(options.also ?? [])])].filter((id) => !except.has(id));
  const regional = audience.regional.filter((id) => !except.has(id) && !local.includes(id));
  const entries: BatchAlert[] = [{ staffIds: local, alert }];
  if (regional.length > 0) entries.push({ staffIds: regional, alert: { ...alert, params: { ...alert.params, fallbackNote: audience.note } } });
  return entries;
}

/** Raises an alert to an audience (audienceBatch), once per official. */
export async function raiseToAudience(db: Db, audience: Audience, alert: AlertInput, now: Date, options: { also?: number[]; except?: number[] } = {}): Promise<AlertResult> {
  const { raised, queued } = await raiseAlerts(db, audienceBatch(audience, alert, options), now);
  return { raised, queued };
}
