import { readFile } from 'node:fs/promises';
import type { Hono } from 'hono';

/** Files a page may load, by their URL name: [file on disk, content type]. */
export type AssetTable = Record<string, [string, string]>;

/** Reads a file once and keeps its bytes: pages' assets change only with a release. */
export function cachedFiles(): (file: string) => Promise<Uint8Array> {
  const cache = new Map<string, Uint8Array>();
  return async (file) => {
    let bytes = cache.get(file);
    if (!bytes) {
      bytes = new Uint8Array(await readFile(file));
      cache.set(file, bytes);
    }
    return bytes;
  };
}

/**
 * `GET /<name>` for every asset of the table (the last route of a page's app). Our own files
 * change with releases (no-cache); the vendor files only with a dependency upgrade.
 */
export function serveAssets(app: Hono, assets: AssetTable, read: (file: string) => Promise<Uint8Array>): void {
  app.get('/:name{.+}', async (c) => {
    const name = c.req.param('name');
    const asset = assets[name];
    if (!asset) return c.notFound();
    const cacheControl = name.startsWith('vendor/') ? 'public, max-age=86400' : 'no-cache';
    return c.body((await read(asset[0])).slice().buffer, 200, { 'content-type': asset[1], 'cache-control': cacheControl, 'x-content-type-options': 'nosniff' });
  });
}
