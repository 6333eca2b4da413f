import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';

/**
 * Whether the client closed its connection before its request body had all arrived (a messenger
 * that gave up, a browser tab closed mid-upload, a proxy that dropped the upstream). Judged by the
 * request stream itself, never by an error's message: a database's ECONNRESET stays an error, and a
 * reader that swallowed the failure (and answered 400) is recognised too. Outside a Node server
 * (`app.request()` in tests) there is no stream, and no client to lose.
 */
export function clientGone(c: Context): boolean {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  return incoming?.readableAborted === true && !incoming.complete;
}

/** Why the request stream ended: Node's "aborted" (ECONNRESET), as the stream recorded it. */
export function clientGoneCause(c: Context): string {
  return (c.env as Partial<HttpBindings> | undefined)?.incoming?.errored?.message ?? 'closed';
}

/**
 * The answer to a request whose client is gone, which nobody receives: 499, nginx's "client closed
 * request", for whatever records the status. An error handler returns it instead of logging the
 * error; http/app.ts logs such a request once, as a warning without a stack.
 */
export function clientGoneResponse(): Response {
  return new Response(null, { status: 499 });
}
