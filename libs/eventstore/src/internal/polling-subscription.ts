import type { StoredEvent } from '@lianban/contracts';
import type { SubscribeOptions, SubscriptionHandle } from '../port';

export interface SubscriptionLogger {
  warn(message: string): void;
}

export const consoleLogger: SubscriptionLogger = {
  warn: (message) => console.warn(`[eventstore] ${message}`),
};

/** What a table-backed store offers the shared polling subscriber. */
export interface PollingSource {
  readAfter(position: number, limit: number): Promise<StoredEvent[]>;
  loadCheckpoint(id: string): Promise<number>;
  saveCheckpoint(id: string, position: number): Promise<void>;
  /** registers a wake-up called after events were committed; returns the unregister function */
  onAppended(listener: () => void): () => void;
}

const MAX_RETRY_PAUSE_MS = 5_000;

/**
 * Follows a store from the subscriber's checkpoint: read a batch after the checkpoint, hand it
 * to the handler, save the checkpoint only once the handler resolved (at-least-once). When there
 * is nothing to read it sleeps until an in-process append wakes it or the poll interval passes
 * (appends made by other processes are found by the poll).
 */
export function startPollingSubscription(
  source: PollingSource,
  options: SubscribeOptions,
  logger: SubscriptionLogger,
): SubscriptionHandle {
  const { subscriberId, handler } = options;
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  let running = true;
  // set by an append that happened while we were busy, so the next idle wait returns at once
  let appendedSinceRead = false;
  let wakeIdle: (() => void) | null = null;
  let wakePause: (() => void) | null = null;

  const unlisten = source.onAppended(() => {
    appendedSinceRead = true;
    wakeIdle?.();
  });

  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      if (appendedSinceRead || !running) return resolve();
      const timer = setTimeout(done, ms);
      wakeIdle = done;
      function done() {
        clearTimeout(timer);
        wakeIdle = null;
        resolve();
      }
    });

  // a failing handler is retried after this pause even if appends keep arriving; only stop() cuts it
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (!running) return resolve();
      const timer = setTimeout(done, ms);
      wakePause = done;
      function done() {
        clearTimeout(timer);
        wakePause = null;
        resolve();
      }
    });

  const retryPause = (failures: number) =>
    Math.min(Math.max(pollIntervalMs, 10) * 2 ** Math.min(failures - 1, 10), MAX_RETRY_PAUSE_MS);

  const loop = (async () => {
    let checkpoint: number | null = null;
    let failures = 0;
    while (running) {
      try {
        if (checkpoint === null) checkpoint = await source.loadCheckpoint(subscriberId);
        appendedSinceRead = false;
        const batch = await source.readAfter(checkpoint, batchSize);
        if (!running) break;
        if (batch.length === 0) {
          await idle(pollIntervalMs);
          continue;
        }
        await handler(batch);
        const last = batch[batch.length - 1].position;
        // the in-memory checkpoint moves on even if saving fails: a restart redelivers, which
        // at-least-once allows, while re-running the batch now would only repeat the failure
        checkpoint = last;
        await source.saveCheckpoint(subscriberId, last);
        failures = 0;
        // a short batch was the end of the store when it was read: unless an append woke us
        // since, reading again at once would find nothing (one empty read per wake-up saved)
        if (batch.length < batchSize) await idle(pollIntervalMs);
      } catch (error) {
        failures += 1;
        const wait = retryPause(failures);
        logger.warn(
          `subscriber ${subscriberId}: ${(error as Error)?.message ?? String(error)}; retrying in ${wait} ms`,
        );
        await pause(wait);
      }
    }
  })();

  return {
    async stop() {
      if (running) {
        running = false;
        unlisten();
        wakeIdle?.();
        wakePause?.();
      }
      await loop;
    },
  };
}
