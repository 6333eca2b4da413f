import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig, schema } from './config.ts';
import { ConfigError } from './startup-failure.ts';

const example = readFileSync(new URL('.env.example', import.meta.url), 'utf8');
const readme = readFileSync(new URL('README.md', import.meta.url), 'utf8');

describe('configuration', () => {
  it('.env.example copied to .env as it is starts with the defaults (empty values are unset ones)', () => {
    expect(loadConfig(parseEnv(example))).toEqual(loadConfig({}));
  });

  it('every variable the app reads is in .env.example and in the README', () => {
    const listed = Object.keys(parseEnv(example));
    for (const name of Object.keys(schema.shape)) {
      expect(listed, name).toContain(name);
      expect(readme, name).toContain(`| \`${name}\` |`);
    }
  });

  it('a value that is set still wins, and a wrong one is refused with its name', () => {
    expect(loadConfig({ PORT: '8080', VK_GROUP_ID: '42' })).toMatchObject({ PORT: 8080, VK_GROUP_ID: 42 });
    expect(() => loadConfig({ VK_GROUP_ID: 'abc' })).toThrow('VK_GROUP_ID');
  });

  it('PUBLIC_URL is a base URL: a bare host name or a path is refused at start instead of broken links later', () => {
    for (const url of ['https://otklik.example.org', 'https://otklik.example.org/', 'http://localhost:3000']) expect(loadConfig({ PUBLIC_URL: url }).PUBLIC_URL).toBe(url);
    for (const url of ['otklik.example.org', 'ftp://otklik.example.org', 'https://otklik.example.org/otklik', 'https://otklik.example.org/?a=1']) {
      expect(() => loadConfig({ PUBLIC_URL: url }), url).toThrow(/PUBLIC_URL: must be the public base URL/);
    }
  });

  it('MEDIA_S3_ENDPOINT that is not an http(s) URL is refused, not silently replaced by AWS', () => {
    expect(loadConfig({ MEDIA_S3_ENDPOINT: 'http://minio:9000' }).MEDIA_S3_ENDPOINT).toBe('http://minio:9000');
    for (const endpoint of ['minio', 'minio:9000', '//minio:9000']) {
      expect(() => loadConfig({ MEDIA_S3_ENDPOINT: endpoint }), endpoint).toThrow(/MEDIA_S3_ENDPOINT: must be an http\(s\) URL/);
    }
  });

  it('one S3 key without the other is refused naming the missing one (it was dropped for the default credentials), never printing the key', () => {
    expect(() => loadConfig({ MEDIA_S3_ACCESS_KEY_ID: 'AKIDEXAMPLE' })).toThrow(/^invalid configuration: MEDIA_S3_SECRET_ACCESS_KEY: must be set with the other S3 key/);
    expect(() => loadConfig({ MEDIA_S3_SECRET_ACCESS_KEY: 'wJalr-secret' })).toThrow(/^invalid configuration: MEDIA_S3_ACCESS_KEY_ID: must be set with the other S3 key/);
    expect(() => loadConfig({ MEDIA_S3_SECRET_ACCESS_KEY: 'wJalr-secret' })).not.toThrow(/wJalr-secret/);
    expect(loadConfig({ MEDIA_S3_ACCESS_KEY_ID: 'AKIDEXAMPLE', MEDIA_S3_SECRET_ACCESS_KEY: 'wJalr-secret' }).MEDIA_S3_SECRET_ACCESS_KEY).toBe('wJalr-secret');
  });

  it('a bootstrap token shorter than 32 characters is refused at once, with its name and the minimum', () => {
    expect(() => loadConfig({ ADMIN_BOOTSTRAP_TOKEN: 'changeme' })).toThrow(/ADMIN_BOOTSTRAP_TOKEN: must be at least 32 characters/);
    expect(loadConfig({ ADMIN_BOOTSTRAP_TOKEN: 'x'.repeat(32) }).ADMIN_BOOTSTRAP_TOKEN).toBe('x'.repeat(32));
    expect(loadConfig({ ADMIN_BOOTSTRAP_TOKEN: '' }).ADMIN_BOOTSTRAP_TOKEN).toBeUndefined();
  });

  it('values the app could only fail on later are refused at start with their name (each a one-line message)', () => {
    const refused: [string, string, RegExp][] = [
      ['DATABASE_URL', 'otklik:secret@db:5432/otklik', /DATABASE_URL: must be a PostgreSQL URL/],
      ['DATABASE_URL', 'mysql://db/otklik', /DATABASE_URL: must be a PostgreSQL URL/],
      ['KPI_RATING_WEIGHTS', 'speed=fast', /KPI_RATING_WEIGHTS: bad entry 'speed=fast'/],
      ['KPI_RATING_WEIGHTS', 'quantity=0,quality=0,speed=0,completeness=0', /KPI_RATING_WEIGHTS: at least one weight must be above 0/],
      ['TELEGRAM_WEBHOOK_SECRET', 'my secret!', /TELEGRAM_WEBHOOK_SECRET: may hold only A-Z, a-z, 0-9, _ and -/],
      ['TELEGRAM_API_ROOT', 'ftp://api.telegram.org', /TELEGRAM_API_ROOT: must be an http\(s\) URL/],
      ['VK_API_BASE_URL', 'file:///etc/passwd', /VK_API_BASE_URL: must be an http\(s\) URL/],
      ['MAP_TILE_URL', 'tiles.example.org', /MAP_TILE_URL: must be an http\(s\) tile URL template/],
      ['MAP_TILE_URL', 'https://tiles.example.org/tile.png', /MAP_TILE_URL: must be an http\(s\) tile URL template/],
      // Under 2 h the sweep could remove bytes an upload in flight put (a put renews them only when over an hour old).
      ['MEDIA_ORPHAN_GRACE_HOURS', '1', /MEDIA_ORPHAN_GRACE_HOURS/],
      ['MEDIA_ORPHAN_GRACE_HOURS', 'day', /MEDIA_ORPHAN_GRACE_HOURS/],
    ];
    for (const [name, value, message] of refused) {
      expect(() => loadConfig({ [name]: value }), `${name}=${value}`).toThrow(message);
      expect(() => loadConfig({ [name]: value }), `${name}=${value}`).toThrow(ConfigError);
    }
    expect(loadConfig({ DATABASE_URL: 'postgresql://otklik:pw@db:5432/otklik', TELEGRAM_WEBHOOK_SECRET: 'Abc_-9', KPI_RATING_WEIGHTS: 'speed=2' })).toMatchObject({
      DATABASE_URL: 'postgresql://otklik:pw@db:5432/otklik',
      TELEGRAM_WEBHOOK_SECRET: 'Abc_-9',
      KPI_RATING_WEIGHTS: 'speed=2',
    });
    for (const url of ['postgres:///otklik?host=/run/postgresql', 'socket:/run/postgresql?db=otklik', '/run/postgresql otklik', 'postgres://u:p@db/otklik?sslmode=require']) {
      expect(loadConfig({ DATABASE_URL: url }).DATABASE_URL, url).toBe(url);
    }
    expect(loadConfig({ MAP_TILE_URL: 'https://{s}.tile.example.org/{z}/{x}/{y}.png' }).MAP_TILE_URL).toBe('https://{s}.tile.example.org/{z}/{x}/{y}.png');
    // Leaflet's TMS rows ({-y}) are a tile template too.
    expect(loadConfig({ MAP_TILE_URL: 'https://tiles.example.org/{z}/{x}/{-y}.png' }).MAP_TILE_URL).toBe('https://tiles.example.org/{z}/{x}/{-y}.png');
  });

  it("a Telegram token not in @BotFather's form, outbox timings that would send a row twice, and METRICS_PORT on PORT are refused at start", () => {
    for (const token of ['"123456:ABC-def"', '123456 ABC', 'ABC-def']) {
      expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: token }), token).toThrow(/TELEGRAM_BOT_TOKEN: must be the token @BotFather gave/);
    }
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: '7000000001:AAH_x-9' }).TELEGRAM_BOT_TOKEN).toBe('7000000001:AAH_x-9');
    expect(() => loadConfig({ OUTBOX_LEASE_MS: '10000', OUTBOX_SEND_TIMEOUT_MS: '15000' })).toThrow(/OUTBOX_LEASE_MS: must be above OUTBOX_SEND_TIMEOUT_MS \(15000\)/);
    expect(() => loadConfig({ OUTBOX_SEND_TIMEOUT_MS: '60000' })).toThrow(/OUTBOX_LEASE_MS: must be above OUTBOX_SEND_TIMEOUT_MS \(60000\)/);
    expect(() => loadConfig({ OUTBOX_BACKOFF_MAX_MS: '1000' })).toThrow(/OUTBOX_BACKOFF_MAX_MS: must not be below OUTBOX_BACKOFF_BASE_MS \(2000\)/);
    expect(loadConfig({ OUTBOX_LEASE_MS: '20000', OUTBOX_SEND_TIMEOUT_MS: '15000' }).OUTBOX_LEASE_MS).toBe(20000);
    expect(() => loadConfig({ METRICS_PORT: '3000' })).toThrow(/METRICS_PORT: must differ from PORT \(3000\)/);
    expect(loadConfig({ PORT: '8080', METRICS_PORT: '9464' }).METRICS_PORT).toBe(9464);
  });
});
