import type { StoredEvent } from '@lianban/contracts';
import { startPollingSubscription, type PollingSource } from './polling-subscription';

const quiet = { warn: () => undefined };
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('startPollingSubscription', () => {
  it('after a batch shorter than its size, waits for the next append instead of reading the end again', async () => {
    const events = [1, 2].map((position) => ({ position }) as StoredEvent);
    const reads: number[] = [];
    let wake: () => void = () => undefined;
    const source: PollingSource = {
      readAfter: async (after, limit) => {
        reads.push(after);
        return events.filter((e) => e.position > after).slice(0, limit);
      },
      loadCheckpoint: async () => 0,
      saveCheckpoint: async () => undefined,
      onAppended: (listener) => {
        wake = listener;
        return () => undefined;
      },
    };
    const handled: number[][] = [];
    const handle = startPollingSubscription(source, {
      subscriberId: 's', batchSize: 10, pollIntervalMs: 60_000, handler: async (batch) => void handled.push(batch.map((e) => e.position)),
    }, quiet);
    try {
      while (handled.length < 1) await turn();
      for (let i = 0; i < 5; i++) await turn();
      expect(reads).toEqual([0]);
      events.push({ position: 3 } as StoredEvent);
      wake();
      while (handled.length < 2) await turn();
      for (let i = 0; i < 5; i++) await turn();
      expect(handled).toEqual([[1, 2], [3]]);
      expect(reads).toEqual([0, 2]);
    } finally {
      await handle.stop();
    }
  });

  it('reads on at once after a full batch, and after an append that came while it was handling one', async () => {
    const events = [1, 2, 3].map((position) => ({ position }) as StoredEvent);
    let wake: () => void = () => undefined;
    const handled: number[][] = [];
    const source: PollingSource = {
      readAfter: async (after, limit) => events.filter((e) => e.position > after).slice(0, limit),
      loadCheckpoint: async () => 0,
      saveCheckpoint: async () => undefined,
      onAppended: (listener) => {
        wake = listener;
        return () => undefined;
      },
    };
    const handle = startPollingSubscription(source, {
      subscriberId: 's', batchSize: 2, pollIntervalMs: 60_000,
      handler: async (batch) => {
        handled.push(batch.map((e) => e.position));
        if (handled.length === 2) {
          events.push({ position: 4 } as StoredEvent);
          wake();
        }
      },
    }, quiet);
    try {
      while (handled.length < 3) await turn();
      expect(handled).toEqual([[1, 2], [3], [4]]);
    } finally {
      await handle.stop();
    }
  });
});
