import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedPhotoFetcher } from './photo-cache.ts';
import type { PhotoFetcher } from './photo-fetcher.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function counting(): PhotoFetcher & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async fetch(fileId) {
      calls.push(fileId);
      await new Promise((r) => setTimeout(r, 5));
      return { bytes: new TextEncoder().encode(`bytes of ${fileId}`), contentType: 'image/png' };
    },
  };
}

describe('cachedPhotoFetcher', () => {
  it('downloads a file once, shares concurrent requests, and survives a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'photo-cache-'));
    dirs.push(dir);
    const inner = counting();
    const cache = cachedPhotoFetcher(inner, { dir, namespace: 'tg' });
    const [a, b] = await Promise.all([cache.fetch('AgAD-1'), cache.fetch('AgAD-1')]);
    expect(new TextDecoder().decode(a.bytes)).toBe('bytes of AgAD-1');
    expect(b.contentType).toBe('image/png');
    expect(inner.calls).toEqual(['AgAD-1']);

    const restarted = cachedPhotoFetcher(inner, { dir, namespace: 'tg' });
    const again = await restarted.fetch('AgAD-1');
    expect(new TextDecoder().decode(again.bytes)).toBe('bytes of AgAD-1');
    expect(again.contentType).toBe('image/png');
    expect(inner.calls).toEqual(['AgAD-1']);
  });

  it('never turns a file id into a path', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'photo-cache-'));
    dirs.push(dir);
    const cache = cachedPhotoFetcher(counting(), { dir, namespace: 'tg' });
    await cache.fetch('../../etc/passwd');
    expect(readdirSync(dir).every((f) => /^[0-9a-f]{64}\.(bin|json)$/.test(f))).toBe(true);
  });
});
