/** Tiny files whose first bytes are those of real formats (the store sniffs them; the fakes do not decode). */
export function jpegBytes(size = 256, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);
  for (let i = 10; i < size; i++) bytes[i] = (i * 31 + seed) % 251;
  return bytes;
}

export function pngBytes(size = 256): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return bytes;
}

export function mp4Bytes(size = 512): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set([0x00, 0x00, 0x00, 0x18, ...Buffer.from('ftypisom')]);
  for (let i = 12; i < size; i++) bytes[i] = i % 200;
  return bytes;
}
