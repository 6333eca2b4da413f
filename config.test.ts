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
});
