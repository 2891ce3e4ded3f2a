/**
 * The event envelope of DESIGN 3.2. Every event Lianban stores or sends has this shape;
 * `data` is the event's own body, typed per event type in the catalogue.
 */
export type Region = 'cq' | 'sc';

export interface Actor {
  /** user id (JWT `sub`), or a service name such as `coordinator/process-manager` */
  id: string;
  role: string;
}

/** An event as a writer hands it to the store: everything but its place in the store. */
export interface NewEvent<T = unknown> {
  /** UUID, chosen by the writer so a retried append can be recognised */
  id: string;
  /** `lianban.<aggregate>.<name>.v<N>` */
  type: string;
  /** the case this event belongs to (correlation id) */
  caseId: string;
  /** the event or command that caused this one */
  causationId: string | null;
  region: Region;
  /** the agency that acted, where one did */
  agencyId?: string | null;
  actor: Actor;
  /** when it happened (ISO 8601, the command's time) */
  occurredAt: string;
  /** hybrid logical clock stamp, lexicographically ordered (see libs/domain/hlc) */
  hlc: string;
  data: T;
}

/** An event as the store gives it back. */
export interface StoredEvent<T = unknown> extends NewEvent<T> {
  streamId: string;
  /** 0-based position inside its stream */
  revision: number;
  /** position in the store's global order (1-based, strictly increasing, gaps allowed) */
  position: number;
  /** wall-clock time the store accepted it (ISO 8601) */
  recordedAt: string;
}
