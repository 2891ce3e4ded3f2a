import type { Region } from './envelope';

/**
 * Kafka names of DESIGN 5, in one place so the relay, the consumers, the AsyncAPI document
 * and the tests cannot disagree. `prefix` (KAFKA_TOPIC_PREFIX, usually empty) lets several
 * deployments or test runs share one cluster without seeing each other's topics and groups.
 */
export interface TopicNaming {
  prefix: string;
  region: Region;
}

/** every domain event of the region, personal data removed; key caseId */
export function caseEventsTopic(n: TopicNaming): string {
  return `${n.prefix}${n.region}.case-events`;
}

/** what one agency must see: the cases it holds or held a task on; key caseId */
export function agencyTopic(n: TopicNaming, agencyId: string): string {
  return `${n.prefix}${n.region}.agency.${agencyId}`;
}

/** messages a consumer gave up on after its retries, with the error in a header */
export function deadLetterTopic(n: TopicNaming, consumer: string): string {
  return `${n.prefix}${n.region}.dlq.${consumer}`;
}

/** one consumer group per consuming service, so every service sees every message */
export function consumerGroup(n: TopicNaming, consumer: string): string {
  return `${n.prefix}${n.region}.${consumer}`;
}

/**
 * Cross-region (DESIGN 6): what this region sends the other — every event of its own origin on
 * a case that concerns an agency of `peer`, the case's earlier events first; key caseId.
 */
export function outboundTopic(n: TopicNaming, peer: Region): string {
  return `${n.prefix}${n.region}.outbound.${peer}`;
}

/** Cross-region: the `peer` region's outbound topic as replicated into this region (MirrorMaker 2, or the test bridge). */
export function inboundTopic(n: TopicNaming, peer: Region): string {
  return `${n.prefix}${n.region}.inbound.${peer}`;
}

export function otherRegion(r: Region): Region {
  return r === 'cq' ? 'sc' : 'cq';
}
