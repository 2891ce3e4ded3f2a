import { ArgumentsHost, BadRequestException, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ValidationError } from 'class-validator';
import type { Response } from 'express';
import { DomainError } from '@lianban/domain';
import { EventRejectedError, StreamConflictError } from '@lianban/eventstore';
import { IdempotentReplay, releaseClaim } from './security/idempotency-claim';

/** The error body of DESIGN 7: `{error: {code, message, details?}}`. */
export class ApiError extends HttpException {
  constructor(status: number, readonly code: string, message: string, readonly details?: unknown) {
    super({ error: { code, message, ...(details === undefined ? {} : { details }) } }, status);
  }
}

export const badRequest = (code: string, message: string, details?: unknown) => new ApiError(400, code, message, details);
export const forbidden = (code: string, message: string) => new ApiError(403, code, message);
export const notFound = (code: string, message: string) => new ApiError(404, code, message);
export const conflict = (code: string, message: string, details?: unknown) => new ApiError(409, code, message, details);

/**
 * A property name as the client sent it is echoed only when it looks like a field name: an
 * unknown key can be anything — a name, a phone number — and error bodies end up in logs.
 */
function safeName(property: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(property) || /^\d{1,4}$/.test(property) ? property : '(unknown property)';
}

function flatten(errors: ValidationError[], prefix = ''): { field: string; problems: string[] }[] {
  return errors.flatMap((e) => {
    const name = safeName(e.property);
    const field = prefix ? `${prefix}.${name}` : name;
    const problems = Object.values(e.constraints ?? {}).map((m) => (name === e.property ? m : m.split(e.property).join(name)));
    const own = e.constraints ? [{ field, problems }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** For ValidationPipe: one 400 that names every field that is wrong and why. */
export function validationErrorFactory(errors: ValidationError[]): BadRequestException {
  const details = flatten(errors);
  const message = details.map((d) => `${d.field}: ${d.problems.join('; ')}`).join(' | ');
  return new BadRequestException({ error: { code: 'VALIDATION_FAILED', message: message || 'invalid input', details } });
}

const BODY_PARSER_ERRORS: Record<string, [number, string, string]> = {
  'entity.parse.failed': [400, 'MALFORMED_JSON', 'the request body is not valid JSON'],
  'entity.too.large': [413, 'PAYLOAD_TOO_LARGE', 'the request body is too large'],
  'encoding.unsupported': [415, 'UNSUPPORTED_ENCODING', 'the request body encoding is not supported'],
  'charset.unsupported': [415, 'UNSUPPORTED_CHARSET', 'the request body charset is not supported'],
};

/**
 * Turns every failure into the JSON shape of DESIGN 7. A refused rule is 409 with the rule's
 * code; anything a client sent never becomes a 500. A 500 means a bug here, and its message
 * says nothing about internals (it is logged instead).
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('http');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const failed = (e: unknown) => this.log.error(`the answer could not be sent: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    // the first answer to an Idempotency-Key, sent as it was the first time
    if (exception instanceof IdempotentReplay) return void Promise.resolve(this.adapterHost.httpAdapter.reply(res, exception.body, exception.status)).catch(failed);
    const [status, body] = this.toResponse(exception);
    if (status >= 500) this.log.error(exception instanceof Error ? exception.stack ?? exception.message : String(exception));
    releaseClaim(res, () => res.status(status).json(body), failed);
  }

  private toResponse(e: unknown): [number, unknown] {
    if (e instanceof DomainError) {
      return [409, { error: { code: e.code, message: e.message, ...(e.article ? { article: e.article } : {}), ...(e.details ? { details: e.details } : {}) } }];
    }
    if (e instanceof StreamConflictError) {
      return [409, { error: { code: 'CONCURRENT_MODIFICATION', message: 'someone else changed this case at the same moment; read it again and retry' } }];
    }
    if (e instanceof EventRejectedError) return [413, { error: { code: 'EVENT_TOO_LARGE', message: e.message } }];
    if (e instanceof HttpException) {
      const status = e.getStatus();
      const r = e.getResponse();
      if (typeof r === 'object' && r !== null && 'error' in r && typeof (r as { error: unknown }).error === 'object') return [status, r];
      const message = typeof r === 'string' ? r : ((r as { message?: unknown }).message ?? e.message);
      return [status, { error: { code: codeForStatus(status), message: Array.isArray(message) ? message.join('; ') : String(message) } }];
    }
    const typed = e as { type?: string; status?: number };
    if (typed && typeof typed.type === 'string' && BODY_PARSER_ERRORS[typed.type]) {
      const [status, code, message] = BODY_PARSER_ERRORS[typed.type];
      return [status, { error: { code, message } }];
    }
    if (typed && typeof typed.status === 'number' && typed.status >= 400 && typed.status < 500) {
      return [typed.status, { error: { code: codeForStatus(typed.status), message: 'the request could not be read' } }];
    }
    return [500, { error: { code: 'INTERNAL', message: 'an internal error occurred; it has been logged' } }];
  }
}

function codeForStatus(status: number): string {
  const name = HttpStatus[status];
  return typeof name === 'string' ? name : `HTTP_${status}`;
}
