/** Small builders of update templates for tests (the Conversation completes ids, sender and chat). */
export const text = (value: string) => ({ message: { text: value } });
export const press = (label: string) => ({ callback_query: { data: `$press:${label}` } });
export const tap = (data: string) => ({ callback_query: { data } });
export const location = (latitude: number, longitude: number) => ({ message: { location: { latitude, longitude } } });
export const photo = (id: string) => ({
  message: { photo: [{ file_id: `${id}-s`, file_unique_id: `${id}-us`, width: 90, height: 60 }, { file_id: `${id}-l`, file_unique_id: `${id}-ul`, width: 1280, height: 853 }] },
});
export const sticker = () => ({ message: { sticker: { file_id: 'CAACsticker', file_unique_id: 'AgADsticker', type: 'regular', width: 512, height: 512, is_animated: false, is_video: false } } });

/** A Kemerovo point inside the demo boundary (centre 55.3547, 86.0873). */
export const KEMEROVO = { lat: 55.3601, lon: 86.0902 };
export const MOSCOW = { lat: 55.7558, lon: 37.6173 };

let nextUser = 6_100_000_000;
/** A fresh Telegram user (ids above 2^31, as real ones are). */
export function newUser(firstName = 'Иван', languageCode = 'ru') {
  return { id: nextUser++ * 1 + Math.floor(Math.random() * 1000) * 1000, is_bot: false as const, first_name: firstName, language_code: languageCode };
}
