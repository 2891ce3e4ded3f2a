import { createHmac } from 'node:crypto';
import type { PersonalData } from './personal-data';

/**
 * Recognising the same petitioner (Art. 19) without keeping who they are in clear (DESIGN 3.3):
 * the normalised ID number and phone are each hashed with HMAC-SHA256 under a configured secret.
 * Equal inputs give equal keys, so two petitions can be matched; without the secret a key
 * cannot be turned back into a number, nor confirmed by hashing guesses (phone numbers are few
 * enough to enumerate, which is why a plain hash would not do).
 */
export interface PetitionerKey {
  kind: 'idNumber' | 'phone';
  key: string;
}

/** 18-character resident ID: spaces dropped, the check character X upper-case */
export function normaliseIdNumber(idNumber: string): string | null {
  const v = idNumber.replace(/\s+/g, '').toUpperCase();
  return /^\d{17}[\dX]$/.test(v) ? v : null;
}

/** digits only; a mainland mobile keeps its 11 digits whether written +86 138…, 0086-138… or 138 0000 0000 */
export function normalisePhone(phone: string): string | null {
  let v = phone.replace(/\D/g, '');
  if (/^(0086|86)1\d{10}$/.test(v)) v = v.replace(/^(0086|86)/, '');
  return v.length >= 5 ? v : null;
}

export function petitionerKeys(secret: string, p: Pick<PersonalData, 'idNumber' | 'phone'>): PetitionerKey[] {
  const keyOf = (kind: PetitionerKey['kind'], value: string) => createHmac('sha256', secret).update(`${kind}:${value}`).digest('hex');
  const out: PetitionerKey[] = [];
  const id = p.idNumber ? normaliseIdNumber(p.idNumber) : null;
  if (id) out.push({ kind: 'idNumber', key: keyOf('idNumber', id) });
  const phone = p.phone ? normalisePhone(p.phone) : null;
  if (phone) out.push({ kind: 'phone', key: keyOf('phone', phone) });
  return out;
}

/**
 * What analysts see instead of a petitioner (DESIGN 7): stable, so one person's cases can be
 * counted together, but keyed, so it cannot be matched to the petitioner id that agency staff see
 * next to the name, nor turned back into it.
 */
export function petitionerPseudonym(secret: string, petitionerId: string): string {
  return `信访人-${createHmac('sha256', secret).update(`pseudonym:${petitionerId}`).digest('hex').slice(0, 12)}`;
}
