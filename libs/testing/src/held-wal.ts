import type { WalFileSync } from '@lianban/eventstore';

/**
 * A WAL fsync (WalSync's) that finishes or fails only when the test says so. The one on the
 * calling thread (syncNow, a lone append's) cannot be held: it is counted, and fails once told to.
 */
export function heldWalFile() {
  const waiting: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  let syncedNow = 0;
  let nowFails: Error | null = null;
  const file: WalFileSync = {
    sync: () => new Promise<void>((resolve, reject) => waiting.push({ resolve, reject })),
    syncNow: () => {
      if (nowFails) throw nowFails;
      syncedNow += 1;
    },
    close: async () => undefined,
  };
  return {
    file,
    /** syncs started and not finished yet */
    get held() {
      return waiting.length;
    },
    /** syncs on the calling thread that succeeded */
    get syncedNow() {
      return syncedNow;
    },
    /** every later sync on the calling thread throws `e` */
    failNow: (e: Error) => {
      nowFails = e;
    },
    release: () => waiting.splice(0).forEach((w) => w.resolve()),
    fail: (e: Error) => waiting.splice(0).forEach((w) => w.reject(e)),
  };
}

/** `promise`, and whether it has settled yet */
export function track<T>(promise: Promise<T>): { settled: boolean; promise: Promise<T> } {
  const state = { settled: false, promise };
  promise.then(() => (state.settled = true), () => (state.settled = true));
  return state;
}

/** lets the event loop turn `n` times: whatever could move without the held sync has moved */
export async function turns(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}
