import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/**
 * Refuses a body over `maxSize` bytes with `onError`'s response before anything reads it.
 *
 * A body sent with a Content-Length (Telegram's and VK's webhooks, browsers, curl) is judged by
 * the header alone: Node's HTTP parser never reads past it. Hono's own bodyLimit looks at
 * `c.req.raw.body` first, which makes @hono/node-server build a full web Request with a stream for
 * the body; reading the body then goes through that stream too (per webhook ~0.1 ms of CPU and its
 * garbage: bench:inbound). Left alone, `c.req.json()` / `text()` read the socket directly. A
 * chunked body has no length to judge: it is counted as it streams, by Hono's bodyLimit.
 */
export function limitBodySize(maxSize: number, onError: (c: Context) => Response | Promise<Response>): MiddlewareHandler {
  const counted = bodyLimit({ maxSize, onError });
  return async (c, next) => {
    const length = c.req.header('content-length');
    if (length === undefined || !/^\d+$/.test(length) || c.req.header('transfer-encoding') !== undefined) return counted(c, next);
    if (Number(length) > maxSize) return onError(c);
    await next();
  };
}
