import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig, schema } from './config.ts';

const example = readFileSync(new URL('.env.example', import.meta.url), 'utf8');
const readme = readFileSync(new URL('README.md', import.meta.url), 'utf8');

describe('configuration', () => {
  it('.env.example copied to .env as it is starts with the defaults (empty values are unset ones)', () => {
    expect(loadConfig(parseEnv(example))).toEqual(loadConfig({}));
  });

  it('every variable the app reads is in .env.example and in the README', () => {
    const listed = Object.keys(parseEnv(example));
    for (const name of Object.keys(schema.shape)) {
      expect(listed, name).toContain(name);
      expect(readme, name).toContain(`| \`${name}\` |`);
    }
  });

  it('a value that is set still wins, and a wrong one is refused with its name', () => {
    expect(loadConfig({ PORT: '8080', VK_GROUP_ID: '42' })).toMatchObject({ PORT: 8080, VK_GROUP_ID: 42 });
    expect(() => loadConfig({ VK_GROUP_ID: 'abc' })).toThrow('VK_GROUP_ID');
  });

  it('PUBLIC_URL is a base URL: a bare host name or a path is refused at start instead of broken links later', () => {
    for (const url of ['https://otklik.example.org', 'https://otklik.example.org/', 'http://localhost:3000']) expect(loadConfig({ PUBLIC_URL: url }).PUBLIC_URL).toBe(url);
    for (const url of ['otklik.example.org', 'ftp://otklik.example.org', 'https://otklik.example.org/otklik', 'https://otklik.example.org/?a=1']) {
      expect(() => loadConfig({ PUBLIC_URL: url }), url).toThrow(/PUBLIC_URL: must be the public base URL/);
    }
  });

  it('MEDIA_S3_ENDPOINT that is not an http(s) URL is refused, not silently replaced by AWS', () => {
    expect(loadConfig({ MEDIA_S3_ENDPOINT: 'http://minio:9000' }).MEDIA_S3_ENDPOINT).toBe('http://minio:9000');
    for (const endpoint of ['minio', 'minio:9000', '//minio:9000']) {
      expect(() => loadConfig({ MEDIA_S3_ENDPOINT: endpoint }), endpoint).toThrow(/MEDIA_S3_ENDPOINT: must be an http\(s\) URL/);
    }
  });

  it('a bootstrap token shorter than 32 characters is refused at once, with its name and the minimum', () => {
    expect(() => loadConfig({ ADMIN_BOOTSTRAP_TOKEN: 'changeme' })).toThrow(/ADMIN_BOOTSTRAP_TOKEN: must be at least 32 characters/);
    expect(loadConfig({ ADMIN_BOOTSTRAP_TOKEN: 'x'.repeat(32) }).ADMIN_BOOTSTRAP_TOKEN).toBe('x'.repeat(32));
    expect(loadConfig({ ADMIN_BOOTSTRAP_TOKEN: '' }).ADMIN_BOOTSTRAP_TOKEN).toBeUndefined();
  });
});
