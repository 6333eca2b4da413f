import type { MediaKind } from './media.table.ts';

export interface SniffedType {
  mime: string;
  kind: MediaKind;
}

const startsWith = (bytes: Uint8Array, signature: number[], at = 0) => signature.every((b, i) => bytes[at + i] === b);
const ascii = (bytes: Uint8Array, from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));

/** Every type sniffMediaType answers: the only ones the media store holds and serves. */
export const MEDIA_MIME_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'video/mp4'] as const;

/**
 * The real type of a file from its first bytes, whatever its name or declared type says. Only what
 * both messengers show inline is accepted: JPEG, PNG and WebP images, MP4 (ISO base media) video.
 */
export function sniffMediaType(bytes: Uint8Array): SniffedType | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { mime: 'image/jpeg', kind: 'image' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { mime: 'image/png', kind: 'image' };
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return { mime: 'image/webp', kind: 'image' };
  if (bytes.length >= 12 && ascii(bytes, 4, 8) === 'ftyp') {
    const brand = ascii(bytes, 8, 12);
    // QuickTime (.mov) is not MP4: Telegram shows it as a document, VK may refuse it.
    if (brand !== 'qt  ') return { mime: 'video/mp4', kind: 'video' };
  }
  return undefined;
}
