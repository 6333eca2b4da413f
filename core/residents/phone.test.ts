import { describe, expect, it } from 'vitest';
import { contactPhone, normalizeRussianPhone } from './phone.ts';

describe('normalizeRussianPhone', () => {
  it.each([
    ['+7 900 123-45-67', '+79001234567'],
    ['8 (900) 123-45-67', '+79001234567'],
    ['89001234567', '+79001234567'],
    ['79001234567', '+79001234567'],
    ['9001234567', '+79001234567'],
    [' +7(900)123.45.67 ', '+79001234567'],
  ])('%s → %s', (typed, phone) => {
    expect(normalizeRussianPhone(typed)).toBe(phone);
  });

  it.each(['12-34', '+8 900 123 45 67', '+1 202 555 0100', '900123456', '+7 900 123 45 678', 'телефон 89001234567', '', '8-800-ABC-00-00'])('refuses %j', (typed) => {
    expect(normalizeRussianPhone(typed)).toBeNull();
  });

  it('keeps a shared contact as digits with a plus', () => {
    expect(contactPhone('79001234567')).toBe('+79001234567');
    expect(contactPhone('+44 20 7946 0958')).toBe('+442079460958');
  });
});
