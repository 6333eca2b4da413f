import type { Job } from '../../core/jobs/run-job.ts';
import { parseWallGet, pollIncidentSources, type WallReader } from '../../core/incidents/vk-wall.ts';
import { VK_API_VERSION } from './callback-settings.ts';

/**
 * Reads public walls with `wall.get` and the VK service token (an app's token: it reads public
 * communities, it cannot post). A VK error or a timeout throws: the poller skips that page this time.
 */
export function createVkWallReader(options: { token: string; apiBaseUrl: string; timeoutMs?: number }): WallReader {
  const call = async (method: string, params: Record<string, string>): Promise<unknown> => {
    const body = new URLSearchParams({ ...params, access_token: options.token, v: VK_API_VERSION });
    const response = await fetch(`${options.apiBaseUrl}/${method}`, { method: 'POST', body, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
    if (!response.ok) throw new Error(`VK ${method} answered HTTP ${response.status}`);
    const answer = (await response.json()) as { response?: unknown; error?: { error_code?: number; error_msg?: string } };
    if (answer.error) throw new Error(`VK ${method} error ${answer.error.error_code}: ${answer.error.error_msg}`);
    return answer.response;
  };
  return {
    posts: async (ownerId, count) => parseWallGet(await call('wall.get', { owner_id: String(ownerId), count: String(count), filter: 'all' })),
    comments: async (ownerId, postId, count) => parseWallGet(await call('wall.getComments', { owner_id: String(ownerId), post_id: String(postId), count: String(count), sort: 'desc' })),
  };
}

/** The cron job that polls the monitored pages (one instance at a time, under the job's lock). */
export function incidentPollJob(read: WallReader): Job {
  return { name: 'incident-pages', run: (trx, now) => pollIncidentSources(trx, read, now) };
}
