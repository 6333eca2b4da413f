import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../../core/access/permissions.ts';
// @ts-expect-error a plain ES module of the console's client, without types
import { PAGE_PERMISSION, ROLES } from './static/access.js';

/** The console's nav hides the pages a role may not use: its copy of the roles must be the API's. */
describe("the console's role table", () => {
  it('names every permission with exactly the roles of core/access/permissions.ts', () => {
    for (const [permission, roles] of Object.entries(ROLES as Record<string, string[]>)) {
      expect(PERMISSIONS[permission as keyof typeof PERMISSIONS], permission).toBeDefined();
      expect([...roles].sort(), permission).toEqual([...PERMISSIONS[permission as keyof typeof PERMISSIONS]].sort());
    }
    for (const permission of Object.values(PAGE_PERMISSION as Record<string, string>)) expect(Object.keys(ROLES)).toContain(permission);
  });
});

describe("the console's texts", () => {
  it('every literal t() key of the client exists in Russian and English', () => {
    const dir = path.join(import.meta.dirname, 'static');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    const keys = new Set(files.flatMap((f) => [...readFileSync(path.join(dir, f), 'utf8').matchAll(/\bt\('([\w.-]+)'/g)].map((m) => m[1]!)));
    expect(keys.size).toBeGreaterThan(50);
    for (const lang of ['ru', 'en']) {
      const texts = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', '..', 'locales', lang, 'console.json'), 'utf8'));
      const missing = [...keys].filter((key) => typeof key.split('.').reduce((node, part) => node?.[part], texts) !== 'string');
      expect(missing, lang).toEqual([]);
    }
  });
});

describe("the console's refusals", () => {
  it('names only codes the API answers, in Russian and English alike', async () => {
    const { DETAILS } = await import('../api/problem-detail.ts');
    const codes = (lang: string) => Object.keys(JSON.parse(readFileSync(path.join(import.meta.dirname, '..', '..', 'locales', lang, 'console.json'), 'utf8')).error.code);
    expect(codes('en')).toEqual(codes('ru'));
    for (const code of codes('ru')) expect(DETAILS[code], code).toBeDefined();
  });
});
