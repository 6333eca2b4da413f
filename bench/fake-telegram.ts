import { Worker } from 'node:worker_threads';
import type { TelegramLimits } from '../test/fakes/telegram-api.ts';

export interface FakeApiHandle {
  url: string;
  count(): Promise<{ accepted: number; count429: number }>;
  dump(): Promise<{ calls: { text: string; at: number }[]; count429: number; rejectedAt: number[] }>;
  stop(): Promise<void>;
}

/** Runs the fake Bot API in a worker thread (see bench/fake-telegram-worker.ts). */
export async function startFakeApi(limits: TelegramLimits): Promise<FakeApiHandle> {
  const worker = new Worker(new URL('./fake-telegram-worker.ts', import.meta.url), { workerData: limits });
  const next = <T>(type: string) =>
    new Promise<T>((resolve) => {
      const onMessage = (message: { type: string } & T) => {
        if (message.type !== type) return;
        worker.off('message', onMessage);
        resolve(message);
      };
      worker.on('message', onMessage);
    });
  const { url } = await next<{ url: string }>('ready');
  const ask = <T>(type: string) => {
    const answer = next<T>(type);
    worker.postMessage({ type });
    return answer;
  };
  return {
    url,
    count: () => ask('count'),
    dump: () => ask('dump'),
    stop: async () => {
      worker.postMessage({ type: 'stop' });
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}
