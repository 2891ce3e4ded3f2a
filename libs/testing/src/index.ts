export * from './decider-spec';
export * from './bus-contract';
export * from './eventstore-contract';
