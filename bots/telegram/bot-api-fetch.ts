import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** What grammY's API client passes to its `fetch` (core/client.js: baseFetchConfig, the payload's method, headers and body, the call's signal). */
interface CallInit {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  signal?: { aborted: boolean; addEventListener(type: 'abort', listener: () => void): void; removeEventListener(type: 'abort', listener: () => void): void } | null;
  agent?: unknown;
}

/** The part of a fetch Response grammY reads: the body as JSON. */
interface CallResponse {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
  text(): Promise<string>;
}

/**
 * A `fetch` for grammY's API client (its `fetch` option) on node:http: one request per call over
 * kept-alive connections, the answer read whole and parsed. grammY's default on Node is node-fetch
 * (Headers, a body stream and an abort-controller shim per call): ~0.2 ms of CPU per sendMessage,
 * about twice this (Node's own fetch, undici with web streams, costs twice node-fetch). Everything
 * grammY relies on is kept: the call's signal aborts the request (grammY's timeout), a failed
 * connection or an unreadable answer rejects (grammY's HttpError), any status is read as JSON (the
 * Bot API's errors are JSON), and a streamed body (a file upload's multipart form) is piped.
 */
export function botApiFetch(): { fetch: (url: string, init?: CallInit) => Promise<CallResponse>; close(): void } {
  const httpAgent = new HttpAgent({ keepAlive: true });
  const httpsAgent = new HttpsAgent({ keepAlive: true });
  const close = () => {
    httpAgent.destroy();
    httpsAgent.destroy();
  };
  const fetch = (url: string, init: CallInit = {}) =>
    new Promise<CallResponse>((resolve, reject) => {
      const { signal } = init;
      if (signal?.aborted) {
        reject(abortError());
        return;
      }
      const secure = url.startsWith('https:');
      const request = (secure ? httpsRequest : httpRequest)(url, {
        method: init.method ?? 'GET',
        headers: init.headers,
        agent: secure ? httpsAgent : httpAgent,
      });
      const onAbort = () => request.destroy(abortError());
      signal?.addEventListener('abort', onAbort);
      const done = () => signal?.removeEventListener('abort', onAbort);
      request.on('error', (error) => {
        done();
        reject(error);
      });
      request.on('response', (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => {
          done();
          reject(error);
        });
        // Closed before its end (the connection dropped mid-answer): a failed call, as node-fetch has it.
        response.on('close', () => {
          if (response.complete) return;
          done();
          reject(new Error('the Bot API connection closed before the answer was complete'));
        });
        response.on('end', () => {
          done();
          const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          resolve({
            ok: status >= 200 && status < 300,
            status,
            text: async () => text,
            json: async () => JSON.parse(text) as unknown,
          });
        });
      });
      const { body } = init;
      if (body === undefined || body === null) request.end();
      else if (typeof body === 'string' || body instanceof Uint8Array) request.end(body);
      else if (typeof (body as NodeJS.ReadableStream).pipe === 'function') (body as NodeJS.ReadableStream).pipe(request);
      else {
        request.destroy();
        reject(new TypeError('unsupported request body'));
      }
    });
  return { fetch, close };
}

function abortError(): Error {
  const error = new Error('The operation was aborted.');
  error.name = 'AbortError';
  return error;
}
