import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { Request } from 'express';
import { badRequest } from '../http-errors';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY = /^[\w.:-]{8,128}$/;

/** the key as sent, checked: undefined when the request carries none (it is optional everywhere) */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const key = Array.isArray(header) ? header[0] : header;
  if (!KEY.test(key)) throw badRequest('INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 8–128 characters of letters, digits, ".", ":", "_" or "-"');
  return key;
}

/**
 * The request's Idempotency-Key, for handlers that derive an id from it (a retried registration
 * finds its first case). A custom parameter decorator rather than `@Headers(...)`: Swagger
 * documents every `@Headers` parameter as required, and the key is optional on every POST —
 * `documentIdempotencyKey` describes it once for all of them.
 */
export const IdempotencyKey = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined =>
  idempotencyKeyOf(ctx.switchToHttp().getRequest<Request>().headers[IDEMPOTENCY_HEADER]));

const ERROR_SCHEMA = 'ApiError';

/**
 * The OpenAPI side of Idempotency, which serves every POST: each POST operation gets
 * the optional header and its 400/409 answers, from this one description, so no route can
 * claim the key is required or forget that it is accepted.
 */
export function documentIdempotencyKey(doc: OpenAPIObject): OpenAPIObject {
  doc.components ??= {};
  doc.components.schemas ??= {};
  doc.components.schemas[ERROR_SCHEMA] ??= {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'array', items: { type: 'object' } } },
      },
    },
  };
  const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ERROR_SCHEMA}` } } } });
  for (const ops of Object.values(doc.paths)) {
    const op = ops.post;
    if (!op) continue;
    op.parameters = [
      ...(op.parameters ?? []).filter((p) => !('in' in p && p.in === 'header' && p.name.toLowerCase() === IDEMPOTENCY_HEADER)),
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'optional: a retry with the same key (per caller, kept 24 h) gets the first answer instead of acting twice',
        schema: { type: 'string', pattern: KEY.source, example: 'intake-2025-000123' },
      },
    ];
    const reuse = 'IDEMPOTENCY_KEY_REUSED: the key was used for another request; IDEMPOTENCY_KEY_IN_USE: its first request is still running (Retry-After)';
    const conflict = op.responses['409'] as { description?: string } | undefined;
    op.responses['409'] = conflict?.description ? { ...conflict, description: `${conflict.description}; ${reuse}` } : error(`a rule refused (the code names it), or ${reuse}`);
    op.responses['400'] ??= error('invalid input, naming the fields; INVALID_IDEMPOTENCY_KEY for a malformed key');
  }
  return doc;
}
