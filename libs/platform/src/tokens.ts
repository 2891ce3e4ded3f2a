/** Nest injection tokens for the ports. */
export const CONFIG = Symbol('LianbanConfig');
export const EVENT_STORE = Symbol('EventStore');
export const MESSAGE_BUS = Symbol('MessageBus');
export const VAULT = Symbol('PersonalDataVault');
/** the idempotency records and the audit log (security/security-store.ts) */
export const SECURITY_STORE = Symbol('SecurityStore');
