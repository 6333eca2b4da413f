import { createMiddleware } from 'hono/factory';
import { findUnsafeText, TEXT_PROBLEM_MESSAGES } from '../../../core/text/unsafe-text.ts';
import type { ApiEnv } from '../env.ts';
import { problemResponse } from '../problem.ts';

type FieldError = { in: string; path: string; message: string };

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

function decode(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    return undefined; // not percent-encoded UTF-8 (e.g. an encoded lone surrogate, %ED%A0%80)
  }
}

/** Every query parameter, decoded by ourselves: Hono keeps an undecodable one as raw text instead of refusing it. */
function queryErrors(search: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const [rawName, rawValue] = at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
    const name = decode(rawName);
    const value = decode(rawValue);
    if (name === undefined || value === undefined) {
      errors.push({ in: 'query', path: name ?? rawName, message: 'is not valid percent-encoded UTF-8' });
      continue;
    }
    const badName = findUnsafeText(name);
    const found = badName ?? findUnsafeText(value);
    if (found) errors.push({ in: 'query', path: badName ? rawName : name, message: TEXT_PROBLEM_MESSAGES[found.problem] });
  }
  return errors;
}

/**
 * One check of every text that reaches the admin API, before any route sees it: query parameters
 * and JSON bodies (every string and key, at any depth). Path parameters are ids or enums, checked
 * by their schemas (a test keeps it so). NUL and lone surrogates answer
 * 400 VALIDATION naming the field, as a schema error would; no route (present or future) has to
 * remember it, and PostgreSQL never gets text it refuses. Runs after authentication, so an
 * anonymous caller still gets 401 first.
 */
export function rejectUnsafeText() {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const url = new URL(c.req.url);
    const errors = queryErrors(url.search);
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && JSON_TYPE.test(c.req.header('content-type') ?? '')) {
      // Parsed once here; the route's validator gets the same parsed body from Hono's cache. A body
      // that is not JSON is left to the validator, which answers it as before.
      const body: unknown = await c.req.json().catch(() => undefined);
      const found = findUnsafeText(body);
      if (found) errors.push({ in: 'json', path: found.path.join('.'), message: TEXT_PROBLEM_MESSAGES[found.problem] });
    }
    if (errors.length > 0) return problemResponse(c, { status: 400, code: 'VALIDATION', errors });
    await next();
  });
}
