import type { IncomingMessage, Server } from 'node:http';
import { connect, type Socket } from 'node:net';

/** Waits until `check` holds, polling every 5 ms. */
export async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Whether the app has begun to read the body of the request that came over `socket`: the moment a
 * client that hangs up is gone mid-body. Watches the app's HTTP server (`serve()`'s return value) from now on.
 */
export function bodyBeingRead(server: Server): (socket: Socket) => boolean {
  const byClientPort = new Map<number, IncomingMessage>();
  server.on('request', (incoming: IncomingMessage) => {
    if (incoming.socket.remotePort !== undefined) byClientPort.set(incoming.socket.remotePort, incoming);
  });
  return (socket) => (socket.localPort === undefined ? false : (byClientPort.get(socket.localPort)?.readableFlowing ?? null) !== null);
}

/**
 * A client (a messenger, a city app, a browser, a proxy) that closes the connection while its body is
 * still arriving, over a real socket, as only a socket can go away mid-body. Sends the request line,
 * headers and all of `body` but not the whole declared body (the Content-Length counts bytes that never
 * come, or a chunked body never ends), waits until `taken(socket)` says the app is handling the request, and
 * closes the socket. Content-Type is JSON unless `headers` say otherwise.
 */
export async function postAndVanish(
  target: { url: string; taken: (socket: Socket) => boolean },
  path: string,
  body: string | Buffer,
  framing: 'length' | 'chunked',
  headers: Record<string, string> = {},
): Promise<void> {
  const socket = connect(Number(new URL(target.url).port), '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.on('error', () => {});
  const declared = framing === 'length' ? `Content-Length: ${Buffer.byteLength(body) + 64}\r\n` : 'Transfer-Encoding: chunked\r\n';
  const head = Object.entries({ Host: 'otklik.test', 'Content-Type': 'application/json', ...headers })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.write(`POST ${path} HTTP/1.1\r\n${head}${declared}\r\n`);
  if (framing === 'length') socket.write(body);
  else {
    socket.write(`${Buffer.byteLength(body).toString(16)}\r\n`);
    socket.write(body);
    socket.write('\r\n');
  }
  await until('the app to take the request', () => target.taken(socket));
  socket.destroy();
}
