import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../../..');
export const ASYNCAPI_PATH = path.join(ROOT, 'docs/asyncapi.yaml');

type Schema = Record<string, unknown>;

/**
 * The documented schemas made strict for testing: every object schema that does not say
 * otherwise refuses properties it does not list. The document itself stays open (a reader
 * should tolerate fields added later); the test must not, or a field the code sends but the
 * document lacks would go unnoticed.
 */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema as Schema)) out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Schema).map(([p, s]) => [p, strict(s)])) : strict(v);
  if (out.type === 'object' && out.properties && !('additionalProperties' in out)) out.additionalProperties = false;
  return out;
}

export interface MessageCheck {
  /** problems found; empty when the message matches its documented headers and payload */
  errors: string[];
}

/** Validates Kafka messages (string headers, JSON value) against docs/asyncapi.yaml. */
export class AsyncApiValidator {
  readonly document: Schema;
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly payloads = new Map<string, ValidateFunction>();
  private readonly headers: ValidateFunction;
  private readonly deadLetterHeaders: ValidateFunction;

  constructor(file = ASYNCAPI_PATH) {
    this.document = parse(fs.readFileSync(file, 'utf8')) as Schema;
    this.ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    this.ajv.addFormat('date-time', { validate: (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)) });
    const components = this.document.components as { schemas: Record<string, Schema> };
    // headers may carry more than the CloudEvents set (a DLQ adds its own), so they stay open
    this.headers = this.ajv.compile(components.schemas.CloudEventHeaders);
    // a dead letter's own headers, next to the CloudEvents ones it keeps (components.messages.DeadLetter)
    const deadLetter = (this.document.components as { messages: Record<string, { headers: { allOf: Schema[] } }> }).messages.DeadLetter;
    this.deadLetterHeaders = this.ajv.compile({ allOf: deadLetter.headers.allOf.filter((s) => !('$ref' in s)) });
    for (const [name, schema] of Object.entries(components.schemas)) {
      if (name !== 'CloudEventHeaders') this.payloads.set(name, this.ajv.compile(strict(schema) as Schema));
    }
  }

  /** the event types of a channel (`caseEvents`, `agencyEvents`, `outbound`, `inbound`), or `DeadLetter` */
  messagesOf(channel: string): string[] {
    const channels = this.document.channels as Record<string, { messages: Record<string, unknown> }>;
    return Object.keys(channels[channel].messages);
  }

  check(channel: string, message: { headers: Record<string, string>; value: Buffer }): MessageCheck {
    const errors: string[] = [];
    if (!this.headers(message.headers)) errors.push(`headers: ${this.ajv.errorsText(this.headers.errors)}`);
    const type = message.headers.ce_type;
    if (this.messagesOf(channel).includes('DeadLetter')) {
      // a dead letter is the original message unchanged plus its own headers: its body is still the event's
      if (!this.deadLetterHeaders(message.headers)) errors.push(`dead-letter headers: ${this.ajv.errorsText(this.deadLetterHeaders.errors)}`);
    } else if (!this.messagesOf(channel).includes(type)) {
      errors.push(`type ${type} is not documented on channel ${channel}`);
    }
    const validate = this.payloads.get(type);
    if (!validate) return { errors: [...errors, `no schema for ${type}`] };
    let body: unknown;
    try {
      body = JSON.parse(message.value.toString('utf8'));
    } catch {
      return { errors: [...errors, 'value is not JSON'] };
    }
    if (!validate(body)) errors.push(`payload of ${type}: ${this.ajv.errorsText(validate.errors)}`);
    return { errors };
  }
}
