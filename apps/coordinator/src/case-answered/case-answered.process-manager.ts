import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { StoredEvent } from '@lianban/contracts';
import { caseDecider, DomainError, TaskEventTypes, type ReplyIssued } from '@lianban/domain';
import { StreamConflictError } from '@lianban/eventstore';
import {
  CaseCommandRunner, CaseReader, CONFIG, derivedEventId, EventConsumers, isCaseOfOtherRegion, type LianbanConfig, type ReactionOutcome,
} from '@lianban/platform';

export const CASE_ANSWERED_SUBSCRIBER = 'coordinator.case-answered';

/** The coordinator's consumer: group `<region>.coordinator` on `<region>.case-events` (Kafka). */
export const COORDINATOR_CONSUMER = 'coordinator';

/** How often a decision is re-read and retried when another writer moved the case on meanwhile. */
const MAX_ATTEMPTS = 5;

/**
 * Turns the lead agency's reply (in its own task stream) into "case answered" on the case
 * stream. The bureau never writes into an agency's stream nor the agency into the case's:
 * the reply reaches the bureau as an event (DESIGN 3.1) — consumed from `<region>.case-events`
 * in distributed mode, from the store in embedded mode (EventConsumers decides).
 *
 * Idempotent through the store: the answer's event id is derived from the reply's id, so the
 * case's own events say whether this reply was already applied, and a redelivery racing the
 * first delivery is refused by the store (duplicate id) in the append itself.
 */
@Injectable()
export class CaseAnsweredProcessManager implements OnModuleInit {
  constructor(
    private readonly consumers: EventConsumers,
    private readonly runner: CaseCommandRunner,
    private readonly reader: CaseReader,
    @Inject(CONFIG) private readonly config: LianbanConfig,
  ) {}

  onModuleInit(): void {
    this.consumers.register({
      consumer: COORDINATOR_CONSUMER, source: { topic: 'case-events' }, reaction: 'case-answered', react: (e) => this.react(e),
    });
  }

  async react(e: StoredEvent): Promise<ReactionOutcome> {
    if (e.type !== TaskEventTypes.ReplyIssued) return 'ignored';
    const reply = e.data as ReplyIssued['data'];
    const answerId = derivedEventId(CASE_ANSWERED_SUBSCRIBER, e.id);
    for (let attempt = 1; ; attempt++) {
      const found = await this.reader.file(e.caseId);
      // a joint case of the other region: its coordinator answers it, and the answer comes here as a copy
      if (!found || isCaseOfOtherRegion(this.config, found.file.region)) return 'ignored';
      if (found.events.some((x) => x.id === answerId)) return 'duplicate';
      // The answer is dated at the reply, unless the case moved on since: its history never goes back.
      const at = Date.parse(found.file.lastEventAt) > Date.parse(e.occurredAt) ? found.file.lastEventAt : e.occurredAt;
      try {
        await this.runner.run({
          caseId: e.caseId, streamId: `case-${e.caseId}`, decider: caseDecider,
          actor: { id: 'coordinator/case-answered', role: 'system' }, causationId: e.id, eventIds: [answerId],
          command: {
            kind: 'RecordCaseAnswered', at, leadAgencyId: e.agencyId ?? '', outcome: reply.outcome, text: reply.text, replyEventId: e.id,
            repliedAt: e.occurredAt,
          },
        });
        return 'applied';
      } catch (err) {
        // answered by another reply already: this one is not a redelivery, and it changes nothing
        if (err instanceof DomainError && err.code === 'CASE_ALREADY_ANSWERED') return 'ignored';
        // either our own answer got in first (the next read sees its id) or another writer did
        if (err instanceof StreamConflictError && attempt < MAX_ATTEMPTS) continue;
        throw err;
      }
    }
  }
}
