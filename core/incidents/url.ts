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
