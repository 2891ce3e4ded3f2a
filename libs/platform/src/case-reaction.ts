import type { Actor, StoredEvent } from '@lianban/contracts';
import { caseDecider, DomainError, type CaseFile } from '@lianban/domain';
import { StreamConflictError } from '@lianban/eventstore';
import type { CaseCommandRunner } from './case-command-runner';
import type { CaseReader } from './case-reader';
import type { ReactionOutcome } from './consumers/event-consumers';

/** How often a reaction re-reads the case and tries again when another writer moved it on meanwhile. */
const MAX_ATTEMPTS = 5;

type CaseCommand = Parameters<typeof caseDecider.decide>[0];

export interface CaseReaction {
  /** the event reacted to: the recorded event is caused by it */
  cause: StoredEvent;
  caseId: string;
  /** the recorded event's id, derived from the cause: the case holding it says the reaction already happened */
  eventId: string;
  actor: Actor;
  agencyId?: string | null;
  /** the command, dated at the cause unless the case moved on since: a case's history never goes back */
  command: (at: string) => CaseCommand;
  /** false when the case, as read, is not this process's to write (another region's) */
  mine?: (file: CaseFile) => boolean;
  /** a refusal that means the case got there another way: it changes nothing, and is no failure */
  settledBy?: string;
}

/**
 * A process manager's one event on a case, idempotent through its derived id. The runner cannot
 * retry it by itself: with a fixed id a stream conflict may be our own earlier append (a
 * redelivery racing the first delivery), so the case is read again here and the id looked for.
 */
export async function reactOnCase(reader: CaseReader, runner: CaseCommandRunner, r: CaseReaction): Promise<ReactionOutcome> {
  for (let attempt = 1; ; attempt++) {
    const found = await reader.file(r.caseId);
    if (!found || (r.mine && !r.mine(found.file))) return 'ignored';
    if (found.events.some((x) => x.id === r.eventId)) return 'duplicate';
    const at = Date.parse(found.file.lastEventAt) > Date.parse(r.cause.occurredAt) ? found.file.lastEventAt : r.cause.occurredAt;
    try {
      const appended = await runner.run({
        caseId: r.caseId, streamId: `case-${r.caseId}`, decider: caseDecider, actor: r.actor, agencyId: r.agencyId ?? null,
        causationId: r.cause.id, eventIds: [r.eventId], command: r.command(at),
        // what was just read decides the first attempt: a second read of the same case was half a reaction's cost
        history: found.events,
      });
      return appended.length > 0 ? 'applied' : 'duplicate';
    } catch (err) {
      if (r.settledBy && err instanceof DomainError && err.code === r.settledBy) return 'ignored';
      if (err instanceof StreamConflictError && attempt < MAX_ATTEMPTS) continue;
      throw err;
    }
  }
}
