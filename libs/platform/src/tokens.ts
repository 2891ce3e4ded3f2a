/** Nest injection tokens for the ports. */
export const CONFIG = Symbol('LianbanConfig');
export const EVENT_STORE = Symbol('EventStore');
export const MESSAGE_BUS = Symbol('MessageBus');
export const VAULT = Symbol('PersonalDataVault');
