import { createParamDecorator, ExecutionContext, HttpException, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal, Role } from './principal';

/** Metadata of the decorators below; the policy test refuses any route that still carries it. */
export const LEGACY_AUTH_METADATA = ['lianban:roles', 'lianban:public', 'lianban:optional-auth'] as const;

/**
 * @deprecated Ignored: who may call a route is declared in ROUTE_POLICY (libs/auth/src/policy.ts),
 * the one policy the guard enforces. Kept only so that code written against it still compiles;
 * the policy matrix test fails while a route carries it.
 */
export const Roles = (...roles: Role[]) => SetMetadata(LEGACY_AUTH_METADATA[0], roles);
/** @deprecated Ignored: declare the route `open()` in ROUTE_POLICY. */
export const Public = () => SetMetadata(LEGACY_AUTH_METADATA[1], true);
/** @deprecated Ignored: declare the route `access: 'optional'` in ROUTE_POLICY. */
export const OptionalAuth = () => SetMetadata(LEGACY_AUTH_METADATA[2], true);

export interface RequestWithPrincipal extends Request {
  principal?: Principal;
}

const error = (status: number, code: string, message: string) => new HttpException({ error: { code, message } }, status);

/** The verified caller (undefined only on public / optional routes without a token). */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal | undefined => {
  return ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal;
});

/** Agency staff act only for their own agency's task. */
export function assertOwnAgency(p: Principal, agencyId: string): void {
  if (p.agency !== agencyId) {
    throw error(403, 'NOT_YOUR_AGENCY', `this task belongs to ${agencyId}; the token acts for ${p.agency ?? 'no agency'}`);
  }
}
