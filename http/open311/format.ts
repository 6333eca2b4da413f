import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { XMLBuilder } from 'fast-xml-parser';

/**
 * GeoReport v2 answers in the format named by the resource's extension: `.xml` (text/xml, the
 * spec's required format) or `.json` (the Spark convention: the XML's list element becomes an
 * array). Both UTF-8, the XML with its declaration.
 */
export type Format = 'json' | 'xml';
export const FORMATS: readonly Format[] = ['json', 'xml'];
export const CONTENT_TYPES: Record<Format, string> = { json: 'application/json; charset=utf-8', xml: 'text/xml; charset=utf-8' };

const builder = new XMLBuilder({ format: true, processEntities: true, suppressEmptyNode: false });

/** `name.format` → its parts, or null when the extension is not one of ours. */
export function splitResource(file: string): { name: string; format: Format } | null {
  const dot = file.lastIndexOf('.');
  if (dot <= 0) return null;
  const format = file.slice(dot + 1) as Format;
  return FORMATS.includes(format) ? { name: file.slice(0, dot), format } : null;
}

/**
 * XML 1.0's Char production: C0 controls but tab, LF and CR, lone surrogates, U+FFFE and U+FFFF
 * cannot be in a document at all, escaped or not. A resident's text may hold one (pasted from
 * elsewhere); written as is, it would make the whole document unreadable to any XML parser.
 */
function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || code >= 0x10000;
}

/** XML has no null: an absent value is an empty element, as in the spec's examples. A character XML cannot carry becomes U+FFFD. */
function xmlValue(value: unknown): unknown {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return [...value].map((ch) => (isXmlChar(ch.codePointAt(0)!) ? ch : '\uFFFD')).join('');
  if (Array.isArray(value)) return value.map(xmlValue);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, xmlValue(v)]));
  return value;
}

/**
 * Renders `data`: JSON as it is; XML as <root><item>…</item>…</root> for a list (`item` given),
 * or <root>…</root> for an object. `wrap` names a nested list's item element (e.g. formats → format).
 */
export function respond(c: Context, format: Format, status: ContentfulStatusCode, data: unknown, root: string, item?: string): Response {
  // CORS headers come from the app's middleware (OPEN311_CORS in georeport.ts).
  const headers = { 'content-type': CONTENT_TYPES[format] };
  if (format === 'json') return c.body(JSON.stringify(data), status, headers);
  const body = item ? { [root]: { [item]: xmlValue(data) } } : { [root]: xmlValue(data) };
  return c.body(`<?xml version="1.0" encoding="utf-8"?>\n${builder.build(body)}`, status, headers);
}

/** The spec's error document: a list of { code, description }. */
export function respondError(c: Context, format: Format, status: 400 | 403 | 404 | 409 | 413 | 422 | 500, description: string, code: number = status): Response {
  return respond(c, format, status, [{ code, description }], 'errors', 'error');
}
