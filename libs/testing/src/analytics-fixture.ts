import { createHash } from 'node:crypto';
import type { Actor, Region, StoredEvent } from '@lianban/contracts';
import type { EventStore } from '@lianban/eventstore';
import { HybridLogicalClock } from '@lianban/domain';
import type { CaseFacts } from '../../../apps/history/src/projections/case-facts';
import { CaseSimulator, type SimEvent } from '../../../scripts/analytics/simulator';

/** A China-local moment written the way people write it: `cn('2025-01-06 09:00')`. */
export function cn(local: string): string {
  return new Date(`${local.replace(' ', 'T')}:00+08:00`).toISOString();
}

/** Deterministic UUIDs, so a fixture is the same on every run. */
export function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const clerk: Actor = { id: 'fixture-clerk', role: 'clerk' };
const coordinator: Actor = { id: 'fixture-coordinator', role: 'coordinator' };
const worker = (agencyId: string): Actor => ({ id: `fixture-caseworker@${agencyId}`, role: 'caseworker' });
const petitioner: Actor = { id: 'fixture-petitioner', role: 'petitioner' };

/** Builds one case with the real deciders; `script` receives helpers named after the steps. */
export function fixtureCase(
  name: string,
  region: Region,
  reg: { at: string; regionCode: string; channel: 'letter' | 'visit' | 'online' | 'phone' | 'video' | 'wechat' | 'app'; subject?: string },
  script: (s: Steps) => void,
): SimEvent[] {
  let n = 0;
  const caseId = uuidFrom(`fixture-case:${name}`);
  const sim = new CaseSimulator(caseId, region, () => uuidFrom(`fixture-event:${name}:${n++}`));
  sim.onCase({
    kind: 'RegisterPetition', at: reg.at, caseNumber: `${region.toUpperCase()}-2025-${name}`, channel: reg.channel, regionCode: reg.regionCode,
    subject: reg.subject ?? `案件${name}`, content: `案件${name}的内容`, demandClass: 'claim',
    petitioner: { petitionerId: uuidFrom(`fixture-petitioner:${name}`), sealed: 'c2VhbGVk', anonymous: false },
  }, clerk);
  script(new Steps(sim));
  return sim.events;
}

export class Steps {
  constructor(readonly sim: CaseSimulator) {}
  classify(at: string, route: 'petition' | 'litigation' = 'petition') {
    this.sim.onCase({ kind: 'ClassifyPetition', at, demandClass: 'claim', category: '测试', route, guidance: route === 'petition' ? null : '请向人民法院起诉' }, coordinator);
  }
  assign(at: string, lead: string, ...co: string[]) {
    this.sim.onCase({ kind: 'AssignAgencies', at, mode: 'forward', agencies: [{ agencyId: lead, role: 'lead' }, ...co.map((agencyId) => ({ agencyId, role: 'co' as const }))] }, coordinator);
  }
  accept(at: string, agencyId: string) {
    this.sim.onTask(agencyId, { kind: 'AcceptTask', at }, worker(agencyId));
  }
  opinion(at: string, agencyId: string) {
    this.sim.onTask(agencyId, { kind: 'SubmitOpinion', at, text: '同意' }, worker(agencyId));
  }
  release(at: string, agencyId: string) {
    this.sim.onCase({ kind: 'ReleaseCoHandler', at, agencyId, reason: '不再需要协办' }, coordinator);
  }
  /** the lead's reply and, as the coordinator's process manager does, the case answered at the same moment */
  reply(at: string, agencyId: string) {
    const [reply] = this.sim.onTask(agencyId, { kind: 'IssueReply', at, outcome: 'support', text: '已解决' }, worker(agencyId));
    this.sim.onCase({ kind: 'RecordCaseAnswered', at, leadAgencyId: agencyId, outcome: 'support', text: '已解决', replyEventId: reply.id },
      { id: 'coordinator/case-answered', role: 'system' }, reply.id);
  }
  rate(at: string, rating: 'satisfied' | 'basically-satisfied' | 'dissatisfied') {
    this.sim.onCase({ kind: 'RateReply', at, rating }, petitioner);
  }
  /** Art. 19: the same matter raised again while the case is open */
  repeat(at: string, channel: 'online' | 'wechat' | 'letter' = 'online') {
    this.sim.onCase({
      kind: 'RecordRepeatPetition', at, channel, regionCode: '500112', subject: '再次反映', content: '再次反映', matchedBy: 'phone', requestKey: null, level: 'same',
    }, petitioner);
  }
  /** Art. 24: an abolished agency's open task passes to its successor */
  transfer(at: string, fromAgencyId: string, toAgencyId: string, effectiveFrom: string) {
    this.sim.onCase({ kind: 'TransferTasks', at, transfers: [{ fromAgencyId, toAgencyId, effectiveFrom }] }, { id: 'coordinator/deadline-watch', role: 'system' });
  }
  /** Art. 34: the agency head extends the handling limit */
  extend(at: string, agencyId: string, days: number) {
    this.sim.onTask(agencyId, { kind: 'ExtendHandlingLimit', at, days, reason: '案情复杂', approvedBy: `head@${agencyId}` }, { id: `head@${agencyId}`, role: 'agency-head' });
  }
  /** Art. 23: 退回, not competent */
  returnTask(at: string, agencyId: string) {
    this.sim.onTask(agencyId, { kind: 'ReturnTask', at, reason: '不属于本机关职责' }, worker(agencyId));
  }
  appeal(at: string, appealId: string, kind: 'review' | 're-review', reviewerAgencyId: string) {
    this.sim.onCase({ kind: 'RequestAppeal', at, appealId, appealKind: kind, reason: '不服', reviewerAgencyId }, petitioner);
  }
  hearing(at: string, reviewer: string, appealId: string, heldFrom: string, heldTo: string) {
    this.sim.onAppeal(reviewer, { kind: 'RecordHearing', at, appealId, heldFrom, heldTo, summary: '听证' }, worker(reviewer));
  }
  /** the reviewer decides; a 复核 decision concludes the case (the coordinator's process manager) */
  decide(at: string, reviewer: string, appealId: string, kind: 'review' | 're-review') {
    const [decision] = this.sim.onAppeal(reviewer, { kind: 'DecideAppeal', at, appealId, outcome: 'uphold', text: '维持' }, worker(reviewer));
    if (kind === 're-review') {
      this.sim.onCase({ kind: 'RecordCaseConcluded', at, appealId, decisionEventId: decision.id }, { id: 'coordinator/case-concluded', role: 'system' }, decision.id);
    }
  }
}

/**
 * Events of many cases put in the order a store would hold them: by time, then by case and step
 * (stable), with positions from 1 and hybrid-logical-clock stamps in that order.
 */
export function asStored(...cases: SimEvent[][]): StoredEvent[] {
  const all = cases.flatMap((events, c) => events.map((e, i) => ({ e, c, i })));
  all.sort((a, b) => Date.parse(a.e.occurredAt) - Date.parse(b.e.occurredAt) || a.c - b.c || a.i - b.i);
  const clock = new HybridLogicalClock();
  const revisions = new Map<string, number>();
  return all.map(({ e }, k) => {
    const revision = (revisions.get(e.streamId) ?? -1) + 1;
    revisions.set(e.streamId, revision);
    return { ...e, hlc: clock.tick(Date.parse(e.occurredAt)), revision, position: k + 1, recordedAt: e.occurredAt };
  });
}

/**
 * The small fixed dataset the statistics are checked against by hand (first quarter of 2025,
 * China time). Limits: 告知 15 日 after the day of assignment, 办理 60 日 after the day of
 * acceptance, 转送交办 15 日 after registration, each to the end of that day.
 *
 *   A cq 500112 online  reg 01-06; assign 01-07 lead 500112-rsj + co 500112-xfb (告知 due 01-22)
 *     rsj accepts 01-08 (in time; 办理 due 03-09), xfb accepts 01-25 (late; 办理 due 03-26)
 *     xfb opinion 02-10, rsj reply 02-20 (both in time); rated 02-25 满意
 *   B cq 500112 letter  reg 01-10; assign 01-10 lead 500112-zjw (告知 due 01-25)
 *     accepts 01-12 (办理 due 03-13); reply 03-20 (late); rated 03-25 基本满意
 *   C cq 500110 wechat  reg 02-03; assign 02-04 lead 500110-xfb (告知 due 02-19); never accepted
 *   D sc 511623 app     reg 02-10; assign 02-11 lead 511623-sw + co 511623-xfj (告知 due 02-26)
 *     sw accepts 02-12 (办理 due 04-13), xfj accepts 02-13, xfj released 02-20
 *     sw reply 04-10 (in time); rated 04-12 不满意
 *   E sc 510100 phone   reg 03-05; assign 03-06 lead 510100-xfj (告知 due 03-21)
 *     accepts 03-20 (in time; 办理 due 05-19); no reply
 *   F cq 500112 online  reg 03-28 (转送交办 due 04-12); never routed
 *   G cq 500112 visit   reg 03-10; classified 03-11 to litigation (诉访分离): no task
 */
export function quarterDataset(): StoredEvent[] {
  const A = fixtureCase('A', 'cq', { at: cn('2025-01-06 09:00'), regionCode: '500112', channel: 'online' }, (s) => {
    s.classify(cn('2025-01-06 15:00'));
    s.assign(cn('2025-01-07 10:00'), '500112-rsj', '500112-xfb');
    s.accept(cn('2025-01-08 09:00'), '500112-rsj');
    s.accept(cn('2025-01-25 09:00'), '500112-xfb');
    s.opinion(cn('2025-02-10 09:00'), '500112-xfb');
    s.reply(cn('2025-02-20 09:00'), '500112-rsj');
    s.rate(cn('2025-02-25 09:00'), 'satisfied');
  });
  const B = fixtureCase('B', 'cq', { at: cn('2025-01-10 08:00'), regionCode: '500112', channel: 'letter' }, (s) => {
    s.classify(cn('2025-01-10 09:00'));
    s.assign(cn('2025-01-10 10:00'), '500112-zjw');
    s.accept(cn('2025-01-12 09:00'), '500112-zjw');
    s.reply(cn('2025-03-20 09:00'), '500112-zjw');
    s.rate(cn('2025-03-25 09:00'), 'basically-satisfied');
  });
  const C = fixtureCase('C', 'cq', { at: cn('2025-02-03 09:00'), regionCode: '500110', channel: 'wechat' }, (s) => {
    s.classify(cn('2025-02-03 10:00'));
    s.assign(cn('2025-02-04 10:00'), '500110-xfb');
  });
  const D = fixtureCase('D', 'sc', { at: cn('2025-02-10 09:00'), regionCode: '511623', channel: 'app' }, (s) => {
    s.classify(cn('2025-02-10 10:00'));
    s.assign(cn('2025-02-11 10:00'), '511623-sw', '511623-xfj');
    s.accept(cn('2025-02-12 09:00'), '511623-sw');
    s.accept(cn('2025-02-13 09:00'), '511623-xfj');
    s.release(cn('2025-02-20 09:00'), '511623-xfj');
    s.reply(cn('2025-04-10 09:00'), '511623-sw');
    s.rate(cn('2025-04-12 09:00'), 'dissatisfied');
  });
  const E = fixtureCase('E', 'sc', { at: cn('2025-03-05 09:00'), regionCode: '510100', channel: 'phone' }, (s) => {
    s.classify(cn('2025-03-05 10:00'));
    s.assign(cn('2025-03-06 10:00'), '510100-xfj');
    s.accept(cn('2025-03-20 09:00'), '510100-xfj');
  });
  const F = fixtureCase('F', 'cq', { at: cn('2025-03-28 09:00'), regionCode: '500112', channel: 'online' }, () => undefined);
  const G = fixtureCase('G', 'cq', { at: cn('2025-03-10 09:00'), regionCode: '500112', channel: 'visit' }, (s) => {
    s.classify(cn('2025-03-11 09:00'), 'litigation');
  });
  return asStored(A, B, C, D, E, F, G);
}

/**
 * The fourth quarter of 2025, for what the procedure added: repeats, extensions, returns, the
 * transfer of 渝北区's tasks on its abolition (2025-11-01), 复查 / 复核 with a hearing, 终结.
 *
 *   H cq 500112 online  reg 10-08; assign 10-09 lead 500112-rsj (告知 due 10-24); accepts 10-10 (办理 due 12-09)
 *     repeat petition 10-20; 11-01 08:05 渝北区 abolished: task → 500109-rsj; 500109-rsj extends 15 日 on 11-20
 *     (办理 due 12-24); replies 12-22 (in time only thanks to the extension); rated 12-24 不满意;
 *     复查 asked 12-26 of 500000-rsj (due 2026-01-25)
 *   I sc 511623 letter  reg 10-13; assign 10-13 lead 511623-sw, returned (退回) 10-15; reassigned 10-16 to 511623-xfj
 *     (告知 due 10-31), accepts 10-17 (办理 due 12-16), replies 11-10; rated 11-12 基本满意;
 *     复查 asked 11-14 of 511600-xfj (due 12-14), decided 12-10; 复核 asked 12-12 of 510000-xfj (due 2026-01-11),
 *     hearing 12-20..12-21 (2 days not counted: due 2026-01-13), decided 12-29 → 终结
 *   J cq 500110 phone   reg 11-05; assign 11-06 lead 500110-xfb + co 500000-rsj (告知 due 11-21)
 *     xfb accepts 11-07 (办理 due 2026-01-06), no reply; rsj accepts 11-25 (late; 办理 due 2026-01-24), opinion 12-01
 *   K sc 510100 online  reg 12-01 (转送交办 due 12-16), never routed; repeat petition 12-10
 */
export function quarter4Dataset(): StoredEvent[] {
  const H = fixtureCase('H', 'cq', { at: cn('2025-10-08 09:00'), regionCode: '500112', channel: 'online' }, (s) => {
    s.classify(cn('2025-10-08 10:00'));
    s.assign(cn('2025-10-09 10:00'), '500112-rsj');
    s.accept(cn('2025-10-10 09:00'), '500112-rsj');
    s.repeat(cn('2025-10-20 09:00'), 'wechat');
    s.transfer(cn('2025-11-01 08:05'), '500112-rsj', '500109-rsj', '2025-11-01');
    s.extend(cn('2025-11-20 09:00'), '500109-rsj', 15);
    s.reply(cn('2025-12-22 09:00'), '500109-rsj');
    s.rate(cn('2025-12-24 09:00'), 'dissatisfied');
    s.appeal(cn('2025-12-26 09:00'), uuidFrom('fixture-appeal:H'), 'review', '500000-rsj');
  });
  const I = fixtureCase('I', 'sc', { at: cn('2025-10-13 09:00'), regionCode: '511623', channel: 'letter' }, (s) => {
    s.classify(cn('2025-10-13 10:00'));
    s.assign(cn('2025-10-13 11:00'), '511623-sw');
    s.returnTask(cn('2025-10-15 09:00'), '511623-sw');
    s.assign(cn('2025-10-16 09:00'), '511623-xfj');
    s.accept(cn('2025-10-17 09:00'), '511623-xfj');
    s.reply(cn('2025-11-10 09:00'), '511623-xfj');
    s.rate(cn('2025-11-12 09:00'), 'basically-satisfied');
    const review = uuidFrom('fixture-appeal:I:review');
    const reReview = uuidFrom('fixture-appeal:I:re-review');
    s.appeal(cn('2025-11-14 09:00'), review, 'review', '511600-xfj');
    s.decide(cn('2025-12-10 09:00'), '511600-xfj', review, 'review');
    s.appeal(cn('2025-12-12 09:00'), reReview, 're-review', '510000-xfj');
    s.hearing(cn('2025-12-21 18:00'), '510000-xfj', reReview, cn('2025-12-20 09:00'), cn('2025-12-21 17:00'));
    s.decide(cn('2025-12-29 09:00'), '510000-xfj', reReview, 're-review');
  });
  const J = fixtureCase('J', 'cq', { at: cn('2025-11-05 09:00'), regionCode: '500110', channel: 'phone' }, (s) => {
    s.classify(cn('2025-11-05 10:00'));
    s.assign(cn('2025-11-06 09:00'), '500110-xfb', '500000-rsj');
    s.accept(cn('2025-11-07 09:00'), '500110-xfb');
    s.accept(cn('2025-11-25 09:00'), '500000-rsj');
    s.opinion(cn('2025-12-01 09:00'), '500000-rsj');
  });
  const K = fixtureCase('K', 'sc', { at: cn('2025-12-01 09:00'), regionCode: '510100', channel: 'online' }, (s) => {
    s.repeat(cn('2025-12-10 09:00'));
  });
  return asStored(H, I, J, K);
}

export const FIXTURE_CASE_IDS = Object.fromEntries(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K'].map((n) => [n, uuidFrom(`fixture-case:${n}`)]));

/** Appends fixture events to a store in their order, each with its stream's expected revision. */
export async function writeToStore(store: EventStore, events: readonly StoredEvent[]): Promise<void> {
  for (const { streamId, revision, position: _p, recordedAt: _r, ...e } of events) {
    await store.append(streamId, [e], revision === 0 ? 'no-stream' : revision - 1);
  }
}

/** The two reads the history projector makes of an event store, over an array (in position order). */
export function arrayStore(events: readonly StoredEvent[]): EventStore {
  const sorted = [...events].sort((a, b) => a.position - b.position);
  return {
    readAll: async ({ after = 0, limit = 1000 } = {}) => sorted.filter((e) => e.position > after).slice(0, limit),
    readByCase: async (caseId: string) => sorted.filter((e) => e.caseId === caseId),
  } as unknown as EventStore;
}

/** Facts of a case registered and nothing more: what a projection store's own specs store. */
export function registeredFacts(caseId: string, caseNumber: string): CaseFacts {
  return {
    caseId, caseNumber, subject: '', region: 'cq', regionCode: '500112', channel: 'online',
    registeredAt: '2025-01-01T00:00:00.000Z', routeDueAt: '2025-01-16T15:59:59.999Z', routedAt: null, routedOut: false,
    leadAgencyId: null, answeredAt: null, concludedAt: null, rating: null, ratedAt: null, repeats: [], tasks: [], extensions: [], appeals: [],
  };
}
