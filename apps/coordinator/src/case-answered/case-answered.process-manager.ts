import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { StoredEvent } from '@lianban/contracts';
import { TaskEventTypes, type ReplyIssued } from '@lianban/domain';
import {
  CaseCommandRunner, CaseReader, CONFIG, derivedEventId, EventConsumers, keptHere, reactOnCase, type LianbanConfig, type ReactionOutcome,
} from '@lianban/platform';

export const CASE_ANSWERED_SUBSCRIBER = 'coordinator.case-answered';

/** The coordinator's consumer: group `<region>.coordinator` on `<region>.case-events` (Kafka). */
export const COORDINATOR_CONSUMER = 'coordinator';

/**
 * Turns the lead agency's reply (in its own task stream) into "case answered" on the case
 * stream. The bureau never writes into an agency's stream nor the agency into the case's:
 * the reply reaches the bureau as an event (DESIGN 3.1) — consumed from `<region>.case-events`
 * in distributed mode, from the store in embedded mode (EventConsumers decides).
 *
 * Idempotent through the store: the answer's event id is derived from the reply's id, so the
 * case's own events say whether this reply was already applied, and a redelivery racing the
 * first delivery is refused by the store (duplicate id) in the append itself.
 *
 * Only the case's home region answers it (DESIGN 6): a reply on another region's joint case —
 * a copy of its lead's reply, or this region's agency replying as its lead — is that region's
 * to turn into the answer, and it does so from its own copy of the reply.
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
    return reactOnCase(this.reader, this.runner, {
      cause: e, caseId: e.caseId, eventId: derivedEventId(CASE_ANSWERED_SUBSCRIBER, e.id), actor: { id: 'coordinator/case-answered', role: 'system' },
      command: (at) => ({
        kind: 'RecordCaseAnswered', at, leadAgencyId: e.agencyId ?? '', outcome: reply.outcome, text: reply.text, replyEventId: e.id, repliedAt: e.occurredAt,
      }),
      mine: (file) => keptHere(this.config, file.region),
      // answered by another reply already: this one is not a redelivery, and it changes nothing
      settledBy: 'CASE_ALREADY_ANSWERED',
    });
  }
}
