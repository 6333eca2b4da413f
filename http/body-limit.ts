import type { HttpBindings } from '@hono/node-server';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/**
 * The client closed its connection before its request body had fully arrived (a messenger that gave
 * up, a proxy that dropped the upstream): nothing to handle and nobody to answer. Thrown by the body
 * readers below; http/app.ts's error handler logs it in one line (no stack) and counts it.
 */
export class ClientGoneError extends Error {
  constructor(cause: unknown) {
    super('the client closed the connection before its request body arrived', { cause });
    this.name = 'ClientGoneError';
  }
}

/**
 * `error` as a ClientGoneError when the request's connection was closed before its body ended
 * (Node's "aborted" ECONNRESET, or @hono/node-server's "prematurely closed"); any other failure as
 * it is. Judged by the request stream itself, not the message: a database's ECONNRESET stays an error.
 */
function clientGoneOr(c: Context, error: unknown): unknown {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  return incoming?.readableAborted && !incoming.complete ? new ClientGoneError(error) : error;
}

/** The request body as text; throws ClientGoneError when the client went away before it was all sent. */
export function readBodyText(c: Context): Promise<string> {
  return c.req.text().catch((error: unknown) => {
    throw clientGoneOr(c, error);
  });
}

/**
 * Refuses a body over `maxSize` bytes with `onError`'s response before anything reads it.
 *
 * A body sent with a Content-Length (Telegram's and VK's webhooks, browsers, curl) is judged by
 * the header alone: Node's HTTP parser never reads past it. Hono's own bodyLimit looks at
 * `c.req.raw.body` first, which makes @hono/node-server build a full web Request with a stream for
 * the body; reading the body then goes through that stream too (per webhook ~0.1 ms of CPU and its
 * garbage: bench:inbound). Left alone, `c.req.json()` / `text()` read the socket directly. A
 * chunked body has no length to judge: it is counted as it streams, by Hono's bodyLimit (which
 * reads it whole, so a client gone meanwhile is a ClientGoneError from here).
 */
export function limitBodySize(maxSize: number, onError: (c: Context) => Response | Promise<Response>): MiddlewareHandler {
  const counted = bodyLimit({ maxSize, onError });
  return async (c, next) => {
    const length = c.req.header('content-length');
    if (length === undefined || !/^\d+$/.test(length) || c.req.header('transfer-encoding') !== undefined) {
      try {
        return await counted(c, next);
      } catch (error) {
        throw clientGoneOr(c, error);
      }
    }
    if (Number(length) > maxSize) return onError(c);
    await next();
  };
}
