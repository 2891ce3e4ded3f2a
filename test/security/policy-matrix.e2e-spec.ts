import { LEGACY_AUTH_METADATA, policyFor, ROLES, ROUTE_POLICY, SCOPES, type Role, type RoutePolicy, type Scope } from '@lianban/auth';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { Api, startStandalone, type RunningApp } from '@lianban/testing/standalone';
import { AG, buildFixtures, type Fixtures } from './fixtures';
import { fillPath, liveRoutes, type LiveRoute } from './routes';

jest.setTimeout(180_000);

/**
 * The authorization matrix, generated: every route the running app serves × every role × in and
 * out of the route's scope, and anonymous and forged callers, against ROUTE_POLICY. A route with
 * no policy entry fails here, as does an entry for a route that no longer exists.
 *
 * Probes change nothing: a POST carries a body with an unknown field and a GET an unknown query
 * parameter, so a request the policy lets through is answered 400 by validation, after the guard
 * decided, and a request it refuses is answered by the guard (401, 403, or 404 for a case the
 * caller may not know of).
 */
const GUARD_DENIALS = new Set([
  'UNAUTHENTICATED', 'INVALID_TOKEN', 'AGENCY_CLAIM_MISSING', 'ROLE_NOT_ALLOWED', 'NO_POLICY', 'NOT_YOUR_AGENCY', 'NOT_THE_REVIEWER',
  'NOT_THE_DECIDER', 'REGION_NOT_ALLOWED', 'CASE_NOT_FOUND', 'APPEAL_NOT_FOUND', 'SUPERVISION_NOT_FOUND', 'DISPUTE_NOT_FOUND',
]);

interface Variant {
  label: string;
  token: () => Promise<string>;
  /** inside the route's scope (whether the role is allowed is the policy's other half) */
  inScope: boolean;
  params?: Record<string, string>;
  query?: string;
}

describe('the authorization policy, route × role × scope (generated from the running app\'s routes)', () => {
  let running: RunningApp;
  let api: Api;
  let f: Fixtures;
  let routes: LiveRoute[];

  beforeAll(async () => {
    running = await startStandalone();
    api = new Api(running.url);
    f = await buildFixtures(api);
    routes = liveRoutes(running.app);
  });
  afterAll(() => running?.close());

  const t = (role: string, agency?: string, extra?: { region?: string; cases?: string[] }) => () => f.token(role, agency, extra);
  const AGENCY_STAFF: Role[] = ['caseworker', 'agency-head'];

  /** a principal of each role that stands inside the scopes on case A (Chongqing, 北碚区) */
  function inside(role: Role): () => Promise<string> {
    switch (role) {
      case 'petitioner': return async () => f.caseA.petitionerToken;
      case 'caseworker': case 'agency-head': return t(role, AG.lead);
      case 'analyst': return t(role, undefined, { region: 'cq' });
      case 'admin': return t(role);
      default: return t(role, AG.bureau);
    }
  }

  /** out of region: the same role in Sichuan */
  function sichuan(role: Role): () => Promise<string> {
    switch (role) {
      case 'petitioner': return async () => f.caseS.petitionerToken;
      case 'caseworker': case 'agency-head': return t(role, AG.scAgency);
      case 'analyst': case 'admin': return t(role, undefined, { region: 'sc' });
      default: return t(role, AG.scBureau);
    }
  }

  function variants(scope: Scope, role: Role): Variant[] {
    const agencyStaff = AGENCY_STAFF.includes(role);
    switch (scope) {
      case 'none':
      case 'own-agency':
        return [{ label: 'own', token: inside(role), inScope: true }];
      case 'region':
        return [
          { label: 'own region', token: inside(role), inScope: true },
          // admin carries no region: it reads every region
          { label: 'asks for the other region', token: inside(role), inScope: role === 'admin', query: 'region=sc' },
        ];
      case 'case':
        return [
          { label: 'on case A', token: inside(role), inScope: true },
          ...(agencyStaff ? [
            { label: 'its task on case A was released (history after)', token: t(role, AG.released), inScope: true },
            { label: 'agency with no part in case A', token: t(role, AG.stranger), inScope: false },
          ] : []),
          { label: 'case A is outside its region / not its case', token: sichuan(role), inScope: false },
        ];
      case 'task':
        return [
          { label: 'its own task', token: inside(role), inScope: true, params: { agencyId: AG.lead } },
          ...(agencyStaff ? [
            { label: 'its own task, released (the domain refuses, not the policy)', token: t(role, AG.released), inScope: true, params: { agencyId: AG.released } },
            { label: 'another agency\'s task', token: inside(role), inScope: false, params: { agencyId: AG.co } },
            { label: 'its own agency, not on the case', token: t(role, AG.stranger), inScope: false, params: { agencyId: AG.stranger } },
          ] : []),
        ];
      case 'appeal-reviewer':
        return [
          { label: 'the reviewer', token: agencyStaff ? t(role, AG.reviewer) : inside(role), inScope: true },
          ...(agencyStaff ? [{ label: 'the appealed lead, not the reviewer', token: t(role, AG.lead), inScope: false }] : []),
        ];
      case 'supervised-agency':
        return [
          { label: 'the supervised agency', token: inside(role), inScope: true },
          ...(agencyStaff ? [{ label: 'another agency on the case', token: t(role, AG.co), inScope: false }] : []),
        ];
      case 'dispute-decider':
        return [
          { label: 'the decider\'s bureau', token: role === 'coordinator' || role === 'agency-head' ? t(role, AG.bureau) : inside(role), inScope: true },
          ...(role === 'coordinator' ? [
            { label: 'the city bureau (reads the case, does not decide)', token: t(role, AG.cityBureau), inScope: false },
            { label: 'a Sichuan bureau', token: t(role, AG.scBureau), inScope: false },
          ] : []),
          ...(role === 'agency-head' ? [{ label: 'a party to the dispute', token: t(role, AG.lead), inScope: false }] : []),
        ];
    }
  }

  function paramsFor(route: LiveRoute, policy: RoutePolicy, variant?: Variant): Record<string, string> {
    const onB = policy.scope === 'appeal-reviewer';
    return {
      caseId: onB ? f.caseB.caseId : f.caseA.caseId, appealId: f.caseB.appealId, supervisionId: f.caseA.supervisionId, disputeId: f.caseA.disputeId,
      ...(variant?.params ?? {}),
    };
  }

  async function probe(route: LiveRoute, params: Record<string, string>, authorization: string | undefined, query?: string) {
    const path = fillPath(route, params);
    const q = [route.method === 'GET' ? '__probe=1' : null, query].filter(Boolean).join('&');
    const headers: Record<string, string> = authorization ? { authorization } : {};
    const r = await new Api(api.url).request(route.method, `${path}${q ? `?${q}` : ''}`, route.method === 'GET' ? undefined : { __probe: true }, headers);
    const code: string | undefined = r.body?.error?.code;
    return { status: r.status, code, denied: r.status === 401 || ((r.status === 403 || r.status === 404) && !!code && GUARD_DENIALS.has(code)) };
  }

  it('has one policy entry for every route the app serves, and no entry for a route that does not exist', () => {
    const live = routes.map((r) => r.key).sort();
    expect(live.filter((k) => !policyFor(k))).toEqual([]);
    expect(Object.keys(ROUTE_POLICY).filter((k) => !live.includes(k)).sort()).toEqual([]);
    expect(live.length).toBeGreaterThan(40);
  });

  it('declares authorization only in the policy: no route carries the old per-route decorators', () => {
    const container = running.app.get(ModulesContainer);
    const scanner = new MetadataScanner();
    const carrying: string[] = [];
    for (const mod of container.values()) {
      for (const wrapper of mod.controllers.values()) {
        const proto = Object.getPrototypeOf(wrapper.instance ?? {});
        for (const name of scanner.getAllMethodNames(proto)) {
          for (const target of [proto[name], wrapper.metatype]) {
            if (LEGACY_AUTH_METADATA.some((k) => Reflect.getMetadata(k, target) !== undefined)) carrying.push(`${wrapper.name}.${name}`);
          }
        }
      }
    }
    expect(carrying).toEqual([]);
  });

  it('allows and refuses exactly as the policy says, for every route, role and scope — and never answers 5xx', async () => {
    const mismatches: string[] = [];
    const serverErrors: string[] = [];
    const scopesSeen = new Set<Scope>();
    let probes = 0;
    const check = (what: string, expectAllowed: boolean, r: { status: number; code?: string; denied: boolean }) => {
      probes++;
      if (r.status >= 500) serverErrors.push(`${what}: ${r.status} ${r.code}`);
      if (r.denied === expectAllowed) mismatches.push(`${what}: expected ${expectAllowed ? 'allowed' : 'denied'}, got ${r.status} ${r.code ?? ''}`);
    };
    for (const route of routes) {
      const policy = policyFor(route.key);
      if (!policy) continue;
      scopesSeen.add(policy.scope);
      const base = paramsFor(route, policy);
      check(`${route.key} anonymous`, policy.access !== 'token', await probe(route, base, undefined));
      check(`${route.key} forged token`, policy.access === 'public', await probe(route, base, 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4Iiwicm9sZSI6ImFkbWluIn0.AAAA'));
      const jobs: Promise<void>[] = [];
      for (const role of ROLES) {
        for (const v of variants(policy.scope, role)) {
          const expectAllowed = policy.access === 'public' || (policy.roles.includes(role) && v.inScope);
          jobs.push((async () => {
            const r = await probe(route, paramsFor(route, policy, v), `Bearer ${await v.token()}`, v.query);
            check(`${route.key} as ${role} (${v.label})`, expectAllowed, r);
          })());
        }
      }
      await Promise.all(jobs);
    }
    expect(serverErrors).toEqual([]);
    expect(mismatches).toEqual([]);
    // every kind of scope was exercised by some route, in and out
    expect([...scopesSeen].sort()).toEqual([...SCOPES].sort());
    expect(probes).toBeGreaterThan(routes.length * 8);
  });

  it('keeps the shape of the model, independently of the table: what is open, what is admin-only, what petitioners reach', () => {
    const open = Object.entries(ROUTE_POLICY).filter(([, p]) => p.access !== 'token').map(([k]) => k).sort();
    expect(open).toEqual([
      'GET /.well-known/jwks.json', 'GET /docs', 'GET /docs-json', 'GET /docs-yaml', 'GET /docs/docs/swagger-ui-init.js', 'GET /docs/index.html',
      'GET /docs/swagger-ui-init.js', 'GET /health', 'GET /metrics', 'GET /ui', 'GET /ui/assets/{file}', 'GET /ui/cases/{caseId}',
      'GET /ui/vendor/echarts.min.js',
      // 领导接访: the leaders' reception schedule is published, so petitioners can choose their day
      'GET /v1/receptions', 'GET /v1/receptions/schedules',
      'POST /v1/dev/tokens', 'POST /v1/petitions',
    ]);
    for (const [k, p] of Object.entries(ROUTE_POLICY)) {
      if (k.includes('/v1/admin/')) expect({ k, roles: p.roles }).toEqual({ k, roles: ['admin'] });
      // a petitioner reaches only their own case (and what everyone reaches)
      if (p.access === 'token' && p.roles.includes('petitioner')) expect({ k, scope: p.scope === 'case' || p.scope === 'none' }).toEqual({ k, scope: true });
      // analysts read; they never act on a case
      if (k.startsWith('POST ') && p.access === 'token') expect({ k, analyst: p.roles.includes('analyst') }).toEqual({ k, analyst: false });
      // whatever names a case is scoped to it
      if (k.includes('{caseId}') && p.access === 'token') expect({ k, scoped: p.scope !== 'none' }).toEqual({ k, scoped: true });
    }
  });
});
