import type { Job } from '../../core/jobs/run-job.ts';
import { backfillVkNames, type NameLookup } from '../../core/residents/name-backfill.ts';
import { storableText } from '../../core/text/unsafe-text.ts';
import { VK_API_VERSION } from './callback-settings.ts';

/** A user as VK's users.get answers. */
export interface VkUser {
  id?: number;
  first_name?: string;
  last_name?: string;
  /** 'deleted' or 'banned': the page is named "DELETED" and is no name of the resident's. */
  deactivated?: string;
}

/** The name to keep for a VK user (first and last, as VK shows it), or null when there is none. */
export function vkUserName(user: VkUser | undefined): string | null {
  if (!user || user.deactivated) return null;
  const name = [user.first_name, user.last_name].filter((part): part is string => typeof part === 'string' && part.trim().length > 0).join(' ');
  return storableText(name).trim() || null;
}

/**
 * users.get with the community token, for many users at once (up to 1000 ids a call): each id VK
 * answered maps to the user's name or null. A VK error or a timeout throws.
 */
export function createVkNameLookup(options: { token: string; apiBaseUrl: string; timeoutMs?: number }): NameLookup {
  return async (userIds) => {
    const body = new URLSearchParams({ user_ids: userIds.join(','), access_token: options.token, v: VK_API_VERSION });
    const response = await fetch(`${options.apiBaseUrl}/users.get`, { method: 'POST', body, signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) });
    if (!response.ok) throw new Error(`VK users.get answered HTTP ${response.status}`);
    const answer = (await response.json()) as { response?: unknown; error?: { error_code?: number; error_msg?: string } };
    if (answer.error) throw new Error(`VK users.get error ${answer.error.error_code}: ${answer.error.error_msg}`);
    const names = new Map<string, string | null>();
    for (const user of Array.isArray(answer.response) ? (answer.response as VkUser[]) : []) {
      if (typeof user?.id === 'number') names.set(String(user.id), vkUserName(user));
    }
    return names;
  };
}

/**
 * The cron job that gives names to VK residents registered before the consent-time look-up
 * (core/residents/name-backfill.ts): batched (its own short statements, no transaction open
 * while VK answers), under the job's advisory lock, so one instance runs it at a time.
 */
export function vkNameBackfillJob(lookup: NameLookup): Job {
  return { name: 'vk-name-backfill', batched: true, run: async (db, now) => ({ ...(await backfillVkNames(db, lookup, now)) }) };
}
