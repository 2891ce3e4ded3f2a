import { CanActivate, createParamDecorator, ExecutionContext, HttpException, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AGENCY_ROLES, type Principal, type Role } from './principal';
import { InvalidTokenError, TokenService } from './token.service';

const ROLES_KEY = 'lianban:roles';
const PUBLIC_KEY = 'lianban:public';
const OPTIONAL_KEY = 'lianban:optional-auth';

/** Who may call a route. Every route names its roles, or is explicitly public. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
/** No token needed (health, docs, the dev token route). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
/** A token is read when present, but the route also serves anonymous callers (online petitions). */
export const OptionalAuth = () => SetMetadata(OPTIONAL_KEY, true);

export interface RequestWithPrincipal extends Request {
  principal?: Principal;
}

const error = (status: number, code: string, message: string) => new HttpException({ error: { code, message } }, status);

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector, private readonly tokens: TokenService) {}

  canActivate(ctx: ExecutionContext): boolean {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest<RequestWithPrincipal>();
    const header = req.headers.authorization;
    const optional = this.reflector.getAllAndOverride<boolean>(OPTIONAL_KEY, targets);
    if (!header) {
      if (optional) return true;
      throw error(401, 'UNAUTHENTICATED', 'send Authorization: Bearer <token>');
    }
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw error(401, 'UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
    try {
      req.principal = this.tokens.verify(m[1]);
    } catch (e) {
      if (e instanceof InvalidTokenError) throw error(401, 'INVALID_TOKEN', e.message);
      throw e;
    }
    if (AGENCY_ROLES.includes(req.principal.role) && !req.principal.agency) {
      throw error(403, 'AGENCY_CLAIM_MISSING', `a ${req.principal.role} token must name its agency`);
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(req.principal.role)) {
      throw error(403, 'ROLE_NOT_ALLOWED', `this action is for ${roles.join(', ')}; the token's role is ${req.principal.role}`);
    }
    return true;
  }
}

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
