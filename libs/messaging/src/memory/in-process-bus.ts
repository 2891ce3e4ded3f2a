/**
 * The embedded default bus: Kafka's model inside one process.
 *
 * - A topic has N partitions, each an append-only log with offsets 0, 1, 2 …; a key always maps
 *   to the same partition (Kafka's murmur2 hash), so per-key order holds.
 * - A consumer group keeps one committed offset per partition. Its members share the partitions
 *   (each partition is owned by exactly one member at a time); another group sees everything
 *   again from its own offsets.
 * - A partition is processed strictly sequentially; an offset is committed only after the
 *   handler resolved (or the message was dead-lettered), so delivery is at-least-once.
 *
 * Everything lives in memory and is gone when the process exits. That is enough: the event
 * store is the outbox (DESIGN 5), so after a restart the relay republishes from its own
 * checkpoint, and every consumer is idempotent through its inbox. Nothing here needs to survive.
 *
 * Retention. Kafka deletes by age or size whoever has not read; here a dropped message cannot be
 * fetched again from anywhere, so retention never takes one that a known group (one that ever
 * subscribed to the topic, members running or not) has not committed. Of the messages every
 * known group has committed — and of a topic nobody subscribes to, of all — each partition keeps
 * the newest `retainedMessages`. A lagging group therefore holds its partitions' backlog (the
 * partition may exceed the bound until it catches up). A group that subscribes later starts, like
 * Kafka's `auto.offset.reset=earliest`, at the earliest message still held; offsets keep their
 * numbers, so the first one it sees may be above 0.
 */
import { BusClosedError, InvalidMessageError, UnknownTopicError } from '../errors';
import {
  assertValidMessage,
  assertValidPartitions,
  assertValidTopicName,
  BusLogger,
  consoleBusLogger,
  DEFAULT_PARTITIONS,
  deliverWithRetries,
  ResolvedConsumerOptions,
  resolveConsumerOptions,
} from '../delivery';
import { partitionForKey } from '../murmur2';
import type {
  BusHealth,
  ConsumerHandle,
  ConsumerOptions,
  IncomingMessage,
  MessageBus,
  OutgoingMessage,
  SubscriptionStatus,
  TopicMessages,
  TopicSpec,
} from '../port';

export interface InProcessBusOptions {
  logger?: BusLogger;
  /**
   * Per partition, how many messages that every known group has committed (or, on a topic no
   * group subscribes to, any messages) are kept for groups that join later; default
   * DEFAULT_BUS_RETENTION_MESSAGES. 0 drops each message as soon as the last group commits it.
   */
  retainedMessages?: number;
}

/** messages kept per partition beyond what every group still needs (see Retention above) */
export const DEFAULT_BUS_RETENTION_MESSAGES = 1000;

/** the dropped front of a log's array is given back once it is this long and most of the array */
const COMPACT_AFTER = 1024;

interface LogRecord {
  offset: number;
  key: string;
  value: Buffer;
  headers: Readonly<Record<string, string>>;
}

class PartitionLog {
  /** records[head] holds offset `start`; slots before head were dropped by retention */
  private records: (LogRecord | undefined)[] = [];
  private head = 0;
  private start = 0;
  private waiters: Array<() => void> = [];

  /** the earliest offset still held (Kafka's log start offset) */
  get startOffset(): number {
    return this.start;
  }

  /** the offset the next message gets (Kafka's log end offset) */
  get endOffset(): number {
    return this.start + this.records.length - this.head;
  }

  /** the message at `offset`, if it is held */
  at(offset: number): LogRecord | undefined {
    return offset < this.start ? undefined : this.records[this.head + offset - this.start];
  }

  /** drops every message below `offset` */
  trimTo(offset: number): void {
    const until = Math.min(offset, this.endOffset);
    // clearing the slot lets the value be collected now; the array itself is compacted in bulk
    for (; this.start < until; this.start++) this.records[this.head++] = undefined;
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
  }

  append(message: OutgoingMessage): void {
    this.records.push({
      offset: this.endOffset,
      key: message.key,
      // copies: a publisher that reuses its buffer or headers object must not rewrite history
      value: Buffer.from(message.value),
      headers: Object.freeze({ ...(message.headers ?? {}) }),
    });
  }

  /** resolves on the next append (or when `wakeAll` is called to stop a waiting worker) */
  nextAppend(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  wakeAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    // setImmediate: consumers run after the publisher's own call stack, never inside it
    for (const wake of waiters) setImmediate(wake);
  }
}

type PartitionRef = { topic: string; partition: number };
const refKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

class Group {
  /** next offset to read, per partition; absent = nothing committed yet */
  readonly committed = new Map<string, number>();
  /** every topic a member ever subscribed to: retention keeps what the group has not committed there */
  readonly topics = new Set<string>();
  readonly members: Member[] = [];
  /** rebalances run one after another, so a partition is never handed out twice at once */
  private rebalancing: Promise<void> = Promise.resolve();

  constructor(readonly groupId: string) {}

  rebalance(bus: InProcessBus): Promise<void> {
    const run = this.rebalancing.then(() => this.assign(bus));
    this.rebalancing = run.catch(() => undefined);
    return run;
  }

  /**
   * Every partition of every subscribed topic goes to one member subscribed to that topic,
   * round-robin in join order. Revoked partitions are stopped (waiting for their in-flight
   * handler) before any member starts on a newly assigned one.
   */
  private async assign(bus: InProcessBus): Promise<void> {
    // Members may join or leave while revoked handlers finish; each such change queues its own
    // rebalance, so this one works on a snapshot and skips whoever has left meanwhile.
    const members = [...this.members];
    const target = new Map<Member, PartitionRef[]>();
    for (const member of members) target.set(member, []);
    const topics = new Set(members.flatMap((m) => m.options.topics));
    for (const topic of topics) {
      const eligible = members.filter((m) => m.options.topics.includes(topic));
      const partitions = bus.partitionCount(topic);
      for (let p = 0; p < partitions; p++) {
        target.get(eligible[p % eligible.length])!.push({ topic, partition: p });
      }
    }
    await Promise.all(members.map((m) => m.revokeAllBut(target.get(m)!)));
    for (const member of members) {
      if (this.members.includes(member)) member.assign(target.get(member)!);
    }
  }
}

class Member implements ConsumerHandle {
  private readonly workers = new Map<string, PartitionWorker>();
  private stopped: Promise<void> | null = null;
  private readonly joined = new Date().toISOString();
  private stoppedAt: string | null = null;

  constructor(
    readonly options: ResolvedConsumerOptions,
    private readonly group: Group,
    private readonly bus: InProcessBus,
    private readonly logger: BusLogger,
  ) {}

  async revokeAllBut(keep: PartitionRef[]): Promise<void> {
    const kept = new Set(keep.map((r) => refKey(r.topic, r.partition)));
    const revoked = [...this.workers.entries()].filter(([key]) => !kept.has(key));
    for (const [key] of revoked) this.workers.delete(key);
    await Promise.all(revoked.map(([, worker]) => worker.stop()));
  }

  assign(refs: PartitionRef[]): void {
    for (const ref of refs) {
      const key = refKey(ref.topic, ref.partition);
      if (this.workers.has(key)) continue;
      const worker = new PartitionWorker(ref, this.bus.logOf(ref), this.group, this.options, this.logger, () => this.bus.retain(ref));
      this.workers.set(key, worker);
      worker.start();
    }
  }

  /** a member never stops by itself: it runs from subscribe() until stop() */
  status(): SubscriptionStatus {
    return {
      groupId: this.options.groupId, topics: [...this.options.topics],
      state: this.stoppedAt ? 'stopped' : 'running', since: this.stoppedAt ?? this.joined,
    };
  }

  stop(): Promise<void> {
    if (!this.stopped) {
      this.stoppedAt = new Date().toISOString();
      const index = this.group.members.indexOf(this);
      if (index >= 0) this.group.members.splice(index, 1);
      this.stopped = (async () => {
        // own partitions stop first (in-flight handlers finish and commit), then the rest of
        // the group takes them over from the committed offsets
        await this.revokeAllBut([]);
        await this.group.rebalance(this.bus);
        this.bus.forget(this);
      })();
    }
    return this.stopped;
  }
}

class PartitionWorker {
  private stopping = false;
  private done: Promise<void> = Promise.resolve();
  private wakeSleep: (() => void) | null = null;

  constructor(
    private readonly ref: PartitionRef,
    private readonly log: PartitionLog,
    private readonly group: Group,
    private readonly options: ResolvedConsumerOptions,
    private readonly logger: BusLogger,
    private readonly committed: () => void,
  ) {}

  start(): void {
    this.done = this.loop().catch((error) => {
      // deliverWithRetries never rejects; reaching this is a bug in the bus, not in a handler
      this.logger.error('in-process partition worker crashed', { ...this.ref, error: String(error) });
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeSleep?.();
    this.log.wakeAll();
    await this.done;
  }

  private async loop(): Promise<void> {
    // the first delivery also happens on a later turn, never inside subscribe's call stack
    await new Promise<void>((resolve) => setImmediate(resolve));
    const key = refKey(this.ref.topic, this.ref.partition);
    while (!this.stopping) {
      // The committed offset is the position: one owner per partition, and it commits each
      // message before reading the next, so a new owner resumes exactly where this one left.
      // nothing committed yet: the earliest message still held (retention may have dropped older ones)
      const offset = Math.max(this.group.committed.get(key) ?? 0, this.log.startOffset);
      const record = this.log.at(offset);
      if (!record) {
        await this.log.nextAppend();
        continue;
      }
      const outcome = await deliverWithRetries(
        () => this.toMessage(record),
        this.options,
        { stopping: () => this.stopping, sleep: (ms) => this.sleep(ms) },
        this.logger,
      );
      if (outcome === 'stopped') return;
      this.group.committed.set(key, offset + 1);
      this.committed();
    }
  }

  private toMessage(record: LogRecord): IncomingMessage {
    return {
      topic: this.ref.topic,
      partition: this.ref.partition,
      offset: String(record.offset),
      key: record.key,
      value: Buffer.from(record.value),
      headers: { ...record.headers },
    };
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleep = () => {
        this.wakeSleep = null;
        done();
      };
    });
  }
}

export class InProcessBus implements MessageBus {
  readonly kind = 'memory';
  private readonly topics = new Map<string, PartitionLog[]>();
  private readonly groups = new Map<string, Group>();
  private readonly members = new Set<Member>();
  private readonly logger: BusLogger;
  private readonly retainedMessages: number;
  private closed = false;

  constructor(options: InProcessBusOptions = {}) {
    this.logger = options.logger ?? consoleBusLogger;
    this.retainedMessages = options.retainedMessages ?? DEFAULT_BUS_RETENTION_MESSAGES;
    if (!Number.isSafeInteger(this.retainedMessages) || this.retainedMessages < 0) {
      throw new RangeError(`retainedMessages must be a whole number ≥ 0, got ${this.retainedMessages}`);
    }
  }

  async createTopics(topics: TopicSpec[]): Promise<void> {
    this.assertOpen();
    for (const spec of topics) {
      assertValidTopicName(spec.topic);
      assertValidPartitions(spec.topic, spec.partitions ?? DEFAULT_PARTITIONS);
    }
    for (const spec of topics) {
      // like Kafka: an existing topic is left as it is, whatever partition count was asked
      if (this.topics.has(spec.topic)) continue;
      const partitions = spec.partitions ?? DEFAULT_PARTITIONS;
      this.topics.set(spec.topic, Array.from({ length: partitions }, () => new PartitionLog()));
    }
  }

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    return this.publishAll([{ topic, messages }]);
  }

  async publishAll(batch: TopicMessages[]): Promise<void> {
    this.assertOpen();
    // all or nothing: validate the whole batch before appending any of it
    const targets = batch.map(({ topic, messages }) => {
      const logs = this.topics.get(topic);
      if (!logs) throw new UnknownTopicError(topic);
      for (const message of messages) assertValidMessage(topic, message);
      return { topic, logs, messages };
    });
    for (const { topic, logs, messages } of targets) {
      const touched = new Set<number>();
      for (const message of messages) {
        const partition = partitionForKey(message.key, logs.length);
        logs[partition].append(message);
        touched.add(partition);
      }
      for (const partition of touched) {
        this.retain({ topic, partition });
        logs[partition].wakeAll();
      }
    }
  }

  async subscribe(options: ConsumerOptions): Promise<ConsumerHandle> {
    this.assertOpen();
    const resolved = resolveConsumerOptions(options);
    for (const topic of resolved.topics) {
      if (!this.topics.has(topic)) throw new UnknownTopicError(topic);
    }
    let group = this.groups.get(resolved.groupId);
    if (!group) {
      group = new Group(resolved.groupId);
      this.groups.set(resolved.groupId, group);
    }
    for (const topic of resolved.topics) group.topics.add(topic);
    if (!resolved.fromBeginning && group.members.length === 0) {
      // "latest" is pinned when subscribe() runs: a partition with nothing committed starts at
      // its current end, so a message published after subscribe() resolves is never skipped.
      // Only for a group nobody is consuming in: a running member's partitions keep their place.
      for (const topic of resolved.topics) {
        this.topics.get(topic)!.forEach((log, partition) => {
          const key = refKey(topic, partition);
          if (!group!.committed.has(key)) group!.committed.set(key, log.endOffset);
        });
      }
    }
    const member = new Member(resolved, group, this, this.logger);
    group.members.push(member);
    this.members.add(member);
    await group.rebalance(this);
    return member;
  }

  async health(): Promise<BusHealth> {
    const subscriptions = [...this.members].map((m) => m.status());
    return this.closed ? { ok: false, detail: 'in-process bus closed', subscriptions } : { ok: true, detail: 'in-process', subscriptions };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.members].map((m) => m.stop()));
  }

  /**
   * Each partition's earliest held and next offsets, as kafkajs' `admin.fetchTopicOffsets` names
   * them (`low`, `high`): what retention has dropped and what it still holds.
   */
  topicOffsets(topic: string): { partition: number; low: number; high: number }[] {
    const logs = this.topics.get(topic);
    if (!logs) throw new UnknownTopicError(topic);
    return logs.map((log, partition) => ({ partition, low: log.startOffset, high: log.endOffset }));
  }

  /**
   * @internal Drops from one partition what retention allows: below every known group's
   * committed offset (a known group with nothing committed there holds all of it), and beyond
   * the newest `retainedMessages`.
   */
  retain(ref: PartitionRef): void {
    const log = this.logOf(ref);
    const key = refKey(ref.topic, ref.partition);
    let floor = log.endOffset - this.retainedMessages;
    for (const group of this.groups.values()) {
      if (group.topics.has(ref.topic)) floor = Math.min(floor, group.committed.get(key) ?? 0);
    }
    if (floor > log.startOffset) log.trimTo(floor);
  }

  /** @internal */
  partitionCount(topic: string): number {
    return this.topics.get(topic)?.length ?? 0;
  }

  /** @internal */
  logOf(ref: PartitionRef): PartitionLog {
    const log = this.topics.get(ref.topic)?.[ref.partition];
    if (!log) throw new InvalidMessageError(`no partition ${ref.partition} in topic ${ref.topic}`);
    return log;
  }

  /** @internal */
  forget(member: Member): void {
    this.members.delete(member);
  }

  private assertOpen(): void {
    if (this.closed) throw new BusClosedError(this.kind);
  }
}
