import type { Job } from '../../core/jobs/run-job.ts';
import { parseWallGet, pollIncidentSources, type WallReader } from '../../core/incidents/vk-wall.ts';
import { VK_API_VERSION } from './callback-settings.ts';

/**
 * Reads public walls with `wall.get` and the VK service token (an app's token: it reads public
 * communities, it cannot post). A VK error or a timeout throws: the poller skips that page this time.
 */
export function createVkWallReader(options: { token: string; apiBaseUrl: string; timeoutMs?: number }): WallReader {
  return async (ownerId, count) => {
    const body = new URLSearchParams({ owner_id: String(ownerId), count: String(count), filter: 'all', access_token: options.token, v: VK_API_VERSION });
    const response = await fetch(`${options.apiBaseUrl}/wall.get`, { method: 'POST', body, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
    if (!response.ok) throw new Error(`VK wall.get answered HTTP ${response.status}`);
    const answer = (await response.json()) as { response?: unknown; error?: { error_code?: number; error_msg?: string } };
    if (answer.error) throw new Error(`VK wall.get error ${answer.error.error_code}: ${answer.error.error_msg}`);
    return parseWallGet(answer.response);
  };
}

/** The cron job that polls the monitored pages (one instance at a time, under the job's lock). */
export function incidentPollJob(read: WallReader): Job {
  return { name: 'incident-pages', run: (trx, now) => pollIncidentSources(trx, read, now) };
}
