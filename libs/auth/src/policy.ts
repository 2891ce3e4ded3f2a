import { ROLES, type Role } from './principal';

/**
 * Who may call what: THE authorization policy of the HTTP API, one entry per route. The global
 * guard (libs/platform/src/security/policy.guard.ts) enforces it before any handler runs; a route
 * without an entry is refused (403 NO_POLICY) and fails the generated matrix test
 * (test/security/policy-matrix.e2e-spec.ts), which calls every route of the running app with
 * every role in and out of each scope.
 *
 * access
 *   public    no token needed, a token sent is ignored (health, docs, static pages, dev tokens)
 *   optional  a token is read when sent; without one the route serves anonymous callers (online petitions)
 *   token     a valid token is required (401 otherwise)
 *
 * scope — what the caller must stand in relation to, beyond having one of `roles`
 *   none               nothing more
 *   own-agency         the token's own agency (the inbox shows that agency's tasks only)
 *   region             bureau staff see their own region only (statistics: `region` must be the token's)
 *   case               the case of {caseId}: a petitioner the cases named in their token; agency staff
 *                      the cases their agency has a part in — while assigned, and its history after the
 *                      task ended; bureau staff, supervisors, analysts and admins the cases of their
 *                      region (a token without a region claim or agency: every region). Otherwise 404,
 *                      so a caller not entitled does not learn that the case exists.
 *   task               {agencyId} is the token's own agency (else 403 NOT_YOUR_AGENCY), and `case`
 *   appeal-reviewer    the token's agency is the reviewer the appeal {appealId} names (403 NOT_THE_REVIEWER)
 *   supervised-agency  the token's agency is the one the supervision {supervisionId} names (403 NOT_YOUR_AGENCY)
 *   dispute-decider    `case`, and the token acts for the decider of {disputeId}: its common superior's
 *                      bureau, or a member bureau of the joint conference (403 NOT_THE_DECIDER)
 *
 * What a permitted caller then sees of the petitioner is decided in one place too
 * (PersonalDataService.petitionerFor): analysts a pseudonym, agency staff nothing of an accuser.
 */
export type Access = 'public' | 'optional' | 'token';
export type Scope = 'none' | 'own-agency' | 'region' | 'case' | 'task' | 'appeal-reviewer' | 'supervised-agency' | 'dispute-decider';
export const SCOPES: readonly Scope[] = ['none', 'own-agency', 'region', 'case', 'task', 'appeal-reviewer', 'supervised-agency', 'dispute-decider'];

export interface RoutePolicy {
  access: Access;
  /** the roles a token must carry (every role on public routes, where no token is read) */
  roles: readonly Role[];
  scope: Scope;
}

const ANYONE = ROLES;
/** every role that works on cases (not the petitioner) */
const STAFF: readonly Role[] = ['clerk', 'coordinator', 'caseworker', 'agency-head', 'supervisor', 'analyst', 'admin'];
const AGENCY_STAFF: readonly Role[] = ['caseworker', 'agency-head'];

const open = (): RoutePolicy => ({ access: 'public', roles: ANYONE, scope: 'none' });
const allow = (roles: readonly Role[], scope: Scope): RoutePolicy => ({ access: 'token', roles, scope });

/** `METHOD /path/{param}`, paths as the OpenAPI document writes them. */
export const ROUTE_POLICY: Readonly<Record<string, RoutePolicy>> = {
  // operations, documentation, the static web pages (they hold no data: they call the API with the user's token)
  'GET /health': open(),
  'GET /metrics': open(),
  // Swagger UI's own routes (its bundle is static files under /docs, no route)
  'GET /docs': open(),
  'GET /docs/index.html': open(),
  'GET /docs/swagger-ui-init.js': open(),
  'GET /docs/docs/swagger-ui-init.js': open(),
  'GET /docs-json': open(),
  'GET /docs-yaml': open(),
  'GET /.well-known/jwks.json': open(),
  'GET /ui': open(),
  'GET /ui/cases/{caseId}': open(),
  'GET /ui/assets/{file}': open(),
  'GET /ui/vendor/echarts.min.js': open(),
  // embedded dev mode only (the routes do not exist, or answer 404, anywhere else)
  'POST /v1/dev/tokens': open(),
  'POST /v1/dev/deadline-watch': allow(['admin'], 'none'),

  // intake: online petitions need no token; letters, visits, calls and video need a clerk (the handler checks the channel)
  'POST /v1/petitions': { access: 'optional', roles: ANYONE, scope: 'none' },
  'GET /v1/petitions/{caseId}': allow(ANYONE, 'case'),
  'POST /v1/petitions/{caseId}/rating': allow(['petitioner'], 'case'),
  'POST /v1/petitions/{caseId}/appeals': allow(['petitioner'], 'case'),

  // the petition bureau
  'POST /v1/cases/{caseId}/classification': allow(['coordinator'], 'case'),
  'POST /v1/cases/{caseId}/assignments': allow(['coordinator'], 'case'),
  'POST /v1/cases/{caseId}/tasks/{agencyId}/release': allow(['coordinator'], 'case'),
  'POST /v1/cases/{caseId}/supervision': allow(['coordinator', 'supervisor'], 'case'),
  'POST /v1/cases/{caseId}/disputes': allow(AGENCY_STAFF, 'case'),
  'POST /v1/cases/{caseId}/disputes/{disputeId}/decision': allow(['coordinator', 'agency-head'], 'dispute-decider'),

  // agencies
  'GET /v1/inbox': allow(AGENCY_STAFF, 'own-agency'),
  'POST /v1/cases/{caseId}/tasks/{agencyId}/acceptance': allow(AGENCY_STAFF, 'task'),
  'POST /v1/cases/{caseId}/tasks/{agencyId}/return': allow(AGENCY_STAFF, 'task'),
  'POST /v1/cases/{caseId}/tasks/{agencyId}/actions': allow(AGENCY_STAFF, 'task'),
  'POST /v1/cases/{caseId}/tasks/{agencyId}/opinion': allow(AGENCY_STAFF, 'task'),
  // Art. 34: the extension is approved by the agency's head
  'POST /v1/cases/{caseId}/tasks/{agencyId}/extension': allow(['agency-head'], 'task'),
  // the lead's reply goes into the caller's own task; the decider refuses a caller that is not the lead
  'POST /v1/cases/{caseId}/reply': allow(AGENCY_STAFF, 'case'),
  'POST /v1/cases/{caseId}/supervision/{supervisionId}/answer': allow(AGENCY_STAFF, 'supervised-agency'),
  'POST /v1/cases/{caseId}/appeals/{appealId}/hearing': allow(AGENCY_STAFF, 'appeal-reviewer'),
  'POST /v1/cases/{caseId}/appeals/{appealId}/decision': allow(AGENCY_STAFF, 'appeal-reviewer'),

  // history
  'GET /v1/cases/{caseId}': allow(STAFF, 'case'),
  'GET /v1/cases/{caseId}/timeline': allow(STAFF, 'case'),
  'GET /v1/stats': allow(['analyst', 'coordinator'], 'region'),
  'GET /v1/stats/overdue': allow(['analyst', 'coordinator'], 'region'),
  // which regions the two above answer for the caller: nothing of any region's figures
  'GET /v1/stats/regions': allow(['analyst', 'coordinator'], 'none'),
  'GET /v1/agencies': allow(ANYONE, 'none'),

  // administration of personal data (个人信息保护法): erasure and the audit of who read what
  'POST /v1/admin/petitioners/{petitionerId}/erasure': allow(['admin'], 'none'),
  'GET /v1/admin/audit': allow(['admin'], 'none'),

  // coordination (issue 8): task forces, campaigns, leaders' 包案 — the coordinator acts, the bureau
  // side reads; each handler shows only what belongs to the caller's region (404 otherwise, as for a case)
  'POST /v1/task-forces': allow(['coordinator'], 'none'),
  'GET /v1/task-forces': allow(['coordinator', 'supervisor', 'analyst', 'admin'], 'none'),
  'GET /v1/task-forces/{taskForceId}': allow(['coordinator', 'supervisor', 'analyst', 'admin'], 'none'),
  'POST /v1/task-forces/{taskForceId}/members': allow(['coordinator'], 'none'),
  'POST /v1/task-forces/{taskForceId}/members/{agencyId}/release': allow(['coordinator'], 'none'),
  'POST /v1/task-forces/{taskForceId}/milestones': allow(['coordinator'], 'none'),
  'POST /v1/task-forces/{taskForceId}/milestones/{milestoneId}/completion': allow(['coordinator'], 'none'),
  'POST /v1/task-forces/{taskForceId}/meetings': allow(['coordinator'], 'none'),
  'POST /v1/task-forces/{taskForceId}/site-visits': allow(['coordinator'], 'none'),
  'POST /v1/task-forces/{taskForceId}/closure': allow(['coordinator'], 'none'),
  'POST /v1/campaigns': allow(['coordinator'], 'none'),
  'GET /v1/campaigns': allow(['coordinator', 'supervisor', 'analyst', 'admin'], 'none'),
  'GET /v1/campaigns/{campaignId}': allow(['coordinator', 'supervisor', 'analyst', 'admin'], 'none'),
  'POST /v1/campaigns/{campaignId}/cases': allow(['coordinator'], 'none'),
  'GET /v1/leaders': allow(['coordinator', 'supervisor', 'analyst', 'admin'], 'none'),
  'GET /v1/leaders/cases': allow(['coordinator', 'supervisor', 'analyst', 'admin'], 'none'),
  // leader receptions (领导接访): the schedule is public so petitioners can choose their day; a visit is registered by staff
  'GET /v1/receptions': open(),
  'GET /v1/receptions/schedules': open(),
  'POST /v1/receptions/{sessionId}/petitions': allow(['clerk', 'coordinator'], 'none'),
};

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ALL'];

/**
 * The policy key of a route: `POST /v1/cases/{caseId}/reply` from the method and the path as
 * Nest or Express write it (`/v1/cases/:caseId/reply`, `*path` wildcards as `{*path}`).
 */
export function routeKey(method: string, path: string): string {
  const m = method.toUpperCase();
  if (!METHODS.includes(m)) throw new Error(`unknown HTTP method ${method}`);
  const normalised = ('/' + path)
    .replace(/\/+/g, '/')
    .replace(/(.)\/$/, '$1')
    .replace(/\{\/?\*(\w+)\}/g, '{*$1}')
    .replace(/\*(\w+)/g, '{*$1}')
    .replace(/\{\{\*(\w+)\}\}/g, '{*$1}')
    .replace(/:(\w+)/g, '{$1}');
  return `${m} ${normalised}`;
}

export function policyFor(key: string): RoutePolicy | undefined {
  return Object.prototype.hasOwnProperty.call(ROUTE_POLICY, key) ? ROUTE_POLICY[key] : undefined;
}
