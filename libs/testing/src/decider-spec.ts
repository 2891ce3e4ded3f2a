import { DomainError, type Decider, type DomainEvent, type Recorded } from '@lianban/domain';

/**
 * Given / when / then for deciders, after emmett's DeciderSpecification:
 *
 *   spec(caseDecider).given(registered, classified).when(assign).then([{ type: …, data: … }])
 *   spec(caseDecider).given(registered).when(assign).thenRefuses('NOT_CLASSIFIED')
 */
export function spec<C, S, E extends DomainEvent>(decider: Decider<C, S, E>) {
  return {
    given(...events: Recorded[]) {
      return {
        when(command: C) {
          const run = () => {
            let state = decider.initialState();
            for (const e of events) state = decider.evolve(state, e);
            return decider.decide(command, state);
          };
          return {
            then(expected: E[] | ((events: E[]) => void)) {
              const produced = run();
              if (typeof expected === 'function') expected(produced);
              else expect(produced).toEqual(expected);
              return produced;
            },
            thenRefuses(code: string, article?: string) {
              let caught: unknown;
              try {
                run();
              } catch (e) {
                caught = e;
              }
              expect(caught).toBeInstanceOf(DomainError);
              expect((caught as DomainError).code).toBe(code);
              if (article) expect((caught as DomainError).article).toContain(article);
              return caught as DomainError;
            },
          };
        },
      };
    },
  };
}

/** An event as recorded at a moment, optionally in an agency's task stream. */
export function at<E extends DomainEvent>(occurredAt: string, event: E, agencyId?: string): Recorded<E> {
  return { ...event, occurredAt, agencyId: agencyId ?? null };
}
