import type { StoredEvent } from '@lianban/contracts';
import type { EventStore } from '@lianban/eventstore';
import { isAgencyFacing } from './audience';

/**
 * The first event of a case's own stream. Agency-facing events are the case stream's and its
 * task streams', and a task stream exists only once the case stream assigned it, so no
 * agency-facing event of the case comes before this one.
 */
export function isCaseStart(e: StoredEvent): boolean {
  return e.revision === 0 && e.streamId === `case-${e.caseId}`;
}

/** A case's stored events (readByCase), read at most once per batch. */
export type CaseHistory = (caseId: string) => Promise<StoredEvent[]>;

/**
 * How a sender that follows the store (the outbox relay, the cross-region outbound) routes a
 * case's agency-facing events: what it holds of each case, what an event brings in, and when it
 * must read the case's history to route an event.
 */
export interface CaseRouting<Held extends { position: number }> {
  /** what the sender holds per case (its cache): an entry is as of `position`, so it serves the events after it */
  held: ReadonlyMap<string, Held>;
  /** what an entry of `held` knows is in the case */
  known(held: Held): Iterable<string>;
  /** what e brings into its case (agencies for the relay, their regions for the outbound) */
  named(e: StoredEvent): string[];
  /** whether routing e reads the case's history, given what e brings in that was not there before (never called with none) */
  readsFor(e: StoredEvent, newlyNamed: string[]): boolean;
}

/**
 * The case reads a batch needs, started together before the batch is routed, so the store
 * serves them side by side instead of one round trip after another. Which cases need one is
 * found by routing the batch on what is known without reading (what the sender holds, the case
 * starts); the read itself is the one the routing would have made: it is taken after every
 * event of the batch was stored, and the routing only uses the events before the one it routes.
 * A read the pass did not foresee is still made, when the routing asks for it.
 */
export function startCaseReads<Held extends { position: number }>(store: EventStore, events: readonly StoredEvent[], routing: CaseRouting<Held>): CaseHistory {
  const reads = new Map<string, Promise<StoredEvent[]>>();
  const read: CaseHistory = (caseId) => {
    let r = reads.get(caseId);
    if (!r) {
      r = store.readByCase(caseId);
      // observed now: a read started early and never awaited (the batch failed first) must not be an unhandled rejection
      r.catch(() => undefined);
      reads.set(caseId, r);
    }
    return r;
  };
  /** per case, what is known so far in this pass; null once a read is under way anyway */
  const known = new Map<string, Set<string> | null>();
  const startRead = (caseId: string) => {
    void read(caseId);
    known.set(caseId, null);
  };
  for (const e of events) {
    if (!isAgencyFacing(e)) continue;
    if (!known.has(e.caseId)) {
      const held = routing.held.get(e.caseId);
      if (held && held.position < e.position) known.set(e.caseId, new Set(routing.known(held)));
      else if (isCaseStart(e)) known.set(e.caseId, new Set());
      else startRead(e.caseId);
    }
    const so = known.get(e.caseId);
    if (!so) continue;
    const newly = routing.named(e).filter((x) => !so.has(x));
    if (newly.length === 0) continue;
    if (routing.readsFor(e, newly)) startRead(e.caseId);
    else for (const x of newly) so.add(x);
  }
  return read;
}
