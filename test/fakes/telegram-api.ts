import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Waiters } from './waiters.ts';

/** One Bot API call as it reached the fake server. */
export interface RecordedCall {
  method: string;
  token: string;
  params: Record<string, unknown>;
  at: number;
  /** What the fake answered (a sent message carries its message_id, needed to press its buttons). */
  result?: unknown;
}

export interface Failure {
  status: number;
  description: string;
  retryAfter?: number;
  /** Never answer (the client times out). */
  hang?: boolean;
}

export interface TelegramLimits {
  /** Messages per second over all chats (Telegram: about 30). */
  perSecond?: number;
  /** Messages per second to one private chat (Telegram: about 1). */
  perChatPerSecond?: number;
  /** Messages per minute to one group (Telegram: 20). */
  perGroupPerMinute?: number;
}

const SENDING = new Set(['sendMessage', 'sendPhoto', 'sendMediaGroup', 'sendLocation', 'sendVenue', 'copyMessage', 'forwardMessage']);

/**
 * A local fake of the Telegram Bot API: records every call, answers with plausible results,
 * enforces rate limits with 429 + retry_after like Telegram does, and fails on request.
 * Used by bot tests, outbox tests, the replay script and the outbox benchmark.
 */
export class FakeTelegramApi {
  readonly calls: RecordedCall[] = [];
  readonly rejected: RecordedCall[] = [];
  private server: Server | undefined;
  private failures: { method?: string; chatId?: string; failure: Failure }[] = [];
  private blockedChats = new Set<string>();
  private sentAt: number[] = [];
  private chatSentAt = new Map<string, number[]>();
  private nextMessageId = 1000;
  private waiters = new Waiters('FakeTelegramApi');
  private updates: ({ update_id: number } & Record<string, unknown>)[] = [];
  limits: TelegramLimits;
  count429 = 0;
  /** Files uploaded in sendPhoto / sendVideo (multipart), in order: what a stored media send cost. */
  readonly uploads: { method: string; filename: string; size: number; fileId: string }[] = [];
  /** Files a resident "sent": getFile and the file download serve these bytes (others get placeholder bytes). */
  readonly files = new Map<string, { path: string; bytes: Uint8Array; contentType: string }>();
  /** Delay before answering each call (a distant API). */
  latencyMs = 0;
  private nextFileId = 1;

  constructor(limits: TelegramLimits = {}) {
    this.limits = limits;
  }

  /** Base URL to give grammY as `apiRoot` (and TELEGRAM_API_ROOT). */
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next call (of `method`, to `chatId` if given) fails this way; queue several for several. */
  failNext(failure: Failure, match: { method?: string; chatId?: string | number } = {}): void {
    this.failures.push({ method: match.method, chatId: match.chatId === undefined ? undefined : String(match.chatId), failure });
  }

  /** Updates that getUpdates (long polling) hands out, by offset like Telegram. */
  queueUpdates(...updates: ({ update_id: number } & Record<string, unknown>)[]): void {
    this.updates.push(...updates);
  }

  /** The user behind this chat blocked the bot: every send answers 403. */
  block(chatId: string | number): void {
    this.blockedChats.add(String(chatId));
  }

  callsOf(method: string, chatId?: string | number): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && (chatId === undefined || String(c.params.chat_id) === String(chatId)));
  }

  /** Sent texts (sendMessage text / sendPhoto caption) to a chat, in order. */
  textsTo(chatId: string | number): string[] {
    return this.calls
      .filter((c) => SENDING.has(c.method) && String(c.params.chat_id) === String(chatId))
      .map((c) => String(c.params.text ?? c.params.caption ?? ''));
  }

  reset(): void {
    this.calls.length = 0;
    this.rejected.length = 0;
    this.failures = [];
    this.sentAt = [];
    this.chatSentAt.clear();
    this.count429 = 0;
  }

  /** Resolves when `predicate` holds (checked after every call), or rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    return this.waiters.waitFor(predicate, timeoutMs);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/(\w+)/.exec(req.url ?? '');
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(req.url ?? '');
    if (fileMatch) {
      const file = [...this.files.values()].find((f) => f.path === fileMatch[2]);
      res.writeHead(200, { 'content-type': file?.contentType ?? 'image/jpeg' });
      res.end(file ? Buffer.from(file.bytes) : Buffer.from(`fake-bytes:${fileMatch[2]}`));
      return;
    }
    if (!match) return this.reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = match as unknown as [string, string, string];
    const params = await readParams(req);
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const call: RecordedCall = { method, token, params, at: Date.now() };
    const chatId = params.chat_id === undefined ? undefined : String(params.chat_id);

    const failureIndex = this.failures.findIndex((f) => (!f.method || f.method === method) && (!f.chatId || f.chatId === chatId));
    if (failureIndex >= 0) {
      const [{ failure }] = this.failures.splice(failureIndex, 1) as [{ failure: Failure }];
      this.rejected.push(call);
      if (failure.hang) return; // the client's timeout fires
      if (failure.status === 429) this.count429++;
      return this.reply(res, failure.status, {
        ok: false,
        error_code: failure.status,
        description: failure.description,
        ...(failure.retryAfter !== undefined && { parameters: { retry_after: failure.retryAfter } }),
      });
    }
    if (SENDING.has(method) && chatId) {
      if (this.blockedChats.has(chatId)) {
        this.rejected.push(call);
        return this.reply(res, 403, { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' });
      }
      const retryAfter = this.rateLimited(chatId, call.at);
      if (retryAfter !== undefined) {
        this.count429++;
        this.rejected.push(call);
        return this.reply(res, 429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } });
      }
    }
    if (method === 'getUpdates') return this.answerGetUpdates(res, call);
    call.result = this.resultFor(method, params);
    this.calls.push(call);
    this.reply(res, 200, { ok: true, result: call.result });
    this.waiters.wake();
  }

  /** Confirms updates below `offset` (as Telegram does) and hands out the rest; waits a little when there are none. */
  private async answerGetUpdates(res: ServerResponse, call: RecordedCall): Promise<void> {
    const offset = Number(call.params.offset ?? 0);
    this.updates = this.updates.filter((u) => u.update_id >= offset);
    if (this.updates.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    call.result = this.updates.slice(0, Number(call.params.limit ?? 100));
    this.calls.push(call);
    this.reply(res, 200, { ok: true, result: call.result });
  }

  /** Sliding windows over accepted sends; returns retry_after seconds when a limit is hit. */
  private rateLimited(chatId: string, now: number): number | undefined {
    const { perSecond, perChatPerSecond, perGroupPerMinute } = this.limits;
    this.sentAt = this.sentAt.filter((t) => now - t < 1000);
    const chat = (this.chatSentAt.get(chatId) ?? []).filter((t) => now - t < 60_000);
    const isGroup = chatId.startsWith('-');
    if (perSecond !== undefined && this.sentAt.length >= perSecond) return 1;
    if (!isGroup && perChatPerSecond !== undefined && chat.filter((t) => now - t < 1000).length >= perChatPerSecond) return 1;
    if (isGroup && perGroupPerMinute !== undefined && chat.length >= perGroupPerMinute) return Math.ceil((60_000 - (now - chat[0]!)) / 1000);
    this.sentAt.push(now);
    chat.push(now);
    this.chatSentAt.set(chatId, chat);
    return undefined;
  }

  private resultFor(method: string, params: Record<string, unknown>): unknown {
    const chat = { id: Number(params.chat_id ?? 0), type: 'private' };
    const message = () => ({ message_id: this.nextMessageId++, date: Math.floor(Date.now() / 1000), chat, text: params.text });
    switch (method) {
      case 'getMe':
        return { id: 7000000001, is_bot: true, first_name: 'Otklik', username: 'otklik_test_bot' };
      case 'sendMediaGroup':
        // One message per item, each with its photo or video; files uploaded with the call (attach://<name>) are recorded.
        return ((params.media as { type?: string; media?: unknown }[] | undefined) ?? []).map((item) => {
          const named = item.media;
          const file = typeof named === 'string' && named.startsWith('attach://') ? params[named.slice('attach://'.length)] : named;
          let fileId = String(file);
          if (isUpload(file)) {
            fileId = `tgfile-${this.nextFileId++}`;
            this.uploads.push({ method, filename: file.filename, size: file.size, fileId });
          }
          const media = { file_id: fileId, file_unique_id: `u-${fileId}`, width: 640, height: 480 };
          return { ...message(), ...(item.type === 'video' ? { video: { ...media, duration: 1 } } : { photo: [media] }) };
        });
      case 'sendPhoto':
      case 'sendVideo': {
        const field = method === 'sendPhoto' ? 'photo' : 'video';
        // grammY names the file part at random and refers to it as attach://<name>.
        const named = params[field];
        const file = typeof named === 'string' && named.startsWith('attach://') ? params[named.slice('attach://'.length)] : named;
        let fileId = String(file);
        if (isUpload(file)) {
          fileId = `tgfile-${this.nextFileId++}`;
          this.uploads.push({ method, filename: file.filename, size: file.size, fileId });
        }
        const media = { file_id: fileId, file_unique_id: `u-${fileId}`, width: 640, height: 480 };
        return { ...message(), ...(method === 'sendPhoto' ? { photo: [media] } : { video: { ...media, duration: 1 } }) };
      }
      case 'getFile': {
        const file = this.files.get(String(params.file_id));
        if (file) return { file_id: params.file_id, file_unique_id: `u-${String(params.file_id)}`, file_size: file.bytes.byteLength, file_path: file.path };
        return { file_id: params.file_id, file_unique_id: `u-${String(params.file_id)}`, file_size: 1234, file_path: `photos/${String(params.file_id)}.jpg` };
      }
      case 'editMessageText':
      case 'editMessageReplyMarkup':
        return message();
      default:
        return SENDING.has(method) ? message() : true;
    }
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}

/** A file part of a multipart call, as the fake records it. */
export interface Upload {
  filename: string;
  size: number;
  bytes: Buffer;
}

function isUpload(value: unknown): value is Upload {
  return typeof value === 'object' && value !== null && Buffer.isBuffer((value as Upload).bytes);
}

async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const body = raw.toString('utf8');
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) return body ? (JSON.parse(body) as Record<string, unknown>) : {};
  if (type.includes('multipart/form-data')) return parseMultipart(raw, type);
  const query = new URL(req.url ?? '/', 'http://x').searchParams;
  return Object.fromEntries([...new URLSearchParams(body), ...query].map(([k, v]) => [k, parseValue(v)]));
}

/** Multipart as grammY and fetch send it: text fields (JSON values decoded) and file parts (name, bytes). */
export function parseMultipart(raw: Buffer, type: string): Record<string, unknown> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
  const marker = boundary?.[1] ?? boundary?.[2];
  if (!marker) return {};
  const out: Record<string, unknown> = {};
  const delimiter = Buffer.from(`--${marker}`);
  let start = raw.indexOf(delimiter);
  while (start >= 0) {
    const next = raw.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    const part = raw.subarray(start + delimiter.length + 2, next - 2); // CRLF after the delimiter, before the next
    const split = part.indexOf('\r\n\r\n');
    if (split >= 0) {
      const head = part.subarray(0, split).toString('utf8');
      const content = part.subarray(split + 4);
      const name = /name="([^"]+)"/.exec(head)?.[1];
      // grammY writes filename=<name> unquoted; browsers and fetch quote it.
      const filename = /filename=(?:"([^"]*)"|([^;\r\n]*))/.exec(head)?.slice(1).find((v) => v !== undefined);
      if (name && filename !== undefined) out[name] = { filename, size: content.length, bytes: Buffer.from(content) } satisfies Upload;
      else if (name) out[name] = parseValue(content.toString('utf8'));
    }
    start = next;
  }
  return out;
}

function parseValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
