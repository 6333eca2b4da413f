import { VK_API_VERSION, VK_EVENT_TYPES } from '../bots/vk/callback-settings.ts';
import { loadConfig } from '../config.ts';
import { VK_WEBHOOK_PATH } from '../http/webhooks/vk.ts';
import { exitOnScriptFailure, unreachable } from '../startup-failure.ts';

/**
 * `npm run vk:callback`: prints what the community's Callback API settings need (Manage →
 * API usage → Callback API): server URL, secret key, API version, event types, and how the
 * confirmation code reaches VK_CONFIRMATION_CODE. `npm run vk:callback -- --apply` sets them
 * through the API (groups.addCallbackServer or the server already registered for this URL,
 * then groups.setCallbackSettings) and prints the confirmation code to put in VK_CONFIRMATION_CODE.
 * The token needs the community's "manage" right for --apply.
 */
const config = exitOnScriptFailure(loadConfig);
const fail = (problem: string): never => {
  console.error(problem);
  process.exit(2);
};
const token = config.VK_GROUP_TOKEN ?? fail('VK_GROUP_TOKEN is not set');
const groupId = config.VK_GROUP_ID ?? fail('VK_GROUP_ID is not set (the numeric id of the community)');
const publicUrl = config.PUBLIC_URL ?? fail('PUBLIC_URL is not set (the public https base URL of this app)');
const secret = config.VK_SECRET ?? fail('VK_SECRET is not set: choose a random secret key (up to 50 letters and digits) and set it here and in VK');
const url = new URL(VK_WEBHOOK_PATH, publicUrl).toString();

async function call<T>(method: string, params: Record<string, string | number>): Promise<T> {
  const body = new URLSearchParams({ access_token: token, v: VK_API_VERSION, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) });
  // An unreachable or wrong VK_API_BASE_URL is one line naming it, not fetch's stack.
  const response = await fetch(`${config.VK_API_BASE_URL}/${method}`, { method: 'POST', body }).catch((error: Error) =>
    fail(`${method} failed: cannot reach VK_API_BASE_URL ${config.VK_API_BASE_URL}: ${unreachable(error)}`),
  );
  const answer = (await response.json().catch(() => fail(`${method} failed: VK_API_BASE_URL ${config.VK_API_BASE_URL} answered ${response.status} without VK API JSON`))) as {
    response?: T;
    error?: { error_code: number; error_msg: string };
  };
  if (answer.error) return fail(`${method} failed: ${answer.error.error_code} ${answer.error.error_msg}`);
  return answer.response as T;
}

console.log(`Callback API settings for community ${groupId}:
  server URL:   ${url}
  secret key:   (VK_SECRET, ${secret.length} characters)
  API version:  ${VK_API_VERSION}
  event types:  ${VK_EVENT_TYPES.join(', ')}
  confirmation: the string VK shows on the same page goes to VK_CONFIRMATION_CODE (${config.VK_CONFIRMATION_CODE ? 'set' : 'NOT set'})
Also enable community messages and "Bot abilities" (with the Start button) in Messages → Bot settings.`);

if (process.argv.includes('--apply')) {
  const code = await call<{ code: string }>('groups.getCallbackConfirmationCode', { group_id: groupId });
  const servers = await call<{ items: { id: number; url: string }[] }>('groups.getCallbackServers', { group_id: groupId });
  const existing = servers.items.find((s) => s.url === url);
  let serverId: number;
  if (existing) {
    serverId = existing.id;
    await call('groups.editCallbackServer', { group_id: groupId, server_id: serverId, url, title: 'Otklik', secret_key: secret });
  } else {
    serverId = (await call<{ server_id: number }>('groups.addCallbackServer', { group_id: groupId, url, title: 'Otklik', secret_key: secret })).server_id;
  }
  await call('groups.setCallbackSettings', { group_id: groupId, server_id: serverId, api_version: VK_API_VERSION, ...Object.fromEntries(VK_EVENT_TYPES.map((type) => [type, 1])) });
  console.log(`\napplied: server ${serverId}; confirmation code: ${code.code}${config.VK_CONFIRMATION_CODE === code.code ? ' (matches VK_CONFIRMATION_CODE)' : ' — set VK_CONFIRMATION_CODE to it and restart before VK confirms the server'}`);
}
