import { createHash } from 'node:crypto';

/**
 * A UUID (version 5 layout, SHA-1 of `<namespace>:<source id>`) that the same consumer derives
 * from the same consumed event, every time. Appending the effect under this id makes the event
 * store the consumer's inbox: a redelivered event derives the same id, and the store refuses an
 * id it already holds in the very transaction that would have stored the effect twice.
 */
export function derivedEventId(namespace: string, sourceEventId: string): string {
  const h = createHash('sha1').update(`lianban:${namespace}:${sourceEventId}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
