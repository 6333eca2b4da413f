import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createMapPage, tileSource } from './map-page.ts';

// Mounted as app.ts mounts it.
const page = new Hono().route('/map', createMapPage({ tileUrl: 'https://{s}.tiles.example.org/{z}/{x}/{y}.png', tileAttribution: '© Example' }));
const get = (path: string) => page.request(`http://localhost${path}`);

describe("the map page's files", () => {
  it('serves the page with a policy that allows this origin and the tile server only', async () => {
    const res = await get('/map');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("img-src 'self' data: blob: https://*.tiles.example.org");
    const html = await res.text();
    // Every script and stylesheet is the app's own.
    for (const [, src] of html.matchAll(/(?:src|href)="([^"]+)"/g)) expect(src!.startsWith('/map/')).toBe(true);
  });

  it("serves Leaflet and its plugins from node_modules, and the page's own module", async () => {
    for (const [path, type] of [
      ['/vendor/leaflet.js', 'text/javascript; charset=utf-8'],
      ['/vendor/leaflet.css', 'text/css; charset=utf-8'],
      ['/vendor/leaflet-heat.js', 'text/javascript; charset=utf-8'],
      ['/vendor/leaflet.markercluster.js', 'text/javascript; charset=utf-8'],
      ['/vendor/MarkerCluster.Default.css', 'text/css; charset=utf-8'],
      ['/vendor/images/layers.png', 'image/png'],
      ['/otklik-map.js', 'text/javascript; charset=utf-8'],
    ] as const) {
      const res = await get(`/map${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe(type);
      expect((await res.arrayBuffer()).byteLength, path).toBeGreaterThan(100);
    }
    expect(await (await get('/map/vendor/leaflet-heat.js')).text()).toContain('L.heatLayer');
  });

  it('serves nothing else: no other file, no way out of its folders', async () => {
    for (const path of ['/map/vendor/leaflet-src.js', '/map/../../package.json', '/map/vendor/%2e%2e/%2e%2e/package.json', '/map/map-page.ts', '/map/i18n/de.json', '/map/i18n/..%2Ferrors.json']) {
      expect((await get(path)).status, path).toBe(404);
    }
  });

  it('serves its texts in both languages and its configuration', async () => {
    const ru = (await (await get('/map/i18n/ru.json')).json()) as { title: string };
    const en = (await (await get('/map/i18n/en.json')).json()) as { title: string };
    expect(ru.title).toBe('Тепловая карта сообщений');
    expect(en.title).toBe('Messages heat map');
    expect(await (await get('/map/config.json')).json()).toEqual({ tileUrl: 'https://{s}.tiles.example.org/{z}/{x}/{y}.png', tileAttribution: '© Example' });
  });

  it("derives the tile server's CSP source", () => {
    expect(tileSource('https://tile.openstreetmap.org/{z}/{x}/{y}.png')).toBe('https://tile.openstreetmap.org');
    expect(tileSource('http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png')).toBe('http://127.0.0.1:8080');
    expect(tileSource('/tiles/{z}/{x}/{y}.png')).toBeNull();
  });
});
