import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Api, HttpError } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { botApiFetch } from './bot-api-fetch.ts';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A Bot API stand-in on a real socket: `answer` gets each request's method and JSON body. */
async function botApi(answer: (method: string, body: Record<string, unknown>, res: import('node:http').ServerResponse) => void): Promise<string> {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => answer(req.url!.split('/').pop()!, raw ? (JSON.parse(raw) as Record<string, unknown>) : {}, res));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('botApiFetch under grammY', () => {
  it('sends the JSON call and reads the answer, errors (any status) included, over one kept-alive connection', async () => {
    const ports = new Set<number>();
    const apiRoot = await botApi((method, body, res) => {
      ports.add(res.socket!.remotePort!);
      res.setHeader('content-type', 'application/json');
      if (body.chat_id === 'blocked') {
        res.statusCode = 403;
        res.end(JSON.stringify({ ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' }));
        return;
      }
      res.end(JSON.stringify({ ok: true, result: { message_id: 7, date: 0, chat: { id: 1, type: 'private' }, text: `${method}: ${String(body.text)}` } }));
    });
    const http = botApiFetch();
    const api = new Api('1:T', { apiRoot, fetch: http.fetch as unknown as typeof fetch });
    expect((await api.raw.sendMessage({ chat_id: 1, text: 'Привет' })).text).toBe('sendMessage: Привет');
    expect((await api.raw.sendMessage({ chat_id: 1, text: 'ещё' })).text).toBe('sendMessage: ещё');
    await expect(api.raw.sendMessage({ chat_id: 'blocked', text: 'x' })).rejects.toMatchObject({ error_code: 403 });
    expect(ports.size).toBe(1);
    http.close();
  });

  it("a dropped connection, an answer that is not JSON and grammY's timeout are HttpErrors", async () => {
    const apiRoot = await botApi((_method, body, res) => {
      if (body.text === 'drop') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"ok":');
        setTimeout(() => res.socket!.destroy(), 20);
      } else if (body.text === 'html') {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html>Bad Gateway</html>');
      }
      // 'slow': never answered
    });
    const http = botApiFetch();
    const api = new Api('1:T', { apiRoot, fetch: http.fetch as unknown as typeof fetch, timeoutSeconds: 0.3 });
    await expect(api.raw.sendMessage({ chat_id: 1, text: 'drop' })).rejects.toBeInstanceOf(HttpError);
    await expect(api.raw.sendMessage({ chat_id: 1, text: 'html' })).rejects.toBeInstanceOf(HttpError);
    const started = Date.now();
    const timedOut = await api.raw.sendMessage({ chat_id: 1, text: 'slow' }).catch((error: unknown) => error);
    expect(timedOut).toBeInstanceOf(HttpError);
    expect(String((timedOut as HttpError).error)).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(2000);
    http.close();
    server!.closeAllConnections();
  });
});
