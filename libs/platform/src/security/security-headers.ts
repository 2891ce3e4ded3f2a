import type { NextFunction, Request, Response } from 'express';

/** The JSON API: nothing in a response may load or run anything, nor be framed. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/**
 * /ui (apps/history/src/ui): scripts, ECharts and styles from this origin only; ECharts sets
 * inline styles and draws images as data: URLs. The page controller sends the same policy.
 */
export const UI_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'none'";
/** /docs (Swagger UI): its bundle and init script from this origin, its inline styles, its data: icons. */
export const DOCS_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'none'";

function cspFor(path: string): string {
  if (path === '/ui' || path.startsWith('/ui/')) return UI_CSP;
  if (path === '/docs' || path.startsWith('/docs/') || path.startsWith('/docs-')) return DOCS_CSP;
  return API_CSP;
}

/**
 * The headers helmet would set, chosen for this service: no sniffing, no framing, no referrer,
 * HTTPS remembered, isolation from other origins, and a content security policy per kind of
 * response. API answers may hold personal data: no cache keeps them (a route that sets its own
 * cache-control, like the static pages, overrides this).
 */
export function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('content-security-policy', cspFor(req.path));
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
  res.setHeader('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()');
  res.setHeader('x-dns-prefetch-control', 'off');
  res.setHeader('x-permitted-cross-domain-policies', 'none');
  if (req.path.startsWith('/v1/') || req.path.startsWith('/.well-known/')) res.setHeader('cache-control', 'no-store');
  next();
}
