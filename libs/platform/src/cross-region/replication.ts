import {
  decodeEventMessage, encodeEventMessage, inboundTopic, outboundTopic, otherRegion, type EventMessage, type NewEvent, type Region, type StoredEvent, type TopicNaming,
} from '@lianban/contracts';
import { StreamConflictError, type EventStore, type SubscriptionHandle } from '@lianban/eventstore';
import type { ConsumerHandle, IncomingMessage, MessageBus } from '@lianban/messaging';
import {
  CaseEventTypes, TaskForceEventTypes, taskForceStreamId, type MemberAdded, type TaskForceFormed, type TaskForceJoined,
} from '@lianban/domain';
import { regionOfAgency } from '@lianban/registry';
import { agenciesNamedBy, isAgencyFacing } from '../relay/audience';
import { isCaseStart, startCaseReads, type CaseHistory } from '../relay/case-reads';
import { publicData } from '../relay/redaction';

export const CROSS_REGION_PARTITIONS = 6;

/** A task force's own stream (its events' correlation id is the task force's id). */
export function isTaskForceStream(e: Pick<StoredEvent, 'streamId' | 'caseId'>): boolean {
  return e.streamId === taskForceStreamId(e.caseId);
}

/**
 * What crosses to the other region (docs/cross-region.md): a case's own streams, and the stream
 * of a task force (工作专班) whose events join a joint case's timeline. Case-number bookkeeping
 * and campaigns stay home.
 */
export function isReplicated(e: Pick<StoredEvent, 'streamId' | 'caseId'>): boolean {
  return isAgencyFacing(e) || isTaskForceStream(e);
}

/** the agencies a task-force event makes members */
function membersNamedBy(e: StoredEvent): string[] {
  if (e.type === TaskForceEventTypes.TaskForceFormed) return (e.data as TaskForceFormed['data']).members.map((m) => m.agencyId);
  if (e.type === TaskForceEventTypes.MemberAdded) return [(e.data as MemberAdded['data']).agencyId];
  return [];
}

/**
 * The sending half of DESIGN 6. It follows the region's store from a durable checkpoint, like
 * the outbox relay, and publishes to `<region>.outbound.<peer>` every event this region wrote
 * (never a copy it received: that would echo) on a case that concerns an agency of the peer.
 * When the peer first becomes concerned, the case's earlier events go first, so the peer's
 * copy of each stream starts at revision 0 and continues without gaps. Key caseId: per-case
 * order survives the replication, which is what lets the importer require the next revision.
 *
 * A task force's events join the timeline of every case it took up, so its stream travels too,
 * once it concerns the peer: one of its cases (linked by `task-force-joined`) concerns the peer,
 * or one of its member agencies is the peer's. From that moment its earlier events go first,
 * then each new one, keyed by the task force's id (one stream, one key, so in order).
 *
 * The checkpoint is saved after the batch is published: at-least-once, the importer drops repeats.
 */
export class RegionOutbound {
  private handle: SubscriptionHandle | null = null;
  private readonly concerned = new Map<string, { position: number; regions: Set<Region> }>();
  /** task forces known to concern the peer, with the position from which they do (it only ever grows) */
  private readonly taskForcesSent = new Map<string, number>();

  constructor(private readonly store: EventStore, private readonly bus: MessageBus, private readonly naming: TopicNaming) {}

  get topic(): string {
    return outboundTopic(this.naming, this.peer);
  }

  private get peer(): Region {
    return otherRegion(this.naming.region);
  }

  async start(): Promise<void> {
    await this.bus.createTopics([{ topic: this.topic, partitions: CROSS_REGION_PARTITIONS }]);
    this.handle = this.store.subscribe({
      subscriberId: `outbound.${this.naming.prefix}${this.naming.region}`,
      batchSize: 200,
      handler: (events) => this.send(events),
    });
  }

  async stop(): Promise<void> {
    await this.handle?.stop();
    this.handle = null;
  }

  async send(events: StoredEvent[]): Promise<void> {
    try {
      const out: EventMessage[] = [];
      const push = (x: StoredEvent) => out.push(encodeEventMessage(x, publicData(x)));
      const own = this.naming.region;
      const caseHistory = startCaseReads(this.store, events, {
        held: this.concerned, known: (c) => c.regions, named: regionsNamedBy,
        // the peer's first concern sends the case's earlier events, when the event is this region's own
        readsFor: (x, newly) => newly.includes(this.peer) && x.region === own,
      });
      for (const e of events) {
        if (isTaskForceStream(e)) {
          if (e.region !== own) continue;
          const was = await this.taskForceConcerns(e.caseId, e.position, caseHistory);
          const now = was || membersNamedBy(e).some((a) => regionOfAgency(a) === this.peer);
          if (now && !was) await this.sendTaskForceBefore(e.caseId, e.position, push);
          if (now) push(e);
          continue;
        }
        if (!isAgencyFacing(e)) continue;
        const before = await this.regionsBefore(e, caseHistory);
        const now = new Set(before.regions);
        for (const r of regionsNamedBy(e)) now.add(r);
        if (now.has(this.peer) && e.region === own) {
          const sending = before.regions.has(this.peer) ? [e] : [
            ...(await caseHistory(e.caseId)).filter((x) => x.position < e.position && isAgencyFacing(x) && x.region === own), e,
          ];
          for (const x of sending) {
            push(x);
            // the case brings each task force it joined into the peer's timeline
            if (x.type === CaseEventTypes.TaskForceJoined) {
              const taskForceId = (x.data as TaskForceJoined['data']).taskForceId;
              if (!(await this.taskForceConcerns(taskForceId, e.position, caseHistory))) await this.sendTaskForceBefore(taskForceId, e.position, push);
            }
          }
        }
        this.concerned.set(e.caseId, { position: e.position, regions: now });
      }
      if (out.length > 0) await this.bus.publish(this.topic, out);
    } catch (error) {
      // the batch comes again from the checkpoint: what was folded from part of it must go
      this.concerned.clear();
      this.taskForcesSent.clear();
      throw error;
    }
  }

  /** this region's events of the task force before `position` (all of it: only its home writes it), marked as sent from there on */
  private async sendTaskForceBefore(taskForceId: string, position: number, push: (x: StoredEvent) => void): Promise<void> {
    for (const x of await this.store.readStream(taskForceStreamId(taskForceId))) {
      if (x.position < position && x.region === this.naming.region) push(x);
    }
    this.taskForcesSent.set(taskForceId, position);
  }

  /**
   * Whether the task force concerned the peer on what was stored before `position`: a member of
   * the peer's, or a case that had joined it and concerned the peer by then. Read from the store,
   * so it holds across restarts; remembered once true, as it stays true.
   */
  private async taskForceConcerns(taskForceId: string, position: number, caseHistory: CaseHistory): Promise<boolean> {
    const known = this.taskForcesSent.get(taskForceId);
    if (known !== undefined && known < position) return true;
    const events = (await this.store.readStream(taskForceStreamId(taskForceId))).filter((x) => x.position < position);
    if (events.some((x) => membersNamedBy(x).some((a) => regionOfAgency(a) === this.peer))) return this.remember(taskForceId, position);
    const formed = events.find((x) => x.type === TaskForceEventTypes.TaskForceFormed);
    for (const caseId of formed ? (formed.data as TaskForceFormed['data']).caseIds : []) {
      const caseEvents = (await caseHistory(caseId)).filter((x) => x.position < position);
      const joined = caseEvents.some((x) => x.type === CaseEventTypes.TaskForceJoined && (x.data as TaskForceJoined['data']).taskForceId === taskForceId);
      if (joined && regionsNamedIn(caseEvents).has(this.peer)) return this.remember(taskForceId, position);
    }
    return false;
  }

  private remember(taskForceId: string, position: number): true {
    if (this.taskForcesSent.size > 10_000) this.taskForcesSent.clear();
    // true for every later position; the smallest one seen is kept
    this.taskForcesSent.set(taskForceId, Math.min(position - 1, this.taskForcesSent.get(taskForceId) ?? Infinity));
    return true;
  }

  private async regionsBefore(e: StoredEvent, caseHistory: CaseHistory): Promise<{ position: number; regions: Set<Region> }> {
    const cached = this.concerned.get(e.caseId);
    if (cached && cached.position < e.position) return cached;
    // nothing agency-facing comes before a case's registration: no read for a new case
    const regions = isCaseStart(e) ? new Set<Region>() : regionsNamedIn((await caseHistory(e.caseId)).filter((x) => x.position < e.position));
    if (this.concerned.size > 10_000) this.concerned.clear();
    return { position: 0, regions };
  }
}

/** the regions of the agencies an event brings into its case */
function regionsNamedBy(e: StoredEvent): Region[] {
  const regions = new Set<Region>();
  for (const a of agenciesNamedBy(e)) {
    const r = regionOfAgency(a);
    if (r) regions.add(r);
  }
  return [...regions];
}

/** the regions of the agencies a case's own events bring into it */
function regionsNamedIn(events: readonly StoredEvent[]): Set<Region> {
  const regions = new Set<Region>();
  for (const x of events) if (isAgencyFacing(x)) for (const r of regionsNamedBy(x)) regions.add(r);
  return regions;
}

export type ImportOutcome = 'applied' | 'duplicate' | 'ignored';

/** A copy that cannot be stored as it is: the two stores disagree, or a message came out of order. */
export class ReplicaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplicaError';
  }
}

/**
 * The receiving half: stores a copy of the other region's event in this region's store exactly
 * as it was written there — same id, stream, revision, HLC, region, time — so both regions'
 * timelines are built from identical events. Idempotent by event id: a copy already stored at
 * its revision is a redelivery and changes nothing; a different event at that revision, or a
 * revision that skips one, is refused (retried, then dead-lettered) rather than stored wrong.
 *
 * The copy is a normal append with an expected revision, so the region's relay, projections and
 * agency inboxes see it like any local event: that is how an sc agency learns of its cq task.
 * Every copy advances the region's HLC (`observe`) before it is stored, so whatever the region
 * writes after it sorts after it, even when this region's clock is behind.
 */
export class ReplicaImporter {
  constructor(
    private readonly store: EventStore,
    private readonly region: Region,
    private readonly observe: (hlc: string) => void,
  ) {}

  async import(e: StoredEvent): Promise<ImportOutcome> {
    // our own event coming back (a misconfigured mirror): the original is here already
    if (e.region === this.region) return 'ignored';
    if (!isReplicated(e)) throw new ReplicaError(`event ${e.id} (${e.streamId}) is neither of a case's own streams nor of a task force; only those are replicated`);
    this.observe(e.hlc);
    for (let attempt = 1; ; attempt++) {
      const stream = await this.store.readStream(e.streamId);
      const at = stream.find((x) => x.revision === e.revision);
      if (at) {
        if (at.id === e.id) return 'duplicate';
        throw new ReplicaError(`stream ${e.streamId} holds event ${at.id} at revision ${e.revision}, not the replicated ${e.id}`);
      }
      const head = stream.length === 0 ? -1 : stream[stream.length - 1].revision;
      if (e.revision !== head + 1) throw new ReplicaError(`event ${e.id} is revision ${e.revision} of ${e.streamId}, but this region holds it up to ${head}`);
      const copy: NewEvent = {
        id: e.id, type: e.type, caseId: e.caseId, causationId: e.causationId, region: e.region, agencyId: e.agencyId ?? null,
        actor: e.actor, occurredAt: e.occurredAt, hlc: e.hlc, data: e.data,
      };
      try {
        await this.store.append(e.streamId, [copy], head === -1 ? 'no-stream' : head);
        return 'applied';
      } catch (error) {
        // another importer of the same region (a second replica of the service) got there first: look again
        if (error instanceof StreamConflictError && attempt < 3) continue;
        throw error;
      }
    }
  }

  /** for a message off the inbound topic */
  importMessage(m: IncomingMessage): Promise<ImportOutcome> {
    return this.import(decodeEventMessage(m));
  }
}

/** one direction of the bridge: its source, its destination, and the consumer group whose offsets say how far it has copied */
export interface BridgeRoute { from: string; to: string; group: string }

export function bridgeRoutes(prefix: string): BridgeRoute[] {
  return (['cq', 'sc'] as const).map((r) => {
    const from = outboundTopic({ prefix, region: r }, otherRegion(r));
    return { from, to: inboundTopic({ prefix, region: otherRegion(r) }, r), group: `${prefix}bridge.${from}` };
  });
}

/**
 * The test stand-in for MirrorMaker 2: copies `<prefix><from>.outbound.<to>` to
 * `<prefix><to>.inbound.<from>` on one broker (or one in-process bus), message for message —
 * key, value and headers untouched. At-least-once: a message's offset is committed only after
 * its copy is accepted, so a crash copies it again; the importer makes repeats harmless.
 */
export class ReplicationBridge {
  private handles: ConsumerHandle[] = [];

  constructor(private readonly bus: MessageBus, private readonly prefix = '') {}

  routes(): BridgeRoute[] {
    return bridgeRoutes(this.prefix);
  }

  async start(): Promise<void> {
    for (const { from, to, group } of this.routes()) {
      await this.bus.createTopics([{ topic: from, partitions: CROSS_REGION_PARTITIONS }, { topic: to, partitions: CROSS_REGION_PARTITIONS }]);
      this.handles.push(await this.bus.subscribe({
        groupId: group,
        topics: [from],
        maxRetries: 1000,
        retryBackoffMs: 200,
        handler: (m) => this.bus.publish(to, [{ key: m.key, value: m.value, headers: m.headers }]),
      }));
    }
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.handles.splice(0).map((h) => h.stop()));
  }
}
