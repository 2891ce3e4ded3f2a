import {
  agencyTopic, caseEventsTopic, encodeEventMessage, type EventMessage, type StoredEvent, type TopicNaming,
} from '@lianban/contracts';
import type { EventStore, SubscriptionHandle } from '@lianban/eventstore';
import type { MessageBus, TopicMessages } from '@lianban/messaging';
import { agencyTopicMessage } from './accuser-protection';
import { agenciesNamedBy, isAgencyFacing } from './audience';
import { isCaseStart, startCaseReads, type CaseHistory } from './case-reads';
import { publicData } from './redaction';

export interface RelayLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface EventRelayOptions {
  naming: TopicNaming;
  /** agency topics to create at start, so agency consumers can subscribe before any assignment */
  agencies: string[];
  /** the durable checkpoint's id (default `relay.<prefix><region>`) */
  subscriberId?: string;
  /** store events per batch (default 200) */
  batchSize?: number;
  /** how many cases' audiences are kept in memory (default 10 000); a case not held is re-read */
  cacheCases?: number;
  /** largest sum of message bytes sent in one publish call, all topics together (default 512 KiB, under Kafka's 1 MiB batch limit) */
  maxPublishBytes?: number;
  logger?: RelayLogger;
  /** called once a batch is published (metrics) */
  onRelayed?: (events: StoredEvent[]) => void;
}

export const CASE_EVENTS_PARTITIONS = 6;
export const AGENCY_TOPIC_PARTITIONS = 3;

interface CaseAudience {
  /** the last event folded in */
  position: number;
  agencies: Set<string>;
}

const silent: RelayLogger = { log: () => undefined, warn: () => undefined };

/**
 * The outbox relay (DESIGN 5): the event store is the outbox. It follows the store from a
 * durable checkpoint and publishes every stored event, personal data removed, to
 * `<region>.case-events`, and each event of a case's own streams to the topic of every agency
 * concerned with that case. The checkpoint is saved only after every publish of a batch
 * resolved (the store subscription's contract), so nothing unstored is ever sent and, after a
 * crash, nothing stored stays unsent: the batch is sent again, and consumers' inboxes drop the
 * repeats.
 *
 * An agency becomes concerned when an event first names it (assignment, transfer, appeal…);
 * it is then sent the case's earlier events before that one, so its topic alone is enough to
 * rebuild its view of the case.
 */
export class EventRelay {
  private readonly audiences = new Map<string, CaseAudience>();
  private readonly topicsMade = new Set<string>();
  private handle: SubscriptionHandle | null = null;
  private readonly logger: RelayLogger;
  readonly subscriberId: string;

  constructor(private readonly store: EventStore, private readonly bus: MessageBus, private readonly options: EventRelayOptions) {
    this.logger = options.logger ?? silent;
    this.subscriberId = options.subscriberId ?? `relay.${options.naming.prefix}${options.naming.region}`;
  }

  /** creates the topics, then follows the store in the background */
  async start(): Promise<void> {
    const caseEvents = caseEventsTopic(this.options.naming);
    await this.bus.createTopics([
      { topic: caseEvents, partitions: CASE_EVENTS_PARTITIONS },
      ...this.options.agencies.map((a) => ({ topic: agencyTopic(this.options.naming, a), partitions: AGENCY_TOPIC_PARTITIONS })),
    ]);
    this.topicsMade.add(caseEvents);
    for (const a of this.options.agencies) this.topicsMade.add(agencyTopic(this.options.naming, a));
    const from = await this.store.loadCheckpoint(this.subscriberId);
    this.logger.log(`relaying the store from position ${from} to ${caseEvents} and the agency topics`);
    this.handle = this.store.subscribe({
      subscriberId: this.subscriberId,
      batchSize: this.options.batchSize ?? 200,
      handler: (events) => this.relay(events),
    });
  }

  async stop(): Promise<void> {
    await this.handle?.stop();
    this.handle = null;
  }

  /** Publishes one batch; resolves once every message of it is accepted by the bus. */
  async relay(events: StoredEvent[]): Promise<void> {
    try {
      const outgoing = await this.messagesFor(events);
      const missing = [...outgoing.keys()].filter((topic) => !this.topicsMade.has(topic));
      if (missing.length > 0) {
        await this.bus.createTopics(missing.map((topic) => ({ topic, partitions: AGENCY_TOPIC_PARTITIONS })));
        for (const topic of missing) this.topicsMade.add(topic);
      }
      // every topic of the batch in one call (one produce request), not one round trip per topic:
      // the relay waits on the broker, so that is its throughput; each call awaited, so each
      // topic's messages still reach it in store order
      for (const chunk of this.chunks(outgoing)) await this.bus.publishAll(chunk);
      this.options.onRelayed?.(events);
    } catch (error) {
      // the batch comes again; audiences already advanced past part of it must be rebuilt
      this.audiences.clear();
      throw error;
    }
  }

  /** topic → messages in store order */
  private async messagesFor(events: StoredEvent[]): Promise<Map<string, EventMessage[]>> {
    // every newcomer is sent the case's earlier events
    const caseHistory = startCaseReads(this.store, events, { held: this.audiences, known: (a) => a.agencies, named: agenciesNamedBy, readsFor: () => true });
    const out = new Map<string, EventMessage[]>();
    const push = (topic: string, m: EventMessage) => {
      const list = out.get(topic);
      if (list) list.push(m);
      else out.set(topic, [m]);
    };
    const naming = this.options.naming;
    for (const e of events) {
      const message = encodeEventMessage(e, publicData(e));
      push(caseEventsTopic(naming), message);
      if (!isAgencyFacing(e)) continue;
      // agencies get no petitioner id at all (accuser protection, Art. 30)
      const forAgencies = agencyTopicMessage(e);
      const audience = await this.audienceBefore(e, caseHistory);
      for (const agency of audience.agencies) push(agencyTopic(naming, agency), forAgencies);
      const newcomers = agenciesNamedBy(e).filter((a) => !audience.agencies.has(a));
      if (newcomers.length > 0) {
        const earlier = (await caseHistory(e.caseId)).filter((x) => x.position < e.position && isAgencyFacing(x));
        for (const agency of newcomers) {
          for (const x of earlier) push(agencyTopic(naming, agency), agencyTopicMessage(x));
          push(agencyTopic(naming, agency), forAgencies);
          audience.agencies.add(agency);
        }
      }
      audience.position = e.position;
    }
    return out;
  }

  /** the agencies concerned with e's case just before e (deterministic: a re-sent batch routes the same way) */
  private async audienceBefore(e: StoredEvent, caseHistory: CaseHistory): Promise<CaseAudience> {
    const cached = this.audiences.get(e.caseId);
    if (cached && cached.position < e.position) {
      // most recently used last, so the oldest is the one dropped
      this.audiences.delete(e.caseId);
      this.audiences.set(e.caseId, cached);
      return cached;
    }
    const agencies = new Set<string>();
    // nothing agency-facing comes before a case's registration: no read for a new case
    if (!isCaseStart(e)) {
      for (const x of await caseHistory(e.caseId)) {
        if (x.position >= e.position) break;
        if (isAgencyFacing(x)) for (const a of agenciesNamedBy(x)) agencies.add(a);
      }
    }
    const audience = { position: 0, agencies };
    this.audiences.delete(e.caseId);
    this.audiences.set(e.caseId, audience);
    const limit = this.options.cacheCases ?? 10_000;
    while (this.audiences.size > limit) this.audiences.delete(this.audiences.keys().next().value!);
    return audience;
  }

  /** the batch in publish calls of at most `maxPublishBytes` in all (so no partition's share can pass Kafka's limit) */
  private *chunks(outgoing: Map<string, EventMessage[]>): Generator<TopicMessages[]> {
    const limit = this.options.maxPublishBytes ?? 512 * 1024;
    let chunk: TopicMessages[] = [];
    let bytes = 0;
    for (const [topic, messages] of outgoing) {
      let current: TopicMessages | null = null;
      for (const m of messages) {
        const size = messageBytes(m);
        if (bytes > 0 && bytes + size > limit) {
          yield chunk;
          chunk = [];
          current = null;
          bytes = 0;
        }
        if (!current) chunk.push((current = { topic, messages: [] }));
        current.messages.push(m);
        bytes += size;
      }
    }
    if (chunk.length > 0) yield chunk;
  }
}

/** what a message adds to a produce request, near enough for the batch limit */
function messageBytes(m: EventMessage): number {
  let n = m.value.length + Buffer.byteLength(m.key);
  for (const k in m.headers) n += k.length + Buffer.byteLength(m.headers[k]);
  return n;
}
