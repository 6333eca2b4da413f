import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Waiters } from './waiters.ts';
import { parseMultipart, type Upload } from './telegram-api.ts';

/** One VK API call as it reached the fake server. */
export interface RecordedVkCall {
  method: string;
  token: string;
  params: Record<string, string>;
  at: number;
  /** messages.send: the conversation_message_id the message got in its peer (what message_event reports back). */
  cmid?: number;
}

export type VkFailure =
  | { errorCode: number; errorMsg: string }
  /** An HTTP error with a non-JSON body (a proxy or the API front end failing). */
  | { httpStatus: number }
  /** Never answer (the client times out). */
  | { hang: true }
  /** Deliver the message but lose the answer: the client times out and retries. */
  | { dropResponse: true };

/** One a_check request as it reached the fake long-poll server. */
export interface LongPollRequest {
  key: string;
  ts: string;
  wait: string;
  /** The `failed` it was answered with, or 502 for a bad gateway. */
  failed?: 1 | 2 | 3 | 502;
  at: number;
}

export interface VkLimits {
  /** Requests per second for the community token (VK: about 20). */
  perSecond?: number;
}

/**
 * A local fake of api.vk.com: answers `POST /method/<name>` with `{response}` or `{error}` like VK,
 * records every call, enforces the per-second limit with error 6, answers 901 for users who did not
 * allow messages, fails on request, and drops a repeated random_id to the same peer as VK does
 * (answering with the first message's id, showing nothing new).
 *
 * It is also a Bots Long Poll server: groups.getLongPollServer points at `${url}/lp`, where a_check
 * answers the events queued with queueLongPoll from the given ts on (numbered from 1, so ts is the
 * number of the next event), holds the request while there is nothing new (up to `wait` seconds,
 * or `longPollHoldMs`), and answers `failed` on request (failLongPoll) or for an outdated key.
 */
export class FakeVkApi {
  /** messages.send calls that delivered a message, and every other accepted call. */
  readonly calls: RecordedVkCall[] = [];
  readonly rejected: RecordedVkCall[] = [];
  /** Sends dropped because their random_id was already used for that peer. */
  readonly duplicates: RecordedVkCall[] = [];
  private server: Server | undefined;
  private failures: { peerId?: string; failure: VkFailure }[] = [];
  private blocked = new Map<string, number>();
  private sentAt: number[] = [];
  private delivered = new Map<string, number>();
  private nextMessageId = 1;
  private cmids = new Map<string, number>();
  private waiters = new Waiters('FakeVkApi');
  limits: VkLimits;
  countTooMany = 0;
  url = '';
  /** a_check requests, in order. */
  readonly longPollRequests: LongPollRequest[] = [];
  private longPollEvents: { n: number; update: unknown }[] = [];
  private longPollFailures: (1 | 2 | 3 | 502)[] = [];
  private longPollServers: string[] = [];
  private longPollKeys = 0;
  private longPollKey = '';
  private held = new Set<() => void>();
  /** How long a request with nothing to answer is held; undefined: the request's own `wait`. */
  longPollHoldMs: number | undefined;
  /** Files posted to the upload servers, in order. */
  readonly uploads: { kind: 'photo' | 'doc'; id: number; token: string; filename: string; size: number }[] = [];
  /** Files on VK's file servers by URL (a photo size's `url`): what the app downloads to copy a resident's photo. */
  readonly files = new Map<string, { bytes: Uint8Array; contentType: string }>();
  /** URLs asked of the file servers, in order (failed ones too). */
  readonly downloads: string[] = [];
  /** Downloads still to fail with this HTTP status (a file server down). */
  private failingDownloads: number[] = [];
  /**
   * VK's file servers as the app reaches them (AppDeps.vkFiles): `files` served, anything else 404,
   * so no test reaches the real userapi.com.
   */
  readonly fileFetch = (async (input: string | URL | Request) => {
    const url = String(input instanceof Request ? input.url : input);
    this.downloads.push(url);
    const failing = this.failingDownloads.shift();
    if (failing !== undefined) return new Response('unavailable', { status: failing });
    const file = this.files.get(url);
    return file ? new Response(Buffer.from(file.bytes), { status: 200, headers: { 'content-type': file.contentType } }) : new Response('not found', { status: 404 });
  }) as typeof fetch;
  /** The next `count` downloads from the file servers answer `status`. */
  failDownloads(count: number, status = 503): void {
    for (let i = 0; i < count; i++) this.failingDownloads.push(status);
  }
  /** VK users by id, as users.get answers them; an id not here is answered as a deleted page. */
  readonly users = new Map<string, { first_name: string; last_name: string }>();
  /** users.get for these ids fails (error 30, a private profile): the app must do without the name. */
  readonly failingUsers = new Set<string>();
  /** What groups.getCallbackConfirmationCode answers. */
  confirmationCode = 'fake1234';
  /** Public walls that wall.get reads, by owner id (newest post first, as VK answers). */
  readonly walls = new Map<string, { id: number; owner_id: number; from_id: number; date: number; text: string; is_pinned?: number; comments: { count: number } }[]>();
  /** Comments under public wall posts (wall.getComments), by `owner_post`, oldest first. */
  readonly postComments = new Map<string, { id: number; from_id: number; date: number; text: string }[]>();
  /** Comments made by wall.createComment, one per distinct guid (a repeated guid posts nothing). */
  readonly wallComments: { id: number; ownerId: string; postId: string; replyTo?: string; fromGroup?: string; text: string; guid?: string }[] = [];
  private nextCommentId = 9000;

  /** A post appears on a public wall (wall.get then lists it first). */
  addWallPost(ownerId: number, post: { id: number; text: string; fromId?: number; date?: number; pinned?: boolean }): void {
    const key = String(ownerId);
    const posts = this.walls.get(key) ?? [];
    posts.unshift({ id: post.id, owner_id: ownerId, from_id: post.fromId ?? 1, date: post.date ?? 1_796_000_000, text: post.text, ...(post.pinned && { is_pinned: 1 }), comments: { count: 0 } });
    this.walls.set(key, posts);
  }

  /** A comment appears under a post of a public wall (its comments.count grows). */
  addWallComment(ownerId: number, postId: number, comment: { id: number; text: string; fromId?: number }): void {
    const key = `${ownerId}_${postId}`;
    this.postComments.set(key, [...(this.postComments.get(key) ?? []), { id: comment.id, from_id: comment.fromId ?? 1, date: 1_796_000_100, text: comment.text }]);
    const post = this.walls.get(String(ownerId))?.find((p) => p.id === postId);
    if (post) post.comments.count++;
  }

  constructor(limits: VkLimits = {}) {
    this.limits = limits;
  }

  /** What to give vk-io as `apiBaseUrl` (and VK_API_BASE_URL). */
  get apiBaseUrl(): string {
    return `${this.url}/method`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const release of [...this.held]) release();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  failNext(failure: VkFailure, match: { peerId?: string | number } = {}): void {
    this.failures.push({ peerId: match.peerId === undefined ? undefined : String(match.peerId), failure });
  }

  /** This user forbids messages from the community: 901 (or another code, e.g. 902 privacy). */
  block(peerId: string | number, errorCode = 901): void {
    this.blocked.set(String(peerId), errorCode);
  }

  /** Messages shown to a peer: sends and edits, in order. */
  messagesTo(peerId: string | number): RecordedVkCall[] {
    return this.calls.filter((c) => (c.method === 'messages.send' || c.method === 'messages.edit') && c.params.peer_id === String(peerId));
  }

  textsTo(peerId: string | number): string[] {
    return this.calls.filter((c) => c.method === 'messages.send' && c.params.peer_id === String(peerId)).map((c) => c.params.message ?? '');
  }

  reset(): void {
    this.calls.length = 0;
    this.rejected.length = 0;
    this.duplicates.length = 0;
    this.failures = [];
    this.sentAt = [];
    this.delivered.clear();
    this.countTooMany = 0;
  }

  /** VK receives these community events (Long Poll update objects: type, object, group_id, event_id); returns the ts after them. */
  queueLongPoll(...updates: unknown[]): string {
    for (const update of updates) this.longPollEvents.push({ n: this.longPollEvents.length + 1, update });
    for (const release of [...this.held]) release();
    return this.longPollTs();
  }

  /** The next groups.getLongPollServer answers point at these servers, in turn (then at this fake again). */
  giveLongPollServers(...servers: string[]): void {
    this.longPollServers.push(...servers);
  }

  /** The next a_check answers `{failed}` (1: history lost, with the current ts; 2: key expired; 3: key and ts lost), or 502 with an HTML page. */
  failLongPoll(failed: 1 | 2 | 3 | 502): void {
    this.longPollFailures.push(failed);
    for (const release of [...this.held]) release();
  }

  /** The ts VK stands at: the number of the next event. */
  longPollTs(): string {
    return String(this.longPollEvents.length + 1);
  }

  waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    return this.waiters.waitFor(predicate, timeoutMs);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.url?.startsWith('/lp?')) return this.longPoll(req, res);
    if (req.url?.startsWith('/upload/')) return this.upload(req, res);
    const method = /^\/method\/([\w.]+)/.exec(req.url ?? '')?.[1];
    const params = await readForm(req);
    if (!method) return this.reply(res, 404, { error: { error_code: 3, error_msg: 'Unknown method passed' } });
    const call: RecordedVkCall = { method, token: params.access_token ?? '', params, at: Date.now() };
    if (!call.token) return this.error(res, call, 5, 'User authorization failed: no access_token passed.');
    const peerId = params.peer_id;

    const failureIndex = this.failures.findIndex((f) => !f.peerId || f.peerId === peerId);
    if (failureIndex >= 0) {
      const [{ failure }] = this.failures.splice(failureIndex, 1) as [{ failure: VkFailure }];
      if ('dropResponse' in failure) {
        return this.process(method, params, call, undefined); // and never answer
      }
      if ('hang' in failure) return void this.rejected.push(call);
      if ('httpStatus' in failure) {
        this.rejected.push(call);
        res.writeHead(failure.httpStatus, { 'content-type': 'text/html' });
        res.end('<html><body>Bad Gateway</body></html>');
        return;
      }
      if (failure.errorCode === 6) this.countTooMany++;
      return this.error(res, call, failure.errorCode, failure.errorMsg);
    }
    if (this.limits.perSecond !== undefined) {
      this.sentAt = this.sentAt.filter((t) => call.at - t < 1000);
      if (this.sentAt.length >= this.limits.perSecond) {
        this.countTooMany++;
        return this.error(res, call, 6, 'Too many requests per second');
      }
      this.sentAt.push(call.at);
    }
    this.process(method, params, call, res);
  }

  /** Does what VK does for an accepted request; `res` undefined loses the answer. */
  private process(method: string, params: Record<string, string>, call: RecordedVkCall, res: ServerResponse | undefined): void {
    const peerId = params.peer_id;
    const answer = (body: unknown): void => {
      if (res) this.reply(res, 200, body);
    };
    const fail = (code: number, message: string): void => {
      if (res) this.error(res, call, code, message);
      else this.rejected.push(call);
    };
    if (method === 'messages.send') {
      if (!peerId) {
        fail(100, 'One of the parameters specified was missing or invalid: peer_id');
        return;
      }
      const blockedCode = this.blocked.get(peerId);
      if (blockedCode !== undefined) {
        fail(blockedCode, "Can't send messages for users without permission");
        return;
      }
      const randomId = params.random_id ?? '0';
      const key = `${peerId}:${randomId}`;
      const previous = randomId === '0' ? undefined : this.delivered.get(key);
      if (previous !== undefined) {
        this.duplicates.push(call);
        answer({ response: previous });
        return;
      }
      const messageId = this.nextMessageId++;
      call.cmid = (this.cmids.get(peerId) ?? 0) + 1;
      this.cmids.set(peerId, call.cmid);
      if (randomId !== '0') this.delivered.set(key, messageId);
      this.accept(call);
      answer({ response: messageId });
      return;
    }
    // messages.edit, messages.sendMessageEventAnswer, groups.*: VK answers 1 (or an object we do not read).
    const invalid = (method === 'messages.edit' && (!peerId || !params.conversation_message_id)) || (method === 'messages.sendMessageEventAnswer' && (!params.event_id || !params.user_id || !peerId));
    if (invalid) {
      fail(100, 'One of the parameters specified was missing or invalid');
      return;
    }
    this.accept(call);
    if (method === 'photos.getMessagesUploadServer') {
      answer({ response: { upload_url: `${this.url}/upload/photo`, album_id: -3, group_id: 1 } });
      return;
    }
    if (method === 'docs.getMessagesUploadServer') {
      answer({ response: { upload_url: `${this.url}/upload/doc` } });
      return;
    }
    if (method === 'photos.saveMessagesPhoto') {
      const upload = this.uploads.find((u) => u.token === params.photo && u.kind === 'photo');
      if (!upload || params.hash !== `hash-${upload.token}`) fail(121, 'Invalid hash');
      else answer({ response: [{ id: upload.id, owner_id: -229000001, album_id: -3, access_key: `key${upload.id}` }] });
      return;
    }
    if (method === 'docs.save') {
      const upload = this.uploads.find((u) => u.token === params.file && u.kind === 'doc');
      if (!upload) fail(100, 'One of the parameters specified was missing or invalid: file');
      else answer({ response: { type: 'doc', doc: { id: upload.id, owner_id: -229000001, title: upload.filename } } });
      return;
    }
    if (method === 'wall.get') {
      const posts = this.walls.get(params.owner_id ?? '') ?? [];
      const offset = Number(params.offset ?? 0);
      const count = Math.min(Number(params.count ?? 20), 100);
      answer({ response: { count: posts.length, items: posts.slice(offset, offset + count) } });
      return;
    }
    if (method === 'wall.getComments') {
      const all = this.postComments.get(`${params.owner_id}_${params.post_id}`) ?? [];
      const ordered = params.sort === 'desc' ? [...all].reverse() : all;
      answer({ response: { count: all.length, items: ordered.slice(0, Math.min(Number(params.count ?? 10), 100)) } });
      return;
    }
    if (method === 'wall.createComment') {
      if (!params.owner_id || !params.post_id || !params.message) {
        fail(100, 'One of the parameters specified was missing or invalid');
        return;
      }
      const previous = params.guid ? this.wallComments.find((c) => c.guid === params.guid) : undefined;
      if (previous) {
        this.duplicates.push(call);
        answer({ response: { comment_id: previous.id, parents_stack: [] } });
        return;
      }
      const comment = {
        id: this.nextCommentId++,
        ownerId: params.owner_id,
        postId: params.post_id,
        replyTo: params.reply_to_comment,
        fromGroup: params.from_group,
        text: params.message,
        guid: params.guid,
      };
      this.wallComments.push(comment);
      answer({ response: { comment_id: comment.id, parents_stack: [] } });
      return;
    }
    if (method === 'groups.getLongPollServer') {
      // A new key each time, as VK does; the old one stops working.
      this.longPollKey = `lp-key-${++this.longPollKeys}`;
      const server = this.longPollServers.shift() ?? `${this.url}/lp`;
      answer({ response: { key: this.longPollKey, server, ts: this.longPollTs() } });
      return;
    }
    if (method === 'users.get') {
      const ids = (params.user_ids ?? '').split(',').filter(Boolean);
      if (ids.some((id) => this.failingUsers.has(id))) {
        fail(30, 'This profile is private');
        return;
      }
      const users = ids.map((id) => {
        const user = this.users.get(id);
        return user ? { id: Number(id), ...user, can_access_closed: true, is_closed: false } : { id: Number(id), first_name: 'DELETED', last_name: '', deactivated: 'deleted' };
      });
      answer({ response: users });
      return;
    }
    const responses: Record<string, unknown> = {
      'groups.getCallbackConfirmationCode': { code: this.confirmationCode },
      'groups.getCallbackServers': { count: 0, items: [] },
      'groups.addCallbackServer': { server_id: 7 },
    };
    answer({ response: Object.hasOwn(responses, method) ? responses[method] : 1 });
  }

  /** The upload server of photos.getMessagesUploadServer / docs.getMessagesUploadServer: takes one file, answers what the save method needs. */
  private async upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const kind = req.url?.startsWith('/upload/photo') ? 'photo' : 'doc';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = parseMultipart(Buffer.concat(chunks), req.headers['content-type'] ?? '');
    const file = form[kind === 'photo' ? 'photo' : 'file'] as Upload | undefined;
    if (!file) return this.reply(res, 200, { error: 'no file' });
    const id = 457_000_000 + this.uploads.length + 1;
    const token = `${kind}-token-${id}`;
    this.uploads.push({ kind, id, token, filename: file.filename, size: file.size });
    return this.reply(res, 200, kind === 'photo' ? { server: 1, photo: token, hash: `hash-${token}` } : { file: token });
  }

  private async longPoll(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const params = await readForm(req);
    const request: LongPollRequest = { key: params.key ?? '', ts: params.ts ?? '', wait: params.wait ?? '', at: Date.now() };
    this.longPollRequests.push(request);
    this.waiters.wake();
    if (params.act !== 'a_check') return this.reply(res, 404, { failed: 'unknown act' });
    const from = Number(request.ts);
    const pending = () => this.longPollEvents.filter((e) => e.n >= from);
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        wake();
      },
      this.longPollHoldMs ?? Number(request.wait || 0) * 1000,
    );
    let wake = () => {};
    res.once('close', () => wake());
    try {
      // Re-checked whenever something happens: a failure asked for, an event queued, the hold over.
      for (;;) {
        if (res.destroyed) return;
        const failed = this.longPollFailures.shift() ?? (request.key !== this.longPollKey || !this.longPollKey ? 2 : undefined);
        if (failed !== undefined) {
          request.failed = failed;
          if (failed === 502) {
            res.writeHead(502, { 'content-type': 'text/html' });
            res.end('<html><body>Bad Gateway</body></html>');
            return;
          }
          if (failed === 1) return this.reply(res, 200, { failed: 1, ts: this.longPollTs() });
          this.longPollKey = '';
          return this.reply(res, 200, { failed });
        }
        if (pending().length > 0 || timedOut) return this.reply(res, 200, { ts: this.longPollTs(), updates: pending().map((e) => e.update) });
        await new Promise<void>((resolve) => {
          wake = () => {
            this.held.delete(wake);
            resolve();
          };
          this.held.add(wake);
        });
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private accept(call: RecordedVkCall): void {
    this.calls.push(call);
    this.waiters.wake();
  }

  private error(res: ServerResponse, call: RecordedVkCall, code: number, message: string): void {
    this.rejected.push(call);
    this.reply(res, 200, { error: { error_code: code, error_msg: message, request_params: [{ key: 'method', value: call.method }] } });
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}

async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const query = new URL(req.url ?? '/', 'http://x').searchParams;
  return Object.fromEntries([...query, ...new URLSearchParams(body)]);
}
