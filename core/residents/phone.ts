/**
 * A Russian phone number as a resident types it ("8 (923) 123-45-67", "+7 923 1234567",
 * "9231234567") → `+7XXXXXXXXXX`; anything else (too short, letters, another country) → null.
 * Spaces, dashes, dots and brackets are allowed between the digits.
 */
export function normalizeRussianPhone(typed: string): string | null {
  const trimmed = typed.trim();
  if (!/^\+?[\d\s\-().]{10,24}$/.test(trimmed)) return null;
  const digits = trimmed.replace(/\D/g, '');
  const plus = trimmed.startsWith('+');
  if (digits.length === 11 && digits.startsWith('7')) return `+${digits}`;
  if (!plus && digits.length === 11 && digits.startsWith('8')) return `+7${digits.slice(1)}`;
  if (!plus && digits.length === 10 && digits.startsWith('9')) return `+7${digits}`;
  return null;
}

/** A number shared as a messenger contact (always the owner's): digits and a leading plus. */
export function contactPhone(shared: string): string {
  const digits = shared.replace(/\D/g, '').slice(0, 15);
  return `+${digits}`;
}
