import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { StoredEvent } from '@lianban/contracts';
import { caseDecider, DomainError, TaskEventTypes, type ReplyIssued } from '@lianban/domain';
import { CaseCommandRunner, CaseReader, EventFeed } from '@lianban/platform';

export const CASE_ANSWERED_SUBSCRIBER = 'coordinator.case-answered';

/**
 * Turns the lead agency's reply (in its own task stream) into "case answered" on the case
 * stream. The bureau never writes into an agency's stream nor the agency into the case's:
 * the reply reaches the bureau as an event (DESIGN 3.1). Redelivery is harmless: a case is
 * answered once, and the second attempt is refused by the decider and passed over.
 */
@Injectable()
export class CaseAnsweredProcessManager implements OnApplicationBootstrap {
  constructor(private readonly feed: EventFeed, private readonly runner: CaseCommandRunner, private readonly reader: CaseReader) {}

  onApplicationBootstrap(): void {
    this.feed.follow(CASE_ANSWERED_SUBSCRIBER, (e) => this.react(e));
  }

  async react(e: StoredEvent): Promise<void> {
    if (e.type !== TaskEventTypes.ReplyIssued) return;
    const reply = e.data as ReplyIssued['data'];
    const found = await this.reader.file(e.caseId);
    if (!found) return;
    // The answer is dated at the reply, unless the case moved on since: its history never goes back.
    const at = Date.parse(found.file.lastEventAt) > Date.parse(e.occurredAt) ? found.file.lastEventAt : e.occurredAt;
    try {
      await this.runner.run({
        caseId: e.caseId, streamId: `case-${e.caseId}`, decider: caseDecider,
        actor: { id: 'coordinator/case-answered', role: 'system' }, causationId: e.id,
        command: { kind: 'RecordCaseAnswered', at, leadAgencyId: e.agencyId ?? '', outcome: reply.outcome, text: reply.text, replyEventId: e.id },
      });
    } catch (err) {
      if (err instanceof DomainError && err.code === 'CASE_ALREADY_ANSWERED') return;
      throw err;
    }
  }
}
