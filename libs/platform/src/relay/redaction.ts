import type { StoredEvent } from '@lianban/contracts';
import { CaseEventTypes, PersonalDataEventTypes } from '@lianban/domain';

/**
 * What never leaves the store on a topic (DESIGN 3.3, 5: "personal data removed"), by event
 * type, as dotted paths into `data`. The sealed identity is ciphertext, but a topic is read by
 * every service of the region, mirrored to the other region and kept by Kafka's retention out
 * of reach of crypto-shredding's reasoning; the keyed hashes of the ID number and phone would
 * let any reader link a person's petitions. Consumers that need the identity read the store.
 *
 * The AsyncAPI generator removes the same paths from the published schemas, so this table is
 * the one place to add a field that must not travel.
 */
export const REDACTED_PATHS: Readonly<Record<string, readonly string[]>> = {
  [CaseEventTypes.PetitionRegistered]: ['petitioner.sealed', 'petitionerKeys'],
  // the administrator's free text may name the person whose data was erased
  [PersonalDataEventTypes.PersonalDataErased]: ['reason'],
};

function withoutPath(value: unknown, path: readonly string[]): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const [head, ...rest] = path;
  if (!(head in (value as Record<string, unknown>))) return value;
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  if (rest.length === 0) delete copy[head];
  else copy[head] = withoutPath(copy[head], rest);
  return copy;
}

/** The body as it may travel on a topic; the stored event itself is left untouched. */
export function publicData(e: Pick<StoredEvent, 'type' | 'data'>): unknown {
  let data = e.data;
  for (const path of REDACTED_PATHS[e.type] ?? []) data = withoutPath(data, path.split('.'));
  return data;
}
