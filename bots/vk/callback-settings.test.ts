import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeVkApi } from '../../test/fakes/vk-api.ts';
import { VK_API_VERSION } from './callback-settings.ts';

const run = promisify(execFile);
let fake: FakeVkApi;
beforeAll(async () => {
  fake = await new FakeVkApi().start();
});
afterAll(async () => {
  await fake?.stop();
});

const env = () => ({ ...process.env, VK_GROUP_TOKEN: 'vk1.a.setup', VK_GROUP_ID: '229000001', VK_SECRET: 'cb-secret-1', PUBLIC_URL: 'https://otklik.example.ru', VK_API_BASE_URL: fake.apiBaseUrl, LOG_LEVEL: 'silent' });
const script = new URL('../../scripts/vk-callback.ts', import.meta.url).pathname;

describe('npm run vk:callback', () => {
  it('prints the settings the community needs, without calling VK', async () => {
    const { stdout } = await run(process.execPath, [script], { env: env() });
    expect(stdout).toContain('https://otklik.example.ru/webhooks/vk');
    expect(stdout).toContain(VK_API_VERSION);
    expect(stdout).toContain('message_new, message_edit, message_event, message_allow, message_deny, wall_post_new, wall_reply_new');
    expect(stdout).not.toContain('cb-secret-1');
    expect(fake.calls).toEqual([]);
  });

  it('--apply registers the server with the secret and turns on the events', async () => {
    const { stdout } = await run(process.execPath, [script, '--apply'], { env: env() });
    const add = fake.calls.find((c) => c.method === 'groups.addCallbackServer');
    expect(add?.params).toMatchObject({ group_id: '229000001', url: 'https://otklik.example.ru/webhooks/vk', secret_key: 'cb-secret-1' });
    const settings = fake.calls.find((c) => c.method === 'groups.setCallbackSettings');
    expect(settings?.params).toMatchObject({ server_id: '7', api_version: VK_API_VERSION, message_new: '1', message_edit: '1', message_event: '1', message_allow: '1', message_deny: '1', wall_post_new: '1', wall_reply_new: '1' });
    expect(stdout).toContain('confirmation code: fake1234');
  });

  it('refuses to run without a secret', async () => {
    const { VK_SECRET: _secret, ...rest } = env();
    await expect(run(process.execPath, [script], { env: rest })).rejects.toMatchObject({ code: 2 });
  });
});
