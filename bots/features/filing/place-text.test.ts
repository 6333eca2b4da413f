import { describe, expect, it } from 'vitest';
import { placeFromText } from './place-text.ts';

describe('a place typed or pasted as text', () => {
  it.each([
    ['55.3601, 86.0902', { lat: 55.3601, lon: 86.0902 }],
    ['  55.3601 86.0902 ', { lat: 55.3601, lon: 86.0902 }],
    ['55.3601;86.0902', { lat: 55.3601, lon: 86.0902 }],
    ['https://yandex.ru/maps/64/kemerovo/?ll=86.090200%2C55.360100&z=17', { lat: 55.3601, lon: 86.0902 }],
    ['https://yandex.ru/maps/?pt=86.0902,55.3601&z=16&l=map', { lat: 55.3601, lon: 86.0902 }],
    ['https://yandex.ru/maps/?whatshere%5Bpoint%5D=86.0902%2C55.3601&whatshere%5Bzoom%5D=17', { lat: 55.3601, lon: 86.0902 }],
    ['https://2gis.ru/kemerovo/geo/86.0902,55.3601', { lat: 55.3601, lon: 86.0902 }],
    ['https://2gis.ru/kemerovo?m=86.0902%2C55.3601%2F16', { lat: 55.3601, lon: 86.0902 }],
    ['https://www.google.com/maps/@55.3601,86.0902,17z', { lat: 55.3601, lon: 86.0902 }],
    ['https://maps.google.com/?q=55.3601,86.0902', { lat: 55.3601, lon: 86.0902 }],
  ])('%s', (text, expected) => {
    expect(placeFromText(text)).toEqual(expected);
  });

  it.each(['ул. Ленина, 5', '55.3601', '95.1, 86.0', '55.36, 186.09', 'дом 12 14', 'https://yandex.ru/maps/kemerovo/', ''])('not a place: %s', (text) => {
    expect(placeFromText(text)).toBeUndefined();
  });
});
