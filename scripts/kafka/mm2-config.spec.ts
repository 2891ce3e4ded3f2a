import * as fs from 'node:fs';
import * as path from 'node:path';
import { inboundTopic, outboundTopic } from '@lianban/contracts';
import { MM2_PROPERTIES, propertyKeys, withOverrides } from '@lianban/testing/mirror-maker';

/**
 * docker/mm2/mm2.properties is the one MirrorMaker 2 configuration: the e2e test runs it, and
 * docs/cross-region.md shows it. These checks keep the copy in the docs identical and the topic
 * names in it the ones the code uses; the e2e test (test/cross-region/mirror-maker.e2e-spec.ts)
 * shows that MirrorMaker does with it what the docs say.
 */
const ROOT = path.resolve(__dirname, '../..');
const file = fs.readFileSync(MM2_PROPERTIES, 'utf8');
const props = propertyKeys(file);

describe('docker/mm2/mm2.properties', () => {
  it('is shown verbatim in docs/cross-region.md', () => {
    const docs = fs.readFileSync(path.join(ROOT, 'docs/cross-region.md'), 'utf8');
    const blocks = [...docs.matchAll(/```properties\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks).toEqual([file]);
  });

  it.each([['cq', 'sc'], ['sc', 'cq']] as const)('sends %s.outbound.%s, and only it, to the inbound topic the importer reads', (from, to) => {
    const outbound = outboundTopic({ prefix: '', region: from }, to);
    const inbound = inboundTopic({ prefix: '', region: to }, from);
    const flow = `${from}->${to}`;
    expect(props.get(`${flow}.enabled`)).toBe('true');
    const filter = new RegExp(`^(?:${props.get(`${flow}.topics`)})$`);
    expect([outbound, inbound, outboundTopic({ prefix: '', region: to }, from), `${from}.case-events`].filter((t) => filter.test(t))).toEqual([outbound]);
    const transform = props.get(`${flow}.transforms`)!;
    expect(props.get(`${flow}.transforms.${transform}.type`)).toBe('org.apache.kafka.connect.transforms.RegexRouter');
    expect(outbound.replace(new RegExp(`^${props.get(`${flow}.transforms.${transform}.regex`)}$`), props.get(`${flow}.transforms.${transform}.replacement`)!)).toBe(inbound);
  });

  it('refuses an override of a key the file does not have, so the e2e test cannot run a configuration of its own', () => {
    expect(() => withOverrides(file, { 'cq.bootstrap.servers': '127.0.0.1:1' })).not.toThrow();
    expect(() => withOverrides(file, { 'emit.checkpoints.enabled': 'false' })).toThrow(/has no emit.checkpoints.enabled/);
  });
});
