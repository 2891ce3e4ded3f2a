import { encodeEventMessage, type EventMessage, type StoredEvent } from '@lianban/contracts';
import { publicData } from './redaction';

/** What an agency topic carries instead of a petitioner's id. */
export const WITHHELD = 'withheld';

const PETITIONER_FIELDS = new Set(['petitionerId']);

function scrub(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = PETITIONER_FIELDS.has(k) && typeof v === 'string' ? WITHHELD : scrub(v, depth + 1);
  return out;
}

/**
 * The message an agency topic carries for an event (Art. 30, DESIGN 3.3): the topic's body
 * (personal data already removed), and besides no petitioner id anywhere — neither in the body
 * nor as the actor of what a petitioner did (registering online, rating, appealing). The id is a
 * pseudonym, but a stable one: an agency that saw it next to a name on one case would recognise
 * the accuser of another. Agencies never need it; done for every case, so no later
 * reclassification as 检举控告 can come too late. The stored event is left untouched.
 */
export function agencyTopicMessage(e: StoredEvent): EventMessage {
  const petitionerActor = e.actor.role === 'petitioner' || e.actor.id.startsWith('petitioner:');
  const envelope: StoredEvent = petitionerActor ? { ...e, actor: { id: 'petitioner', role: e.actor.role } } : e;
  return encodeEventMessage(envelope, scrub(publicData(e)));
}
