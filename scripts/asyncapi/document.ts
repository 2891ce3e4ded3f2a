import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { CE_HEADERS, CLOUDEVENTS_SPEC_VERSION, DEAD_LETTER_HEADERS, EVENT_CONTENT_TYPE } from '../../libs/contracts/src/cloudevents';
import { CROSS_REGION_PARTITIONS } from '../../libs/platform/src/cross-region/replication';
import { REDACTED_PATHS } from '../../libs/platform/src/relay/redaction';
import { eventDocs, withoutPaths, type EventDoc, type JsonSchema } from './schemas';

const KAFKA_BINDING = '0.5.0';

/** The repository root: the nearest folder up with the project's package.json (works from scripts/ and dist/scripts/). */
export function repositoryRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'lianban') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no lianban package.json above ${from}`);
  }
}

const H = CE_HEADERS;

/** The `ce_` headers the codec (libs/contracts/src/cloudevents.ts) writes, as a schema. */
function cloudEventHeaders(): JsonSchema {
  const s = (description: string, extra: JsonSchema = {}) => ({ type: 'string', description, ...extra });
  return {
    type: 'object',
    description: 'CloudEvents 1.0, Kafka protocol binding, binary content mode: attributes as `ce_` headers (UTF-8), the value is the event body (`data`) as JSON.',
    required: [H.specversion, H.id, H.source, H.type, H.time, H.subject, H.contentType, H.streamid, H.revision, H.position, H.region, H.hlc, H.actorid, H.actorrole, H.recordedat],
    properties: {
      [H.specversion]: s('CloudEvents spec version', { const: CLOUDEVENTS_SPEC_VERSION }),
      [H.id]: s('the event id (UUID), unique in the region: consumers record it in their inbox', { format: 'uuid' }),
      [H.source]: s('`/lianban/<region>/<streamId>`: the stream that holds the event'),
      [H.type]: s('the event type, `lianban.<aggregate>.<name>.v<N>`'),
      [H.time]: s('when it happened: the command\'s time (RFC 3339)', { format: 'date-time' }),
      [H.subject]: s('the correlation id: the case id (a task force or campaign event: its own id); also the Kafka key'),
      [H.contentType]: s('media type of the value', { const: EVENT_CONTENT_TYPE }),
      [H.streamid]: s('extension: the stream id, `case-<caseId>`, `task-<caseId>-<agencyId>`, `casenumber-<region>-<year>`'),
      [H.revision]: s('extension: 0-based position of the event in its stream (decimal)', { pattern: '^[0-9]+$' }),
      [H.position]: s('extension: position in the region store\'s global order (decimal; increasing, gaps allowed)', { pattern: '^[0-9]+$' }),
      [H.causationid]: s('extension: the event or command that caused this one (`request:<id>` for an HTTP command); absent when none'),
      [H.region]: s('extension: the region that wrote the event (the home region of its stream); a cross-region copy keeps it', { enum: ['cq', 'sc'] }),
      [H.agencyid]: s('extension: the agency that acted, where one did; absent otherwise'),
      [H.hlc]: s('extension: hybrid logical clock stamp; string order is causal order', { pattern: '^[0-9]{15}\\.[0-9]{5}$' }),
      [H.actorid]: s('extension: who acted (user id or service)'),
      [H.actorrole]: s('extension: the actor\'s role'),
      [H.recordedat]: s('extension: when the store accepted the event (RFC 3339)', { format: 'date-time' }),
    },
  };
}

function deadLetterHeaders(): JsonSchema {
  const D = DEAD_LETTER_HEADERS;
  return {
    type: 'object',
    required: [D.error, D.consumer, D.topic, D.partition, D.offset, D.failedAt],
    properties: {
      [D.error]: { type: 'string', description: 'the last error, `<name>: <message>` (at most 4000 characters)' },
      [D.consumer]: { type: 'string', description: 'the consumer that gave up' },
      [D.topic]: { type: 'string', description: 'where the message was read' },
      [D.partition]: { type: 'string', pattern: '^[0-9]+$' },
      [D.offset]: { type: 'string', pattern: '^[0-9]+$' },
      [D.failedAt]: { type: 'string', format: 'date-time' },
    },
  };
}

function messageDescription(doc: EventDoc): string {
  const lines = [`Body of \`${doc.type}\` (from \`${doc.file}\`).`];
  const redacted = REDACTED_PATHS[doc.type];
  if (redacted?.length) lines.push(`Removed by the relay before publishing (personal data, DESIGN 3.3): ${redacted.map((p) => `\`${p}\``).join(', ')}.`);
  return lines.join(' ');
}

/** The AsyncAPI 3.0 document of DESIGN 5, generated from the code it describes. */
export function buildAsyncApi(root = repositoryRoot()): Record<string, unknown> {
  const docs = eventDocs(root);
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = { CloudEventHeaders: cloudEventHeaders() };
  for (const doc of docs) {
    schemas[doc.type] = withoutPaths(doc.data, REDACTED_PATHS[doc.type] ?? []);
    messages[doc.type] = {
      name: doc.type,
      title: doc.type,
      ...(doc.summary ? { summary: doc.summary } : {}),
      description: messageDescription(doc),
      contentType: EVENT_CONTENT_TYPE,
      headers: { allOf: [{ $ref: '#/components/schemas/CloudEventHeaders' }, { type: 'object', properties: { [H.type]: { const: doc.type } } }] },
      payload: { $ref: `#/components/schemas/${doc.type}` },
      bindings: { kafka: { key: { type: 'string', description: 'the correlation id (`ce_subject`): the case id, or a task force\'s or campaign\'s own id' }, bindingVersion: KAFKA_BINDING } },
    };
  }
  messages.DeadLetter = {
    name: 'DeadLetter',
    title: 'A message a consumer gave up on',
    description: 'The original message (key, value and headers unchanged) after the consumer\'s retries failed, plus the headers below. The partition it came from has moved on.',
    headers: { allOf: [{ $ref: '#/components/schemas/CloudEventHeaders' }, deadLetterHeaders()] },
    payload: {},
    bindings: { kafka: { key: { type: 'string', description: 'the original key (case id)' }, bindingVersion: KAFKA_BINDING } },
  };

  const refs = (channel: string, types: string[]) => types.map((t) => ({ $ref: `#/channels/${channel}/messages/${t}` }));
  const all = docs.map((d) => d.type);
  const agencyFacing = docs.filter((d) => d.agencyFacing).map((d) => d.type);
  const channelMessages = (types: string[]) => Object.fromEntries(types.map((t) => [t, { $ref: `#/components/messages/${t}` }]));
  const region = { enum: ['cq', 'sc'], description: 'the region whose store the events come from (重庆 cq, 四川 sc)' };

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Lianban 联办 events',
      version: '1.0.0',
      description: [
        'The Kafka topics of Lianban\'s distributed mode (DESIGN 5). The event store is the outbox: one relay per region',
        'follows the store and publishes every stored event, so nothing unstored is ever sent, and after a crash',
        'nothing stored stays unsent (at-least-once). Consumers record applied event ids (`ce_id`) in the same transaction',
        'as their effect, so a redelivery changes nothing. Order holds per key (the case id), not across keys.',
        '',
        'Generated by `npm run asyncapi` from the event types in `libs/domain/src/**/*.events.ts` (and',
        '`scripts/asyncapi/catalogue.ts`), the codec in `libs/contracts/src/cloudevents.ts` and the redaction table in',
        '`libs/platform/src/relay/redaction.ts`; a unit test fails while this file is out of date.',
        'Topic and group names take the optional `KAFKA_TOPIC_PREFIX` in front.',
      ].join('\n'),
    },
    defaultContentType: EVENT_CONTENT_TYPE,
    servers: {
      local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'the single-node KRaft broker of scripts/kafka/start.sh' },
    },
    channels: {
      caseEvents: {
        address: '{region}.case-events',
        title: 'Every domain event of the region, personal data removed',
        description: 'Key: the correlation id (the case id; a task force\'s or campaign\'s own id for theirs), so a case\'s events keep their order. Written by the relay; read by the coordinator (group `<region>.coordinator`: the lead\'s reply becomes "case answered").',
        parameters: { region },
        messages: channelMessages(all),
        bindings: { kafka: { partitions: 6, replicas: 1, bindingVersion: KAFKA_BINDING } },
      },
      agencyEvents: {
        address: '{region}.agency.{agencyId}',
        title: 'What one agency must see',
        description: [
          'Key: case id. Every event of the case and task streams of each case the agency holds or held a task on,',
          'personal data removed and, besides, no petitioner id at all (Art. 30: every `petitionerId` reads `withheld`,',
          'a petitioner acting reads `ce_actorid: petitioner`; libs/platform/src/relay/accuser-protection.ts). An agency is concerned from the first event that names it (assignment, transfer,',
          'appeal, dispute, supervision…); it is then sent the case\'s earlier events first, so this topic alone rebuilds',
          'its view. Read by that agency\'s process (group `<region>.agency.<agencyId>`) into its inbox.',
        ].join(' '),
        parameters: { region, agencyId: { description: '`<division code>-<department>`', examples: ['500112-rsj', '500112-xfb', '511623-sw'] } },
        messages: channelMessages(agencyFacing),
        bindings: { kafka: { partitions: 3, replicas: 1, bindingVersion: KAFKA_BINDING } },
      },
      outbound: {
        address: '{region}.outbound.{peer}',
        title: 'Cross-region: what this region sends the other (DESIGN 6)',
        description: [
          'Key: case id. Written by the region\'s link (`RegionOutbound`, libs/platform/src/cross-region/replication.ts), which',
          'follows the store from a checkpoint: every event this region wrote on a case\'s own streams once the case',
          'concerns an agency of `peer` (an assignment naming 511623-sw), the case\'s earlier events of this region first,',
          'so the peer\'s copy of each stream starts at revision 0. Never a copy received from the peer, never task-force',
          'or case-number streams. The envelope is the one of `{region}.case-events`: a CloudEvent with the event\'s id,',
          'stream, revision, HLC and `ce_region` = this region, personal data removed. Nothing in this region reads it:',
          'MirrorMaker 2 (docker/mm2/mm2.properties) copies it into the peer\'s cluster as `{peer}.inbound.{region}`,',
          'message for message; on one broker (tests) the replication bridge does.',
        ].join(' '),
        parameters: { region, peer: { enum: ['cq', 'sc'], description: 'the other region' } },
        messages: channelMessages(agencyFacing),
        bindings: { kafka: { partitions: CROSS_REGION_PARTITIONS, replicas: 1, bindingVersion: KAFKA_BINDING } },
      },
      inbound: {
        address: '{region}.inbound.{peer}',
        title: 'Cross-region: the other region\'s outbound topic, as replicated into this region',
        description: [
          'Key, value and headers exactly as the peer\'s link wrote them on `{peer}.outbound.{region}` (so `ce_region` is',
          'the peer, the region that wrote the event), same partition. Written by MirrorMaker 2 in production, the',
          'replication bridge in tests. Read by the importer (group `<region>.inbound`), which stores each copy at its',
          'revision with a conditional append: a copy already stored with the same id is a redelivery; a different id at',
          'that revision, or a revision that skips one, goes to `{region}.dlq.inbound` after its retries.',
        ].join(' '),
        parameters: { region, peer: { enum: ['cq', 'sc'], description: 'the region that wrote the events' } },
        messages: channelMessages(agencyFacing),
        bindings: { kafka: { partitions: CROSS_REGION_PARTITIONS, replicas: 1, bindingVersion: KAFKA_BINDING } },
      },
      deadLetters: {
        address: '{region}.dlq.{consumer}',
        title: 'Messages a consumer could not process after its retries',
        parameters: { region, consumer: { description: 'the consumer: `coordinator`, `agency.<agencyId>`, `inbound` (the cross-region importer)', examples: ['coordinator', 'agency.500112-rsj', 'inbound'] } },
        messages: { DeadLetter: { $ref: '#/components/messages/DeadLetter' } },
        bindings: { kafka: { partitions: 1, replicas: 1, bindingVersion: KAFKA_BINDING } },
      },
    },
    operations: {
      relayCaseEvents: {
        action: 'send', title: 'The relay publishes every stored event', channel: { $ref: '#/channels/caseEvents' }, messages: refs('caseEvents', all),
      },
      coordinatorConsumesCaseEvents: {
        action: 'receive', title: 'The coordinator turns the lead\'s reply into "case answered"', channel: { $ref: '#/channels/caseEvents' },
        messages: refs('caseEvents', all),
      },
      relayAgencyEvents: {
        action: 'send', title: 'The relay sends each agency its cases', channel: { $ref: '#/channels/agencyEvents' }, messages: refs('agencyEvents', agencyFacing),
      },
      agencyConsumesItsEvents: {
        action: 'receive', title: 'An agency process keeps its inbox', channel: { $ref: '#/channels/agencyEvents' }, messages: refs('agencyEvents', agencyFacing),
      },
      linkSendsOutbound: {
        action: 'send', title: 'The region\'s link sends the other region the events of their joint cases', channel: { $ref: '#/channels/outbound' },
        messages: refs('outbound', agencyFacing),
      },
      importerReceivesInbound: {
        action: 'receive', title: 'The importer stores each copy in this region\'s store, at its revision', channel: { $ref: '#/channels/inbound' },
        messages: refs('inbound', agencyFacing),
      },
      consumersDeadLetter: {
        action: 'send', title: 'A consumer parks a message it could not process', channel: { $ref: '#/channels/deadLetters' },
        messages: [{ $ref: '#/channels/deadLetters/messages/DeadLetter' }],
      },
    },
    components: { schemas, messages },
  };
}

export function renderAsyncApi(root = repositoryRoot()): string {
  const header = '# Generated by `npm run asyncapi` (scripts/asyncapi): do not edit by hand.\n';
  return header + stringify(buildAsyncApi(root), { lineWidth: 0, aliasDuplicateObjects: false });
}
