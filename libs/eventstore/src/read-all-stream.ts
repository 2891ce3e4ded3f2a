import type { StoredEvent } from '@lianban/contracts';
import type { EventStore, LeanEvent, ReadAllOptions } from './port';

export interface ReadAllStreamOptions {
  /** start after this position (exclusive); default 0 */
  after?: number;
  /** stop after this position (inclusive); default: run until a read returns nothing */
  until?: number;
  /** events fetched per readAll call; default 1000 */
  pageSize?: number;
}

/**
 * Every event of the store in global order, fetched one page at a time, so a replay or an
 * export of millions of events holds one page in memory. Pass `until: await store.headPosition()`
 * to replay a fixed range while writers keep appending.
 *
 *   for await (const event of readAllStream(store, { after: checkpoint })) { ... }
 */
export async function* readAllStream(
  store: EventStore,
  options: ReadAllStreamOptions = {},
): AsyncGenerator<StoredEvent, void, undefined> {
  for await (const page of readAllPages(store, options)) yield* page;
}

/** The same as readAllStream, one page (array) at a time, for callers that work in batches. */
export async function* readAllPages(
  store: EventStore,
  options: ReadAllStreamOptions = {},
): AsyncGenerator<StoredEvent[], void, undefined> {
  const pageSize = options.pageSize ?? 1000;
  const until = options.until ?? Number.POSITIVE_INFINITY;
  let after = options.after ?? 0;
  while (after < until) {
    const page = await store.readAll({ after, limit: pageSize });
    if (page.length === 0) return;
    const inRange = page.filter((e) => e.position <= until);
    if (inRange.length > 0) yield inRange;
    if (inRange.length < page.length) return;
    after = page[page.length - 1].position;
  }
}

/** The store's readAllLean where it has one, else its readAll (whose events are lean events and more). */
export function readAllLean(store: EventStore, options: ReadAllOptions): Promise<LeanEvent[]> {
  return store.readAllLean ? store.readAllLean(options) : store.readAll(options);
}
