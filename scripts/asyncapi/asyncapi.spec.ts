import * as fs from 'node:fs';
import * as path from 'node:path';
import { Parser } from '@asyncapi/parser';
import Ajv from 'ajv';
import * as domain from '@lianban/domain';
import { AsyncApiValidator } from '@lianban/testing/asyncapi';
import { encodeEventMessage, type StoredEvent } from '@lianban/contracts';
import { deadLetterOf } from '../../libs/platform/src/consumers/dead-letter';
import { publicData, REDACTED_PATHS } from '../../libs/platform/src/relay/redaction';
import { ASYNCAPI_FILE } from './catalogue';
import { renderAsyncApi, repositoryRoot } from './document';
import { eventDocs } from './schemas';

/**
 * The AsyncAPI document (DESIGN 5, issue 4 item 6) is generated from the code; these tests keep
 * it current and valid. When one fails after an event type was added or changed, run
 * `npm run asyncapi` and commit docs/asyncapi.yaml.
 */
const root = repositoryRoot();
const file = path.join(root, ASYNCAPI_FILE);
const text = fs.readFileSync(file, 'utf8');

/** every `lianban.…` string of every `…EventTypes` table the domain exports */
const domainTypes = Object.entries(domain)
  .filter(([name, value]) => name.endsWith('EventTypes') && value && typeof value === 'object')
  .flatMap(([, table]) => Object.values(table as Record<string, unknown>))
  .filter((t): t is string => typeof t === 'string');

describe('docs/asyncapi.yaml', () => {
  it('is what `npm run asyncapi` generates from the code today', () => {
    const fresh = renderAsyncApi(root);
    if (fresh !== text) {
      throw new Error(`${ASYNCAPI_FILE} is out of date with the event types, the codec or the redaction table: run \`npm run asyncapi\` and commit it`);
    }
  });

  it('is a valid AsyncAPI 3 document for @asyncapi/parser, without errors or warnings', async () => {
    const { document, diagnostics } = await new Parser().parse(text);
    // severities: 0 error, 1 warning, 2 information, 3 hint
    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`)).toEqual([]);
    expect(document).toBeDefined();
    expect(document!.version()).toBe('3.0.0');
    expect(document!.channels().all().map((c) => c.address()).sort()).toEqual([
      '{region}.agency.{agencyId}', '{region}.case-events', '{region}.dlq.{consumer}', '{region}.inbound.{peer}', '{region}.outbound.{peer}',
    ]);
    const caseEvents = document!.channels().get('caseEvents')!;
    const documented = caseEvents.messages().all().map((m) => m.id());
    expect(documented).toEqual(expect.arrayContaining([...domainTypes, 'lianban.casenumber.allocated.v1']));
    // agencies get a case's own streams, not case-number bookkeeping
    const agencyEvents = document!.channels().get('agencyEvents')!.messages().all().map((m) => m.id());
    expect(agencyEvents).toEqual(expect.arrayContaining(domainTypes.filter((t) => /^lianban\.(case|task|appeal)\./.test(t))));
    expect(agencyEvents).not.toContain('lianban.casenumber.allocated.v1');
    // the link replicates a case's own streams only (isAgencyFacing), in both directions the same envelope
    for (const channel of ['outbound', 'inbound']) expect(document!.channels().get(channel)!.messages().all().map((m) => m.id())).toEqual(agencyEvents);
    const registered = caseEvents.messages().get('lianban.case.registered.v1')!;
    expect(registered.payload()!.properties()).toHaveProperty('petitioner');
    expect(Object.keys(registered.payload()!.properties()!.petitioner.properties()!).sort()).toEqual(['anonymous', 'petitionerId']);
    expect(registered.headers()!.allOf()![0].required()).toEqual(expect.arrayContaining(['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_time', 'ce_subject']));
    expect(document!.operations().all().map((o) => `${o.action()} ${o.channels().all()[0].id()}`).sort()).toEqual([
      'receive agencyEvents', 'receive caseEvents', 'receive inbound', 'send agencyEvents', 'send caseEvents', 'send deadLetters', 'send outbound',
    ]);
  }, 30_000);

  it('documents every event type the domain declares, each with a body schema that compiles', () => {
    const docs = eventDocs(root);
    expect(docs.map((d) => d.type)).toEqual(expect.arrayContaining(domainTypes));
    const ajv = new Ajv({ strict: false });
    for (const doc of docs) expect(() => ajv.compile(doc.data)).not.toThrow();
  });

  it('leaves out of every published schema exactly the paths the relay removes', () => {
    const validator = new AsyncApiValidator();
    const schemas = (validator.document.components as { schemas: Record<string, any> }).schemas;
    for (const [type, paths] of Object.entries(REDACTED_PATHS)) {
      for (const p of paths) {
        const parts = p.split('.');
        let node = schemas[type];
        for (const part of parts.slice(0, -1)) node = node.properties[part];
        expect({ type, path: p, present: parts[parts.length - 1] in node.properties }).toEqual({ type, path: p, present: false });
      }
    }
  });

  it('accepts what the relay sends and refuses a body that breaks its schema', () => {
    const validator = new AsyncApiValidator();
    const registered: StoredEvent = {
      id: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f', type: domain.CaseEventTypes.PetitionRegistered, caseId: '6f5e4d3c-2b1a-4098-8765-43210fedcba9',
      causationId: 'request:k', region: 'cq', agencyId: null, actor: { id: 'clerk', role: 'clerk' }, occurredAt: '2026-01-05T02:00:00.000Z',
      hlc: '001767578400000.00000', streamId: 'case-6f5e4d3c-2b1a-4098-8765-43210fedcba9', revision: 0, position: 7, recordedAt: '2026-01-05T02:00:00.010Z',
      data: {
        caseNumber: 'CQ-2026-000001', channel: 'letter', petitioner: { petitionerId: 'p', sealed: 'c2VhbGVk', anonymous: false }, regionCode: '500109',
        subject: 's', content: 'c', demandClass: null, matterOccurredAt: null, routeDueAt: '2026-01-20T15:59:59.999Z', petitionerKeys: ['k1'],
      },
    };
    const sent = encodeEventMessage(registered, publicData(registered));
    expect(validator.check('caseEvents', sent).errors).toEqual([]);
    // the stored body, with its sealed identity, is not what the document allows on the topic
    expect(validator.check('caseEvents', encodeEventMessage(registered)).errors.join()).toMatch(/additional properties/);
    const wrongChannel = encodeEventMessage({ ...registered, type: 'lianban.casenumber.allocated.v1', data: { year: 2026 } });
    expect(validator.check('caseEvents', wrongChannel).errors).toEqual([]);
    expect(validator.check('agencyEvents', wrongChannel).errors.join()).toMatch(/not documented on channel agencyEvents/);
    const badBody = encodeEventMessage({ ...registered, data: { ...(publicData(registered) as object), channel: 'fax' } });
    expect(validator.check('caseEvents', badBody).errors.join()).toMatch(/channel/);

    // a consumer's dead letter (the cross-region importer's too): the message as read, plus where and why
    const read = { ...sent, topic: 'sc.inbound.cq', partition: 2, offset: '7' };
    const parked = deadLetterOf('inbound', read, new Error('gap'));
    expect(validator.check('deadLetters', { headers: parked.headers!, value: parked.value }).errors).toEqual([]);
    const { lianban_consumer: _dropped, ...incomplete } = parked.headers!;
    expect(validator.check('deadLetters', { headers: incomplete, value: parked.value }).errors.join()).toMatch(/lianban_consumer/);
  });
});
