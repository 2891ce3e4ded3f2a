import { CanActivate, ExecutionContext, Injectable, Logger, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import {
  InvalidTokenError, KeysUnavailableError, policyFor, routeKey, TokenService, type Principal, type RequestWithPrincipal, type RoutePolicy,
} from '@lianban/auth';
import { Registry } from '@lianban/registry';
import { CaseReader } from '../case-reader';
import { actingFor, jointConferenceMembers } from '../deciders';
import { ApiError } from '../http-errors';
import type { RequestWithClock } from '../request-clock';
import { authorizeCaller, authorizeScope, checkParameters, type Decision, type ScopeFacts } from './authorize';
import { Idempotency } from './idempotency';

const SCOPES_READING_THE_CASE = new Set(['case', 'task', 'appeal-reviewer', 'supervised-agency', 'dispute-decider']);

function pathOf(meta: unknown): string {
  const p = Array.isArray(meta) ? meta[0] : meta;
  return typeof p === 'string' ? p : '';
}

/** The policy key of a Nest handler, from the same metadata Nest routes by. */
export function handlerRouteKey(controller: object, handler: object): string {
  const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod;
  const path = `/${pathOf(Reflect.getMetadata(PATH_METADATA, controller))}/${pathOf(Reflect.getMetadata(PATH_METADATA, handler))}`;
  return routeKey(RequestMethod[method], path);
}

/**
 * The global guard: enforces ROUTE_POLICY (libs/auth/src/policy.ts) on every route — the
 * token, the role, then the scope, reading the case from the store (never a projection) when
 * the scope depends on it. Handlers may check more (the domain's own rules), never less.
 * A request it lets through then claims its Idempotency-Key (a refused one never does).
 */
@Injectable()
export class PolicyGuard implements CanActivate {
  private readonly log = new Logger('policy');
  private readonly keys = new WeakMap<object, string>();
  private readonly reported = new Set<string>();

  constructor(
    private readonly tokens: TokenService, private readonly reader: CaseReader, private readonly registry: Registry, private readonly idempotency: Idempotency,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const http = ctx.switchToHttp();
    await this.authorize(ctx, http.getRequest<RequestWithPrincipal>());
    await this.idempotency.claim(http.getRequest<RequestWithPrincipal>(), http.getResponse());
    return true;
  }

  /** throws the refusal, if any */
  private async authorize(ctx: ExecutionContext, req: RequestWithPrincipal): Promise<void> {
    const handler = ctx.getHandler();
    let key = this.keys.get(handler);
    if (!key) {
      key = handlerRouteKey(ctx.getClass(), handler);
      this.keys.set(handler, key);
    }
    const policy = policyFor(key);
    if (!policy) {
      if (!this.reported.has(key)) {
        this.reported.add(key);
        this.log.error(`${key} has no entry in ROUTE_POLICY (libs/auth/src/policy.ts): refused to everyone until it has one`);
      }
      throw new ApiError(403, 'NO_POLICY', 'this route has no authorization policy yet and serves nobody');
    }
    if (policy.access === 'public') return;
    const principal = await this.principal(req);
    if (principal) req.principal = principal;
    enforce(authorizeCaller(policy, principal));
    if (!principal) return;
    const params = req.params as Record<string, string | undefined>;
    enforce(checkParameters(policy, params));
    const at = (req as unknown as RequestWithClock).lianbanNow ?? new Date().toISOString();
    enforce(authorizeScope(policy, principal, await this.facts(policy, principal, params, req.query as Record<string, unknown>, at)));
  }

  private async principal(req: RequestWithPrincipal): Promise<Principal | undefined> {
    const header = req.headers.authorization;
    if (header === undefined) return undefined;
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new ApiError(401, 'UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
    try {
      return await this.tokens.verify(m[1]);
    } catch (e) {
      if (e instanceof InvalidTokenError) throw new ApiError(401, 'INVALID_TOKEN', e.message);
      if (e instanceof KeysUnavailableError) {
        this.log.error(e.message);
        throw new ApiError(503, 'AUTH_KEYS_UNAVAILABLE', 'the token issuer\'s keys cannot be read right now; try again shortly');
      }
      throw e;
    }
  }

  /** `now`: the request's moment, as the handler decides at it (the registry is effective-dated) */
  private async facts(policy: RoutePolicy, p: Principal, params: Record<string, string | undefined>, query: Record<string, unknown>, now: string): Promise<ScopeFacts> {
    if (!SCOPES_READING_THE_CASE.has(policy.scope)) return { params, query };
    const found = await this.reader.file(params.caseId!);
    return {
      params, query, file: found?.file ?? null,
      // a registry scan: only for a caller of another region on a case before the joint conference
      jointConferenceMembers: () => jointConferenceMembers(this.registry, now),
      actsFor: (deciderId) => actingFor(this.registry, p, deciderId, now) !== null,
    };
  }
}

function enforce(d: Decision): void {
  if (!d.allow) throw new ApiError(d.status, d.code, d.message);
}
