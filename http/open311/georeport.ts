import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../core/db/types.ts';
import { jurisdictionMunicipality, listServiceRequests, listServices, unknownServiceCodes, type Open311Status } from '../../core/open311/georeport.ts';
import { authenticate } from '../../core/access/api-keys.service.ts';
import { PostRefused, postServiceRequest } from '../../core/open311/post.ts';
import { formFingerprint, IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY, startIdempotent } from '../api/middleware/idempotency.ts';
import type { Logger } from '../../logger.ts';
import { DomainError } from '../../core/errors.ts';
import { type LocalRange, parsePeriod, periodInstants } from '../../core/stats/period.ts';
import { timeZoneOf } from '../../core/news/local-time.ts';
import { limitBodySize } from '../body-limit.ts';
import { clientGone, clientGoneResponse } from '../client-gone.ts';
import { TEXT_PROBLEM_MESSAGES, textProblem } from '../../core/text/unsafe-text.ts';
import { CONTENT_TYPES, respond, respondError, splitResource, type Format } from './format.ts';

/**
 * Open311 GeoReport v2, read side, public (no key): discovery, services, service requests and one
 * service request, each as .json and .xml. Errors are the spec's list of { code, description }
 * with the HTTP status 400 (a request that cannot be served), 404 (no such resource) or 500.
 * POST requests.{format} takes service requests of integration keys (staff role `integration`)
 * into the incident triage queue (core/open311/post.ts).
 */
export interface Open311Deps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Public base URL of the app (PUBLIC_URL); the request's own origin when unset. */
  publicUrl?: string;
  /** Discovery's human contact line (OPEN311_CONTACT). */
  contact: string;
}

export const SPECIFICATION = 'http://wiki.open311.org/GeoReport_v2';
/** Bumped when the shape of this endpoint changes (the discovery's sortable changeset). */
export const CHANGESET = '2026-12-03T12:00:00Z';
/** The spec's response volume: at most this many requests, within at most this many days. */
export const MAX_REQUESTS = 1000;
export const MAX_SPAN_DAYS = 90;
const DAY_MS = 86_400_000;

// The offset as the W3C note writes it (+07:00) or as ISO 8601's basic form (+0700), which city systems send too.
const W3_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):?(\d{2}))$/;

/** The name of the first `name=value` pair of a urlencoded text whose value is not percent-encoded UTF-8. */
function undecodableField(encoded: string): string | undefined {
  for (const pair of encoded.split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const [name, value] = at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
    try {
      decodeURIComponent(value.replaceAll('+', ' '));
    } catch {
      try {
        return decodeURIComponent(name.replaceAll('+', ' '));
      } catch {
        return 'a field name';
      }
    }
  }
  return undefined;
}

/** A w3 datetime with its time zone (the spec requires one); null when malformed or impossible. */
export function parseW3Datetime(text: string): Date | null {
  const m = W3_DATETIME.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second = '0', offH = '0', offM = '0'] = m.slice(1).map((v) => v ?? undefined) as string[];
  const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (calendar.getUTCMonth() !== Number(month) - 1 || calendar.getUTCDate() !== Number(day)) return null;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59 || Number(offH) > 14 || Number(offM) > 59) return null;
  const at = new Date(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(at.getTime()) ? null : at;
}

/**
 * A start_date / end_date value as the instants it covers: a w3 datetime is one instant; the W3C
 * note's coarser forms (www.w3.org/TR/NOTE-datetime), a year (2026), a year and month (2026-11) or
 * a date alone (2026-11-01), are that whole period in `timeZone` (core/stats/period.ts, without its
 * ISO weeks), from its first midnight to the one after it (`next`, excluded). Null when malformed
 * or impossible (2026-13, 2026-02-30, 2026-W05).
 */
async function parseW3Date(text: string, timeZone: () => Promise<string>): Promise<{ first: Date; next?: Date } | null> {
  let period: LocalRange;
  try {
    period = parsePeriod(text, { isoWeeks: false });
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    const at = parseW3Datetime(text);
    return at && { first: at };
  }
  const { from, to } = periodInstants(period, await timeZone());
  return { first: from, next: to };
}

class Open311Error extends Error {
  readonly status: 400 | 404;
  constructor(status: 400 | 404, description: string) {
    super(description);
    this.status = status;
  }
}

/** Every value a query parameter is given. NUL never reaches PostgreSQL. */
function values(c: Context, name: string): string[] {
  const given = c.req.queries(name) ?? [];
  if (given.some((v) => v.includes('\u0000'))) throw new Open311Error(400, `${name} holds a NUL character`);
  return given;
}

/** The spec's "optional": an empty parameter is the same as one not given. */
function param(c: Context, name: string): string | undefined {
  const [value, ...more] = values(c, name);
  // One value read and the others dropped would answer another question than the one asked.
  if (more.length > 0) throw new Open311Error(400, `${name} is given more than once`);
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * A comma-separated list parameter. Given more than once (a client library's array:
 * service_code=a&service_code=b), its values are all of them, as service_code=a,b.
 */
function list(c: Context, name: string): string[] | undefined {
  const items = values(c, name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  return items.length === 0 ? undefined : items;
}

async function jurisdiction(c: Context, db: Db): Promise<number | undefined> {
  const id = param(c, 'jurisdiction_id');
  if (id === undefined) return undefined;
  const municipality = await jurisdictionMunicipality(db, id);
  if (municipality === null) throw new Open311Error(404, `jurisdiction_id not found: ${id}`);
  return municipality;
}

/**
 * start_date / end_date by the spec: the most recent 90 days by default, never a longer span. A year,
 * a month or a date alone is that whole period in `timeZone` (the jurisdiction's, else the region's):
 * start_date from its first instant, end_date up to its last (`toExcluded`: the next period's first
 * midnight is not in the range).
 */
async function dateRange(c: Context, now: Date, timeZone: () => Promise<string>): Promise<{ from: Date; to: Date; toExcluded: boolean }> {
  const read = async (name: string) => {
    const raw = param(c, name);
    if (raw === undefined) return undefined;
    // A '+' of the offset sent unencoded (curl '…T10:00:00+07:00') is decoded as a space by the query: put back.
    const text = raw.replace(/^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$/, '$1+$2');
    const at = await parseW3Date(text, timeZone);
    if (!at) throw new Open311Error(400, `${name} is not a w3 date (2026, 2026-11 or 2026-11-01) or datetime with a time zone (2026-11-01T00:00:00Z): ${text}`);
    return at;
  };
  const start = (await read('start_date'))?.first;
  const endDate = await read('end_date');
  const end = endDate?.next ?? endDate?.first;
  const toExcluded = endDate?.next !== undefined;
  const span = MAX_SPAN_DAYS * DAY_MS;
  const from = start ?? new Date((end ?? now).getTime() - span);
  const to = end ?? (start ? new Date(start.getTime() + span) : now);
  if (to < from || (toExcluded && to.getTime() === from.getTime())) throw new Open311Error(400, 'end_date is before start_date');
  if (to.getTime() - from.getTime() > span) throw new Open311Error(400, `start_date and end_date may not span more than ${MAX_SPAN_DAYS} days`);
  return { from, to, toExcluded };
}

/**
 * `page` (from 1) and `page_size` (at most MAX_REQUESTS, the default), the paging extension city
 * endpoints commonly have: a client that walks pages until one comes back empty gets each request
 * once, and the requests past the first 1,000 of a range can be reached.
 */
function paging(c: Context): { limit: number; offset: number } {
  const whole = (name: string, max: number) => {
    const raw = param(c, name);
    if (raw === undefined) return undefined;
    const n = /^\d{1,9}$/.test(raw) ? Number(raw) : 0;
    if (n < 1 || n > max) throw new Open311Error(400, `${name} must be a whole number from 1 to ${max}`);
    return n;
  };
  const size = whole('page_size', MAX_REQUESTS) ?? MAX_REQUESTS;
  const page = whole('page', 1_000_000) ?? 1;
  return { limit: size, offset: (page - 1) * size };
}

/**
 * CORS for browsers on other origins (a city's map page, an aggregator's web app): every answer,
 * errors included, carries `Access-Control-Allow-Origin: *`, and a preflight (OPTIONS) of any
 * Open311 route is 204 with the methods and the request headers a POST of a city app's web client
 * sends (`Content-Type`, `Idempotency-Key`). No credentials: the API key travels in the form. The
 * admin API and the console stay same-origin (this is mounted on /open311/v2 alone).
 */
export const OPEN311_CORS = {
  origin: '*',
  allowMethods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
  allowHeaders: ['Content-Type', IDEMPOTENCY_HEADER],
  exposeHeaders: ['Idempotent-Replayed'],
  maxAge: 86_400,
};

/**
 * The largest POST body: a request is a handful of fields, the description at most 4,000 characters
 * (16 KB of UTF-8, three times that percent-encoded), its media a URL. The key is checked only after
 * the body is read, so an anonymous client must not make the instance buffer more.
 */
export const OPEN311_BODY_LIMIT = 256 * 1024;

function tooLarge(c: Context): Response {
  return respondError(c, splitResource(c.req.param('file') ?? '')?.format ?? 'json', 413, `The request body is larger than ${OPEN311_BODY_LIMIT} bytes`);
}

export function createOpen311App(deps: Open311Deps): Hono {
  const app = new Hono();
  const { db } = deps;
  app.use('*', cors(OPEN311_CORS));

  const discovery = (c: Context, format: Format) => {
    const url = `${(deps.publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, '')}/open311/v2`;
    const base = {
      changeset: CHANGESET,
      contact: deps.contact,
      key_service: 'Keys for posting requests are issued by the platform operator as integration keys of an organisation and a municipality.',
    };
    const endpoint = { specification: SPECIFICATION, url, changeset: CHANGESET, type: 'production' };
    const formats = [CONTENT_TYPES.xml.split(';')[0]!, CONTENT_TYPES.json.split(';')[0]!];
    return format === 'json'
      ? respond(c, format, 200, { ...base, endpoints: [{ ...endpoint, formats }] }, 'discovery')
      : respond(c, format, 200, { ...base, endpoints: { endpoint: [{ ...endpoint, formats: { format: formats } }] } }, 'discovery');
  };

  const services = async (c: Context, format: Format) => {
    await jurisdiction(c, db);
    return respond(c, format, 200, await listServices(db), 'services', 'service');
  };

  const requests = async (c: Context, format: Format) => {
    const municipalityId = await jurisdiction(c, db);
    const idList = list(c, 'service_request_id');
    if (idList) {
      if (idList.length > MAX_REQUESTS || !idList.every((id) => /^\d{1,9}$/.test(id))) throw new Open311Error(400, 'service_request_id must be a comma-separated list of request ids');
      return respond(c, format, 200, await listServiceRequests(db, { ids: idList.map(Number), municipalityId, limit: MAX_REQUESTS }), 'service_requests', 'request');
    }
    const serviceCodes = list(c, 'service_code');
    const unknown = await unknownServiceCodes(db, serviceCodes ?? []);
    if (unknown.length > 0) throw new Open311Error(400, `service_code not found: ${unknown.join(', ')}`);
    const status = list(c, 'status');
    if (status && !status.every((s) => s === 'open' || s === 'closed')) throw new Open311Error(400, 'status must be open, closed or both (comma-separated)');
    let zone: Promise<string> | undefined;
    const { from, to, toExcluded } = await dateRange(c, deps.clock(), () => (zone ??= timeZoneOf(db, municipalityId ?? null)));
    const { limit, offset } = paging(c);
    const found = await listServiceRequests(db, { serviceCodes, status: status as Open311Status[] | undefined, from, to, toExcluded, municipalityId, limit, offset });
    return respond(c, format, 200, found, 'service_requests', 'request');
  };

  app.get('/:file', async (c) => {
    const resource = splitResource(c.req.param('file'));
    if (!resource) return respondError(c, 'json', 404, 'Not found: resources are discovery, services and requests, each .json or .xml');
    if (resource.name === 'discovery') return discovery(c, resource.format);
    if (resource.name === 'services') return services(c, resource.format);
    if (resource.name === 'requests') return requests(c, resource.format);
    return respondError(c, resource.format, 404, `No such resource: ${resource.name}`);
  });

  app.get('/requests/:file', async (c) => {
    const resource = splitResource(c.req.param('file'));
    if (!resource) return respondError(c, 'json', 404, 'Not found: ask requests/<id>.json or requests/<id>.xml');
    const municipalityId = await jurisdiction(c, db);
    const found = /^\d{1,9}$/.test(resource.name) ? await listServiceRequests(db, { ids: [Number(resource.name)], municipalityId, limit: 1 }) : [];
    if (found.length === 0) return respondError(c, resource.format, 404, `service_request_id not found: ${resource.name}`);
    return respond(c, resource.format, 200, found, 'service_requests', 'request');
  });

  app.get('/services/:file', (c) => {
    const resource = splitResource(c.req.param('file'));
    // Every service has metadata=false: there are no service definitions to ask for.
    return respondError(c, resource?.format ?? 'json', 404, 'No service definitions: every service has metadata=false');
  });

  // POST requests.{format}: an integration key's service request, into the incident triage queue.
  app.post('/:file', limitBodySize(OPEN311_BODY_LIMIT, tooLarge), async (c) => {
    const resource = splitResource(c.req.param('file'));
    if (resource?.name !== 'requests') return respondError(c, resource?.format ?? 'json', 404, `Not found: POST ${c.req.path}`);
    const type = c.req.header('content-type') ?? '';
    const isJson = /^application\/json\s*(;|$)/i.test(type);
    if (!isJson && !/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) {
      return respondError(c, resource.format, 400, "POST requests takes a form (application/x-www-form-urlencoded or multipart/form-data) or a JSON object of the form's fields (application/json)");
    }
    // A form or query field that is not UTF-8 would be read with U+FFFD in place of its bytes: refused,
    // as the admin API refuses it (an encoded lone surrogate, %ED%A0%80, included).
    const urlEncoded = /^application\/x-www-form-urlencoded/i.test(type) ? await c.req.text().catch(() => '') : '';
    const undecodable = undecodableField(`${urlEncoded}&${new URL(c.req.url).search.slice(1)}`);
    if (undecodable !== undefined) return respondError(c, resource.format, 400, `${undecodable} is not valid percent-encoded UTF-8`);
    const read = isJson ? await jsonFields(c.req.raw) : await c.req.parseBody().catch(() => 'the form could not be read');
    if (typeof read === 'string') return respondError(c, resource.format, 400, read);
    const form = read;
    const field = (name: string): string | undefined => {
      const value = form[name] ?? c.req.query(name);
      if (typeof value !== 'string') return undefined;
      if (value.includes('\u0000')) throw new Open311Error(400, `${name} holds a NUL character`);
      return value.trim() === '' ? undefined : value.trim();
    };
    const run = async (): Promise<Response> => {
      try {
        const { token } = await postServiceRequest(
          db,
          {
            apiKey: field('api_key'),
            serviceCode: field('service_code'),
            jurisdictionId: field('jurisdiction_id'),
            lat: field('lat'),
            long: field('long'),
            description: field('description'),
            mediaUrl: field('media_url'),
            firstName: field('first_name'),
            lastName: field('last_name'),
          },
          deps.clock(),
        );
        // Moderated first: no service_request_id until a moderator accepts it (then it is a message).
        const notice = 'Принято на модерацию: заявка будет опубликована после проверки модератором.';
        return respond(c, resource.format, 201, [{ token, service_notice: notice, account_id: null }], 'service_requests', 'request');
      } catch (error) {
        if (error instanceof PostRefused) return respondError(c, resource.format, error.status, error.message);
        throw error;
      }
    };
    // Idempotency-Key (as on the admin API's POSTs): a city app that lost the answer sends the same
    // request again and gets the first answer back instead of a second item in the triage queue.
    const idempotencyKey = c.req.header(IDEMPOTENCY_HEADER);
    if (idempotencyKey === undefined) return run();
    if (!IDEMPOTENCY_KEY.test(idempotencyKey)) return respondError(c, resource.format, 400, 'Idempotency-Key must be 1 to 255 visible ASCII characters');
    const apiKey = field('api_key');
    const principal = apiKey === undefined ? null : await authenticate(db, apiKey, deps.clock()).catch(() => null);
    // No valid integration key: refused whatever the key, nothing to keep.
    if (principal?.role !== 'integration') return run();
    const fingerprint = await formFingerprint('POST', `${c.req.path}${new URL(c.req.url).search}`, form);
    const start = await startIdempotent(deps, { apiKeyId: principal.keyId, key: idempotencyKey }, fingerprint, (status, code) =>
      respondError(
        c,
        resource.format,
        status,
        code === 'IDEMPOTENCY_KEY_IN_USE' ? 'A request with this Idempotency-Key is still being processed: try again shortly' : 'This Idempotency-Key was used for a different request',
      ),
    );
    if (start.kind === 'answer') return start.response;
    let res: Response;
    try {
      res = await run();
    } catch (error) {
      await start.finish(new Response(null, { status: 500 }));
      throw error;
    }
    await start.finish(res);
    return res;
  });

  app.all('*', (c) => respondError(c, c.req.path.endsWith('.xml') ? 'xml' : 'json', 404, `Not found: ${c.req.method} ${c.req.path}`));

  app.onError((error, c) => {
    // A body that failed to arrive: one warning, by http/app.ts.
    if (clientGone(c)) return clientGoneResponse();
    const format = c.req.path.endsWith('.xml') ? 'xml' : 'json';
    if (error instanceof Open311Error) return respondError(c, format, error.status, error.message);
    deps.logger.error({ err: error, path: c.req.path }, 'open311 request failed');
    return respondError(c, format, 500, 'General service error: try again later');
  });
  return app;
}

/**
 * A JSON body's fields as a form's (a browser app's `fetch` sends JSON more readily than a form):
 * an object of strings or numbers (lat and long often come as numbers), null or absent for a field
 * not given; anything else is a refusal's description.
 */
async function jsonFields(request: Request): Promise<Record<string, string> | string> {
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    return 'the JSON body could not be read';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the JSON body must be an object of the request fields';
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) {
    if (value === null) continue;
    if (typeof value === 'number' && Number.isFinite(value)) fields[name] = String(value);
    else if (typeof value === 'string') {
      const problem = textProblem(value) ?? textProblem(name);
      if (problem) return `${name} ${TEXT_PROBLEM_MESSAGES[problem]}`;
      fields[name] = value;
    } else return `${name} must be a string or a number`;
  }
  return fields;
}
