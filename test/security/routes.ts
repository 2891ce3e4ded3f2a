import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { routeKey } from '@lianban/auth';

export interface LiveRoute {
  method: string;
  /** the path as Express holds it: `/v1/cases/:caseId/reply` */
  path: string;
  /** the policy key: `POST /v1/cases/{caseId}/reply` */
  key: string;
  params: string[];
}

/**
 * Every route the running app serves, read off Express's router (Nest's controllers and what
 * Swagger mounts): a route added anywhere shows up here without a test being told about it.
 */
export function liveRoutes(app: INestApplication): LiveRoute[] {
  const express = app.getHttpAdapter().getInstance() as { router?: { stack: Layer[] }; _router?: { stack: Layer[] } };
  const stack = (express.router ?? express._router)!.stack;
  const seen = new Map<string, LiveRoute>();
  for (const layer of stack) {
    if (!layer.route) continue;
    for (const method of Object.keys(layer.route.methods)) {
      const key = routeKey(method, layer.route.path);
      if (!seen.has(key)) seen.set(key, { method: method.toUpperCase(), path: layer.route.path, key, params: [...layer.route.path.matchAll(/:(\w+)/g)].map((m) => m[1]) });
    }
  }
  return [...seen.values()];
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

export function fillPath(route: LiveRoute, values: Record<string, string>): string {
  return route.path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(values[name] ?? defaultParam(name)));
}

/** a well-formed value for a parameter the test knows nothing about */
export function defaultParam(name: string): string {
  if (name === 'agencyId') return '500109-rsj';
  if (name === 'file') return 'app.css';
  return randomUUID();
}
