import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { schema } from '../../config.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const example = parseEnv(read('.env.example'));
const compose = parse(read('compose.yaml'), { merge: true }) as {
  services: Record<string, { image?: string; build?: unknown; environment?: Record<string, string>; volumes?: string[]; depends_on?: unknown }>;
  volumes: Record<string, unknown>;
};
const dockerfile = read('Dockerfile');
/** Compose-only settings: the bundled database's password and the proxy's host name (not read by the app). */
const COMPOSE_ONLY = ['POSTGRES_PASSWORD', 'SITE_ADDRESS'];

/** Source files of the app (not tests, benchmarks or dependencies). */
function sources(dir = root): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    if (['node_modules', '.git', 'data', 'bench', 'test', 'coverage', '.scratch'].includes(name)) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) found.push(...sources(full));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) found.push(full);
  }
  return found;
}

describe('deployment files', () => {
  const apps = ['app1', 'app2'] as const;

  it('the app reads the environment only through config.ts', () => {
    const readers = sources()
      .filter((file) => /process\.env\b/.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(root, file));
    expect(readers).toEqual(['config.ts']);
  });

  it('every variable the app reads is in .env.example, in compose.yaml for both instances, and in the README', () => {
    const readme = read('README.md');
    for (const name of Object.keys(schema.shape)) {
      expect(Object.keys(example), name).toContain(name);
      expect(readme, name).toContain(`| \`${name}\` |`);
      for (const app of apps) expect(Object.keys(compose.services[app]?.environment ?? {}), `${app}: ${name}`).toContain(name);
    }
  });

  it('every variable of .env.example is in compose.yaml (test-only ones aside), and compose sets nothing the app does not read', () => {
    const appNames = new Set(Object.keys(schema.shape));
    for (const name of Object.keys(example)) {
      if (name.startsWith('TEST_')) continue;
      if (COMPOSE_ONLY.includes(name)) {
        expect(read('compose.yaml'), name).toContain(`\${${name}`);
        continue;
      }
      for (const app of apps) expect(Object.keys(compose.services[app]?.environment ?? {}), `${app}: ${name}`).toContain(name);
    }
    for (const app of apps) for (const name of Object.keys(compose.services[app]?.environment ?? {})) expect(appNames.has(name), name).toBe(true);
  });

  it('compose.yaml with .env.example copied to .env, as the README says: the instances behind Caddy trust its X-Forwarded-For', () => {
    // Compose's `${NAME:-default}`: the .env value when set and not empty, else the default.
    const resolved = (value: string) => value.replace(/^\$\{(\w+):-(.*)\}$/s, (_, name: string, fallback: string) => example[name] || fallback);
    for (const app of apps) {
      const environment = compose.services[app]?.environment ?? {};
      // Otherwise every sign-in comes from Caddy's address: 10 failures lock the console for everyone.
      expect(resolved(environment.TRUST_PROXY ?? ''), app).toBe('true');
      expect(resolved(environment.DEMO_SEED ?? ''), app).toBe('false');
    }
  });

  it('compose.yaml: PostgreSQL 16 on a volume, two instances of one image on it, a reverse proxy in front of both', () => {
    const { postgres, proxy } = compose.services;
    expect(postgres?.image).toBe('postgres:16');
    expect(postgres?.volumes?.some((v) => v.endsWith(':/var/lib/postgresql/data'))).toBe(true);
    expect(Object.keys(compose.volumes)).toContain('pgdata');
    for (const app of apps) {
      const service = compose.services[app]!;
      expect(service.image, app).toBe('otklik:latest');
      expect(service.environment?.DATABASE_URL, app).toContain('@postgres:5432/');
      expect(service.environment?.DEMO_SEED, app).toBe('false');
    }
    expect(proxy?.image).toMatch(/^caddy:/);
    const caddyfile = read('deploy/Caddyfile');
    expect(caddyfile).toContain('reverse_proxy app1:3000 app2:3000');
    expect(caddyfile).toContain('health_uri /health');
  });

  it('Dockerfile: multi-stage on Node 22, runs as a non-root user, checks /health, and runs `npm start` as the tests do', () => {
    const stages = dockerfile.match(/^FROM\s+(\S+)/gm) ?? [];
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage).toMatch(/FROM node:22[-.]/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK [\s\S]*\/health'/m);
    expect(dockerfile).toMatch(/^CMD \["npm", "start"\]$/m);
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    // The heap flags hold the app's RSS under a burst near 180 MB instead of ~300 (README, bench:inbound);
    // `exec` makes node npm's own child, so the SIGTERM npm forwards reaches it (shutdown.test.ts).
    expect(pkg.scripts.start).toBe('exec node --max-semi-space-size=8 --heap-growing-percent=20 --env-file-if-exists=.env main.ts');
    expect(read('.dockerignore').split('\n')).toEqual(expect.arrayContaining(['node_modules', '.env', 'data']));
  });
});
