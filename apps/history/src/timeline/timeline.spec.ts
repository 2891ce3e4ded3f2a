import type { Principal } from '@lianban/auth';
import type { StoredEvent } from '@lianban/contracts';
import type { CaseFile } from '@lianban/domain';
import type { CaseReader } from '@lianban/platform';
import { Registry } from '@lianban/registry';
import { GetTimelineHandler, GetTimelineQuery, noneMatch, TIMELINE_CACHE_BYTES } from './timeline';

describe('If-None-Match against a timeline\'s tag', () => {
  const tag = '"uakHowRggsc3vhAhuVEZ5_Szd_0"';

  it('matches the tag itself, weakly, within a list, and *', () => {
    expect(noneMatch(tag, tag)).toBe(true);
    expect(noneMatch(`W/${tag}`, tag)).toBe(true);
    expect(noneMatch(`"older", ${tag}`, tag)).toBe(true);
    expect(noneMatch(' * ', tag)).toBe(true);
  });

  it('does not match another tag, a part of it, or nothing', () => {
    expect(noneMatch(undefined, tag)).toBe(false);
    expect(noneMatch('', tag)).toBe(false);
    expect(noneMatch('"uakHowRggsc3vhAhuVEZ5_Szd_1"', tag)).toBe(false);
    expect(noneMatch('uakHowRggsc3vhAhuVEZ5_Szd_0', tag)).toBe(false);
  });
});

/**
 * The kept answers, over a reader that counts the builds: a case's events are as many as its
 * head, each of a type (unknown to the summaries, so also its summary) as long as the test needs.
 */
describe('the timeline handler\'s kept answers', () => {
  const cq: Principal = { sub: 'cq-analyst', role: 'analyst', region: 'cq' };
  const sc: Principal = { sub: 'sc-analyst', role: 'analyst', region: 'sc' };

  function fixture(typeLength: number) {
    const heads = new Map<string, number>();
    const builds: string[] = [];
    const event = (caseId: string, position: number): StoredEvent => ({
      id: `${caseId}-${position}`, type: 'x'.repeat(typeLength), caseId, causationId: null, region: 'cq', agencyId: null, actor: { id: 'a', role: 'clerk' },
      occurredAt: '2025-01-01T00:00:00.000Z', hlc: String(position), data: {}, streamId: caseId, revision: position - 1, position, recordedAt: '2025-01-01T00:00:00.000Z',
    });
    const file = (caseId: string) => ({ caseId, region: 'cq', tasks: [], appeals: [], supervisions: [], disputes: [], taskForces: [] }) as unknown as CaseFile;
    const reader = {
      caseHead: async (caseId: string) => heads.get(caseId) ?? 1,
      fileOr404: async (caseId: string) => {
        builds.push(caseId);
        return { file: file(caseId), events: Array.from({ length: heads.get(caseId) ?? 1 }, (_, i) => event(caseId, i + 1)) };
      },
      linkedEvents: async () => [],
    } as unknown as CaseReader;
    return { handler: new GetTimelineHandler(reader, new Registry()), heads, builds };
  }

  it('sends the same bytes while the case\'s head stays, new ones once it moves, and checks the caller every time', async () => {
    const { handler, heads, builds } = fixture(10);
    const first = await handler.body(new GetTimelineQuery('A', undefined, cq));
    expect(first.json.toString()).toBe(JSON.stringify(await handler.execute(new GetTimelineQuery('A', undefined, cq))));
    expect((await handler.body(new GetTimelineQuery('A', undefined, cq))).json).toBe(first.json);
    await expect(handler.body(new GetTimelineQuery('A', undefined, sc))).rejects.toMatchObject({ status: 404 });
    expect(builds).toEqual(['A']);
    heads.set('A', 2);
    const second = await handler.body(new GetTimelineQuery('A', undefined, cq));
    expect(second.etag).not.toBe(first.etag);
    expect(builds).toEqual(['A', 'A']);
  });

  it('keeps answers up to a number of bytes: past it, the least recently used goes first', async () => {
    // a summary repeats the type: each answer is a little over 1 MB
    const { handler, builds } = fixture(512 * 1024);
    const cases = Array.from({ length: Math.ceil(TIMELINE_CACHE_BYTES / (1024 * 1024)) + 2 }, (_, i) => `case-${i}`);
    for (const c of cases) await handler.body(new GetTimelineQuery(c, undefined, cq));
    builds.length = 0;
    await handler.body(new GetTimelineQuery(cases[cases.length - 1], undefined, cq));
    expect(builds).toEqual([]);
    await handler.body(new GetTimelineQuery(cases[0], undefined, cq));
    expect(builds).toEqual([cases[0]]);
  });
});
