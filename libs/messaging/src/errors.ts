/** Publishing or subscribing to a topic nobody created (Kafka topics are never auto-created). */
export class UnknownTopicError extends Error {
  readonly code = 'UNKNOWN_TOPIC';
  constructor(readonly topic: string) {
    super(`unknown topic "${topic}": create it with createTopics() first`);
    this.name = 'UnknownTopicError';
  }
}

/** A topic name Kafka would refuse, or a message that cannot be put on the wire as given. */
export class InvalidMessageError extends Error {
  readonly code = 'INVALID_MESSAGE';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidMessageError';
  }
}

/** The bus was closed; nothing more can be published or subscribed. */
export class BusClosedError extends Error {
  readonly code = 'BUS_CLOSED';
  constructor(kind: string) {
    super(`the ${kind} message bus is closed`);
    this.name = 'BusClosedError';
  }
}
