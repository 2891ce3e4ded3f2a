/**
 * A rule of the 条例 (or of the procedure) refused a command. `code` is stable: clients and
 * tests match on it, the HTTP edge answers 409 with it. `article` names the rule's source.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly article?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function refuse(code: string, message: string, article?: string, details?: Record<string, unknown>): never {
  throw new DomainError(code, message, article, details);
}
