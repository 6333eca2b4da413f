/**
 * A place typed or pasted as text, for residents whose messenger cannot share a location (Telegram
 * Desktop, VK in a browser): "55.3601, 86.0902", or a link from Yandex Maps, 2GIS or Google Maps.
 * Only the coordinates are read; whether the point is in a municipality is checked as for a shared one.
 */
export interface TypedPlace {
  lat: number;
  lon: number;
}

const NUMBER = String.raw`-?\d{1,3}(?:\.\d+)?`;
/** Plain coordinates: latitude then longitude, separated by a comma and/or spaces. */
const PLAIN = new RegExp(String.raw`^\s*(${NUMBER})\s*[,;\s]\s*(${NUMBER})\s*$`);
/** Links that put longitude first: Yandex Maps (ll=, pt=, whatshere[point]=) and 2GIS (m=, /geo/). */
const LON_FIRST = new RegExp(String.raw`(?:[?&](?:ll|pt|whatshere%5Bpoint%5D|whatshere\[point\]|m)=|/geo/)(${NUMBER})(?:,|%2C)(${NUMBER})`, 'i');
/** Google Maps: /@lat,lon,zoom or ?q= / ?query= lat,lon. */
const LAT_FIRST = new RegExp(String.raw`(?:/@|[?&](?:q|query|ll)=)(${NUMBER})(?:,|%2C)\+?(${NUMBER})`, 'i');

function point(lat: number, lon: number): TypedPlace | undefined {
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return undefined;
  return { lat, lon };
}

export function placeFromText(text: string): TypedPlace | undefined {
  const plain = PLAIN.exec(text);
  if (plain) return point(Number(plain[1]), Number(plain[2]));
  if (!/^\s*https?:\/\//i.test(text)) return undefined;
  const google = /google\.[a-z.]+\/maps|goo\.gl\/maps|maps\.google\./i.test(text) ? LAT_FIRST.exec(text) : null;
  if (google) return point(Number(google[1]), Number(google[2]));
  const lonFirst = LON_FIRST.exec(text);
  if (lonFirst) return point(Number(lonFirst[2]), Number(lonFirst[1]));
  return undefined;
}
