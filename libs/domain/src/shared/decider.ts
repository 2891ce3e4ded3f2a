import type { DomainEvent, Recorded } from './events';

/**
 * A decider (emmett / Jérémie Chassaing's pattern): pure functions only.
 * `decide` answers a command with the events it causes, or throws a DomainError;
 * `evolve` folds a recorded event into the state (events of other streams of the same case
 * may pass through it too: it ignores what it does not need).
 * Time arrives inside the command, never from a clock.
 */
export interface Decider<C, S, E extends DomainEvent> {
  decide(command: C, state: S): E[];
  evolve(state: S, event: Recorded<E> | Recorded): S;
  initialState(): S;
}

export function fold<S>(decider: { evolve(s: S, e: Recorded): S; initialState(): S }, events: Iterable<Recorded>): S {
  let state = decider.initialState();
  for (const e of events) state = decider.evolve(state, e);
  return state;
}
