import { parentPort, workerData } from 'node:worker_threads';
import { FakeTelegramApi, type TelegramLimits } from '../test/fakes/telegram-api.ts';

/**
 * The fake Bot API on a thread of its own, as the real one is on another machine: its request
 * handling then neither steals the sender's event loop nor is delayed by the database (PGlite runs
 * on the main thread). Answers `count` with counters and `dump` with every accepted call.
 */
const api = await new FakeTelegramApi(workerData as TelegramLimits).start();
const port = parentPort!;
port.postMessage({ type: 'ready', url: api.url });
port.on('message', async (message: { type: string }) => {
  if (message.type === 'count') port.postMessage({ type: 'count', accepted: api.calls.length, count429: api.count429 });
  if (message.type === 'dump') {
    port.postMessage({ type: 'dump', count429: api.count429, calls: api.calls.map((c) => ({ text: String(c.params.text ?? ''), at: c.at })), rejectedAt: api.rejected.map((c) => c.at) });
  }
  if (message.type === 'stop') {
    await api.stop();
    port.close();
  }
});
