/**
 * How deciders see events: the type and body, plus the few envelope fields a rule needs.
 * A StoredEvent from the store satisfies `Recorded<E>` as it is.
 */
export interface DomainEvent<T extends string = string, D = unknown> {
  type: T;
  data: D;
  /** the event this one answers, when a decision follows from an earlier event (else: the command) */
  causedBy?: string;
}

export type Recorded<E extends DomainEvent = DomainEvent> = E & {
  occurredAt: string;
  /** the agency whose task stream holds it (task events) */
  agencyId?: string | null;
  id?: string;
};
