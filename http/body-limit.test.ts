import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limitBodySize } from './body-limit.ts';

// Over a real socket: how the body arrives (with a length, or chunked) is what the middleware judges.
let server: ServerType;
let url: string;
let handled = 0;
beforeAll(async () => {
  const app = new Hono();
  app.post(
    '/echo',
    limitBodySize(1000, (c) => c.json({ error: 'too large' }, 413)),
    async (c) => {
      handled += 1;
      return c.json({ got: await c.req.text() });
    },
  );
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/echo`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const json = (size: number) => JSON.stringify({ text: 'я'.repeat(Math.max(0, (size - 12) / 2)) });
const chunked = (body: string) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      const bytes = new TextEncoder().encode(body);
      for (let at = 0; at < bytes.length; at += 300) controller.enqueue(bytes.subarray(at, at + 300));
      controller.close();
    },
  });
const post = (body: string | ReadableStream<Uint8Array>) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, ...(typeof body !== 'string' && { duplex: 'half' }) } as RequestInit);

describe('limitBodySize', () => {
  it('lets a body within the limit through, sent with its length or chunked, and the handler reads it whole', async () => {
    const body = json(990);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(1000);
    for (const sent of [body, chunked(body)]) {
      const response = await post(sent);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ got: body });
    }
  });

  it('refuses a body over the limit by its Content-Length, and a chunked one as it streams, before the handler runs', async () => {
    const before = handled;
    const body = json(1100);
    expect(Buffer.byteLength(body)).toBeGreaterThan(1000);
    for (const sent of [body, chunked(body)]) {
      const response = await post(sent);
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ error: 'too large' });
    }
    expect(handled).toBe(before);
  });

  it('an empty body passes the limit and reaches the handler', async () => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ got: '' });
  });
});
