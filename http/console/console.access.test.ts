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
