import { DomainError } from '../errors.ts';

const URL_PATTERN = /^https?:\/\/[^\s]{1,1990}$/i;

export function validUrl(raw: unknown, field: string): string {
  const url = typeof raw === 'string' ? raw.trim() : '';
  if (!URL_PATTERN.test(url)) throw new DomainError('VALIDATION', { field, problem: 'an http(s) URL of at most 2000 characters' });
  try {
    new URL(url);
  } catch {
    throw new DomainError('VALIDATION', { field, problem: 'not a valid URL' });
  }
  return url;
}

/**
 * The URL of a page anyone can open (an answer published by hand under a post): validUrl's, and
 * written out whole, `http(s)://` then a host name with a dot (`vk.com`, not `vk`, `localhost` or
 * `http:///vk.com`, which the URL parser would quietly repair). Any site: the answer goes where
 * the post is, and posts come from VK, OK, Telegram channels and the municipalities' own sites.
 */
export function publicPageUrl(raw: unknown, field: string): string {
  const url = validUrl(raw, field);
  const host = /^https?:\/\/([^/?#:@]+)(?::\d+)?(?:[/?#]|$)/i.exec(url)?.[1] ?? '';
  if (!/^[^.]+(\.[^.]+)+\.?$/.test(host)) throw new DomainError('VALIDATION', { field, problem: 'an absolute http(s) URL of a public page (https://vk.com/…)' });
  return url;
}

/** Hosts whose mobile site (m.<host>) shows the same posts at the same paths. */
const MOBILE_MIRRORED = ['vk.com', 'vk.ru', 'ok.ru'];

/**
 * A post's (or a page's) URL in one spelling, so that the same post sent again under another is a
 * repeat (incidents are unique by their source URL, KPI 16's publications by theirs): https, the host without `www.` (and without `m.` for
 * VK and OK), no trailing slash, no fragment, no `utm_*` tags. Anything else (a comment's
 * `?reply=`) is kept as it is.
 */
export function canonicalSourceUrl(valid: string): string {
  const url = new URL(valid);
  url.protocol = 'https:';
  let host = url.hostname.replace(/^www\./, '');
  if (host.startsWith('m.') && MOBILE_MIRRORED.includes(host.slice(2))) host = host.slice(2);
  url.hostname = host;
  url.hash = '';
  for (const name of [...url.searchParams.keys()]) if (/^utm_/i.test(name)) url.searchParams.delete(name);
  if (url.pathname.length > 1) url.pathname = url.pathname.replace(/\/+$/, '');
  // URL keeps a bare '?' once every parameter is gone.
  return url.toString().replace(/\?$/, '');
}
