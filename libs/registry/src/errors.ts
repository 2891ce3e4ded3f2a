export type RegistryErrorCode =
  /** an agency id the registry has never known */
  | 'UNKNOWN_AGENCY'
  /** a division code the registry has never known */
  | 'UNKNOWN_DIVISION'
  /** a code whose first two digits are no region Lianban serves */
  | 'UNKNOWN_REGION'
  /** neither a 6-digit division code nor `<code>-<department>` */
  | 'INVALID_CODE'
  /** not an ISO 8601 date or moment */
  | 'INVALID_DATE'
  | 'INVALID_ARGUMENT'
  /** the agency and every successor are out of existence at the moment asked */
  | 'INACTIVE_AGENCY'
  /** no petition bureau anywhere above the divisions concerned */
  | 'NO_DECIDER'
  /** the data handed to the Registry contradicts itself */
  | 'INVALID_DATA';

/**
 * Thrown when a question cannot be asked: an unknown id or code, a malformed moment, bad data.
 * A well-formed question without an answer (no level above a province) returns undefined.
 */
export class RegistryError extends Error {
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}
