import fc from 'fast-check';
import {
  AppealEventTypes as A, appealDecider, caseDecider, CaseEventTypes as C, deadlineDecider, DomainError, evolveCaseFile, fold,
  isOpenCase, isOpenForRepeats, limitsOf, summarize, taskDecider, TaskEventTypes as T, type AppealCommand, type CaseCommand, type CaseFile,
  type CaseFileEvent, type Decider, type DomainEvent, type TaskCommand,
} from '@lianban/domain';

/**
 * Random command sequences through every decider of one case — case, tasks, appeals, deadline
 * watch — as the apps would run them: read the case's events, fold, decide, append. Refusals are
 * answers and the run goes on; anything else thrown is a bug. After every step the history must
 * keep the procedure's invariants.
 */

const AGENCIES = ['500112-rsj', '500112-xfb', '500112-zjw', '500109-rsj'] as const;
const REVIEWERS = ['500000-rsj', '500000-xfb'] as const;
const START = Date.parse('2024-01-02T01:00:00.000Z');

/** a task step acts for a fixed agency, or for whichever agency now holds the lead or a co-handler's task */
type Who = string | 'the-lead' | 'a-co-handler';

type Step =
  | { on: 'case'; make: (h: History) => CaseCommand | null }
  | { on: 'task'; who: Who; make: (h: History) => TaskCommand | null }
  | { on: 'appeal'; make: (h: History) => { agencyId: string; command: AppealCommand } | null }
  | { on: 'deadline' };

interface History {
  events: CaseFileEvent[];
  file: CaseFile | null;
  at: string;
  n: number;
}

const agency = fc.constantFrom(...AGENCIES);
const who: fc.Arbitrary<Who> = fc.oneof({ arbitrary: fc.constantFrom('the-lead', 'a-co-handler'), weight: 3 }, { arbitrary: agency, weight: 1 });

function resolve(w: Who, h: History): string {
  if (w !== 'the-lead' && w !== 'a-co-handler') return w;
  const held = (h.file?.tasks ?? []).filter((t) => ['assigned', 'accepted'].includes(t.status) || (w === 'the-lead' && t.status === 'opinion-submitted'));
  return held.find((t) => t.role === (w === 'the-lead' ? 'lead' : 'co'))?.agencyId ?? AGENCIES[h.n % AGENCIES.length];
}
const last = <X>(xs: X[]) => xs[xs.length - 1];
const ofType = (h: History, type: string) => h.events.filter((e) => e.type === type);
const data = (e: CaseFileEvent) => e.data as Record<string, any>;

const caseStep = (make: (h: History) => CaseCommand | null): Step => ({ on: 'case', make });
const taskStep = (w: Who, make: (h: History) => TaskCommand | null): Step => ({ on: 'task', who: w, make });
const weighted = (weight: number, arbitrary: fc.Arbitrary<Step>) => ({ weight, arbitrary });

// ---- the steps, as builders: the random generator and the happy-path skeleton share them ----
const classify = (route: string) => caseStep((h) => ({ kind: 'ClassifyPetition', at: h.at, demandClass: 'claim', category: 'x', route: route as 'petition', guidance: '请依法提起诉讼' }));
const assign = (mode: string, list: [string, string][]) => caseStep((h) => ({
  kind: 'AssignAgencies', at: h.at, mode: mode as 'forward', agencies: list.map(([agencyId, role]) => ({ agencyId, role: role as 'lead' })),
}));
const release = (a: string) => caseStep((h) => ({ kind: 'ReleaseCoHandler', at: h.at, agencyId: a, reason: '非其职责' }));
/** what the case-answered process manager does */
const answer = caseStep((h) => {
  const reply = ofType(h, T.ReplyIssued).find((r) => !ofType(h, C.CaseAnswered).some((x) => data(x).replyEventId === r.id));
  return reply ? { kind: 'RecordCaseAnswered', at: h.at, leadAgencyId: reply.agencyId!, outcome: data(reply).outcome, text: 'x', replyEventId: reply.id!, repliedAt: reply.occurredAt } : null;
});
const rate = (rating: string) => caseStep((h) => ({ kind: 'RateReply', at: h.at, rating: rating as 'satisfied' }));
const repeat = caseStep((h) => ({
  kind: 'RecordRepeatPetition', at: h.at, channel: 'visit', regionCode: '500000', subject: 's', content: 'c', matchedBy: 'phone',
  requestKey: h.n % 4 === 0 ? 'k-retried' : `k-${h.n}`, level: 'higher',
}));
const raiseDispute = (by: Who, other: string) => caseStep((h) => ({
  kind: 'RaiseDispute', at: h.at, disputeId: `d-${h.n}`, raisedBy: resolve(by, h), otherParties: [other], reason: 'x', deciderId: '500112-xfb', deciderKind: 'division', divisionCode: '500112',
}));
const decideDispute = (a: string, rightDecider: boolean) => caseStep((h) => {
  const d = last(ofType(h, C.DisputeRaised));
  return d ? { kind: 'DecideDispute', at: h.at, disputeId: data(d).disputeId, actingFor: rightDecider ? data(d).deciderId : '500000-xfb', agencyId: a } : null;
});
const supervise = (w: Who) => caseStep((h) => ({ kind: 'IssueSupervision', at: h.at, supervisionId: `s-${h.n}`, agencyId: resolve(w, h), reason: 'x' }));
const requestAppeal = (kind: string, reviewer: string | null) => caseStep((h) => ({
  kind: 'RequestAppeal', at: h.at, appealId: `a-${h.n}`, appealKind: kind as 'review', reason: '不服', reviewerAgencyId: reviewer,
}));
/** what the case-concluded process manager does */
const conclude = caseStep((h) => {
  const d = ofType(h, A.AppealDecided).find((x) => data(x).kind === 're-review');
  return d ? { kind: 'RecordCaseConcluded', at: h.at, appealId: data(d).appealId, decisionEventId: d.id! } : null;
});
const transfer = caseStep((h) => ({ kind: 'TransferTasks', at: h.at, transfers: [{ fromAgencyId: '500112-rsj', toAgencyId: '500109-rsj', effectiveFrom: '2025-11-01' }] }));
const accept = (w: Who) => taskStep(w, (h) => ({ kind: 'AcceptTask', at: h.at }));
const act = (w: Who) => taskStep(w, (h) => ({ kind: 'RecordHandlingAction', at: h.at, action: 'investigation', note: 'x' }));
const opinion = (w: Who) => taskStep(w, (h) => ({ kind: 'SubmitOpinion', at: h.at, text: '同意' }));
const reply = (w: Who, outcome: string, report: boolean) =>
  taskStep(w, (h) => ({ kind: 'IssueReply', at: h.at, outcome: outcome as 'support', text: 'x', completionReport: report ? '办结报告' : null }));
const giveBack = (w: Who) => taskStep(w, (h) => ({ kind: 'ReturnTask', at: h.at, reason: '不属本单位职权' }));
const extend = (w: Who, days: number) => taskStep(w, (h) => ({ kind: 'ExtendHandlingLimit', at: h.at, days, reason: 'x', approvedBy: 'h' }));
const answerSupervision = (w: Who) => taskStep(w, (h) => {
  const s = last(ofType(h, C.SupervisionIssued));
  return s ? { kind: 'AnswerSupervision', at: h.at, supervisionId: data(s).supervisionId, text: 'x' } : null;
});
const hearing = (days: number, byReviewer: boolean): Step => ({
  on: 'appeal',
  make: (h) => {
    const r = last(ofType(h, C.AppealRequested));
    if (!r) return null;
    const from = Math.max(Date.parse(r.occurredAt), Date.parse(h.at) - days * 86_400_000);
    return {
      agencyId: byReviewer ? data(r).reviewerAgencyId : '500112-zjw',
      command: { kind: 'RecordHearing', at: h.at, appealId: data(r).appealId, heldFrom: new Date(from).toISOString(), heldTo: h.at, summary: 'x' },
    };
  },
});
const decideAppeal = (outcome: string): Step => ({
  on: 'appeal',
  make: (h) => {
    const r = last(ofType(h, C.AppealRequested));
    return r ? { agencyId: data(r).reviewerAgencyId, command: { kind: 'DecideAppeal', at: h.at, appealId: data(r).appealId, outcome: outcome as 'uphold', text: 'x' } } : null;
  },
});
const check: Step = { on: 'deadline' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  weighted(2, fc.constantFrom('petition', 'petition', 'petition', 'litigation', 'discipline').map(classify)),
  weighted(3, fc.tuple(fc.constantFrom('forward', 'assign'), fc.uniqueArray(fc.tuple(agency, fc.constantFrom('lead', 'co')), { minLength: 1, maxLength: 3, selector: ([a]) => a }))
    .map(([mode, list]) => assign(mode, list))),
  weighted(1, agency.map(release)),
  weighted(3, fc.constant(answer)),
  weighted(1, fc.constantFrom('satisfied', 'dissatisfied').map(rate)),
  weighted(2, fc.constant(repeat)),
  weighted(1, fc.tuple(who, agency).map(([by, other]) => raiseDispute(by, other))),
  weighted(2, fc.tuple(agency, fc.boolean()).map(([a, right]) => decideDispute(a, right))),
  weighted(1, who.map(supervise)),
  weighted(3, fc.tuple(fc.constantFrom('review', 're-review'), fc.option(fc.constantFrom(...REVIEWERS), { nil: null, freq: 8 })).map(([k, r]) => requestAppeal(k, r))),
  weighted(2, fc.constant(conclude)),
  weighted(1, fc.constant(transfer)),
  weighted(4, who.map(accept)),
  weighted(1, who.map(act)),
  weighted(3, who.map(opinion)),
  weighted(4, fc.tuple(who, fc.constantFrom('support', 'explain', 'not-support'), fc.boolean()).map(([w, o, r]) => reply(w, o, r))),
  weighted(1, who.map(giveBack)),
  weighted(1, fc.tuple(who, fc.integer({ min: 1, max: 40 })).map(([w, d]) => extend(w, d))),
  weighted(1, who.map(answerSupervision)),
  weighted(3, fc.tuple(fc.integer({ min: 0, max: 6 }), fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 })).map(([d, r]) => hearing(d, r))),
  weighted(3, fc.constantFrom('uphold', 'revise', 'overturn').map(decideAppeal)),
  weighted(2, fc.constant(check)),
);

/** minutes between steps: mostly hours, sometimes up to 12 days, so limits are both met and missed */
const gap = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 24 * 60 }), weight: 4 }, { arbitrary: fc.integer({ min: 0, max: 12 * 24 * 60 }), weight: 1 });
const noise = fc.array(fc.tuple(gap, stepArb), { maxLength: 4 });

/** the procedure's long road, which random steps alone rarely travel to its end */
const SKELETON: Step[] = [
  classify('petition'), assign('assign', [['500112-rsj', 'lead'], ['500112-xfb', 'co']]), accept('the-lead'), accept('a-co-handler'),
  opinion('a-co-handler'), reply('the-lead', 'not-support', true), answer, requestAppeal('review', '500000-rsj'), decideAppeal('uphold'),
  requestAppeal('re-review', '500000-xfb'), hearing(2, true), decideAppeal('uphold'), conclude, repeat,
];
/** the skeleton, each step sometimes skipped, with random steps between */
const guided = fc.tuple(
  fc.array(fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }), { minLength: SKELETON.length, maxLength: SKELETON.length }),
  fc.array(gap, { minLength: SKELETON.length, maxLength: SKELETON.length }),
  fc.array(noise, { minLength: SKELETON.length, maxLength: SKELETON.length }),
).map(([keep, gaps, between]) => SKELETON.flatMap((step, i): [number, Step][] => [...between[i], ...(keep[i] ? [[gaps[i], step] as [number, Step]] : [])]));
const unguided = fc.array(fc.tuple(gap, stepArb), { minLength: 5, maxLength: 120, size: 'max' });
const runArb = fc.oneof(guided, unguided);

const register = (at: string): CaseCommand => ({
  kind: 'RegisterPetition', at, caseNumber: 'CQ-2024-000001', channel: 'online', petitioner: { petitionerId: 'p', sealed: 's', anonymous: false },
  regionCode: '500112', subject: '拖欠工资', content: 'c', petitionerKeys: ['k'],
});

function decideOn<Cmd, S, E extends DomainEvent>(d: Decider<Cmd, S, E>, h: History, command: Cmd, agencyId: string | null): CaseFileEvent[] {
  const produced = d.decide(command, fold(d, h.events));
  return produced.map((e, i) => ({
    ...e, id: `e-${h.n}-${i}`, occurredAt: (command as { at: string }).at, agencyId, caseId: 'c-1', region: 'cq',
    ...(e.causedBy ? { causedBy: e.causedBy } : {}),
  }));
}

const WARN = { route: 3, acknowledge: 3, handle: 10, 'appeal-decision': 5, 'supervision-answer': 2 };
const AFTER_CONCLUSION_FORBIDDEN = new Set<string>([
  C.AgenciesAssigned, C.CoHandlerReleased, C.CaseAnswered, C.ReplyRated, C.RepeatPetitionLinked, C.DisputeRaised, C.DisputeDecided,
  C.AppealRequested, C.CaseConcluded, T.TaskAccepted, T.HandlingActionRecorded, T.OpinionSubmitted, T.ReplyIssued, T.TaskReturned,
  T.HandlingExtended, A.HearingRecorded, A.AppealDecided,
]);

function checkInvariants(before: CaseFile | null, after: CaseFile, added: CaseFileEvent[], h: History, maxDue: Map<string, string>): void {
  const all = h.events;
  // time never goes back
  for (let i = 1; i < all.length; i++) expect(Date.parse(all[i].occurredAt)).toBeGreaterThanOrEqual(Date.parse(all[i - 1].occurredAt));
  for (const e of added) {
    // every event can be told in the timeline
    expect(summarize(e, (id) => id)).not.toBe(e.type);
    // nothing is done on a concluded case
    if (before?.concluded) expect(AFTER_CONCLUSION_FORBIDDEN.has(e.type)).toBe(false);
    if (e.type === T.ReplyIssued && before) {
      // no reply before every acceptance: the lead accepted; every co-handler still on the case accepted and gave its opinion
      const lead = before.tasks.find((t) => t.agencyId === e.agencyId)!;
      expect(lead.role).toBe('lead');
      expect(lead.acceptedAt).not.toBeNull();
      for (const t of before.tasks.filter((x) => x.role === 'co' && ['assigned', 'accepted', 'opinion-submitted'].includes(x.status))) {
        expect(t.acceptedAt).not.toBeNull();
        expect(t.opinion).not.toBeNull();
      }
      expect(before.disputes.every((d) => d.decision)).toBe(true);
    }
    if (e.type === T.TaskReturned && before) {
      const t = before.tasks.find((x) => x.agencyId === e.agencyId)!;
      expect(Date.parse(e.occurredAt)).toBeLessThanOrEqual(Date.parse(t.returnDueAt));
      expect(t.acceptedAt).toBeNull();
    }
    if (e.type === T.HandlingExtended && before) {
      const t = before.tasks.find((x) => x.agencyId === e.agencyId)!;
      expect(t.extension).toBeNull();
      expect((e.data as { days: number }).days).toBeLessThanOrEqual(30);
    }
    if (e.type === C.CaseConcluded) expect(before?.appeals.some((a) => a.kind === 're-review' && a.decision)).toBe(true);
    if (e.type === A.AppealDecided && before) expect(before.appeals.find((a) => a.appealId === (e.data as { appealId: string }).appealId)?.decision).toBeNull();
  }
  // one lead at a time
  expect(after.tasks.filter((t) => t.role === 'lead' && ['assigned', 'accepted', 'opinion-submitted', 'replied'].includes(t.status)).length).toBeLessThanOrEqual(1);
  // each watch flag once per limit and due date
  const flags = all.filter((e) => e.type === C.DeadlineWarning || e.type === C.DeadlineOverdue)
    .map((e) => `${e.type}|${(e.data as { limitId: string }).limitId}|${(e.data as { dueAt: string }).dueAt}`);
  expect(new Set(flags).size).toBe(flags.length);
  // due dates never move backwards; a handling limit moves only by an extension or a new acceptance, a decision limit only by a hearing
  const movers = new Set(added.map((e) => `${e.type}|${e.agencyId ?? ''}`));
  const current = limitsOf(after);
  // A limit that stopped applying (task released, returned, transferred) is forgotten: an id met
  // again later names a new obligation, e.g. a successor inheriting a task it once co-handled.
  for (const id of [...maxDue.keys()]) if (!current.some((l) => l.id === id)) maxDue.delete(id);
  for (const l of current) {
    const prev = maxDue.get(l.id);
    if (prev !== undefined && prev !== l.dueAt) {
      expect(Date.parse(l.dueAt)).toBeGreaterThan(Date.parse(prev));
      if (l.kind === 'handle') expect(movers.has(`${T.HandlingExtended}|${l.agencyId}`) || movers.has(`${T.TaskAccepted}|${l.agencyId}`)).toBe(true);
      if (l.kind === 'appeal-decision') expect(added.some((e) => e.type === A.HearingRecorded)).toBe(true);
    }
    if (prev === undefined || Date.parse(l.dueAt) > Date.parse(prev)) maxDue.set(l.id, l.dueAt);
  }
  // the bureau's decider and the read model agree on whether the case is open (Art. 19)
  expect(isOpenForRepeats(fold(caseDecider, all))).toBe(isOpenCase(after));
}

/** Runs the steps, each one as the apps would: fold the case's events, decide, append. */
function run(steps: [number, Step][], check: boolean): History {
  let ms = START;
  const h: History = { events: [], file: null, at: new Date(ms).toISOString(), n: 0 };
  h.events.push(...decideOn(caseDecider, h, register(h.at), null));
  h.file = h.events.reduce<CaseFile | null>(evolveCaseFile, null);
  const maxDue = new Map<string, string>();
  for (const [minutes, step] of steps) {
    ms += minutes * 60_000;
    h.at = new Date(ms).toISOString();
    h.n++;
    let added: CaseFileEvent[] = [];
    try {
      if (step.on === 'case') {
        const c = step.make(h);
        if (c) added = decideOn(caseDecider, h, c, null);
      } else if (step.on === 'task') {
        const c = step.make(h);
        const agencyId = resolve(step.who, h);
        if (c) added = decideOn(taskDecider(agencyId), h, c, agencyId);
      } else if (step.on === 'appeal') {
        const x = step.make(h);
        if (x) added = decideOn(appealDecider(x.agencyId), h, x.command, x.agencyId);
      } else {
        added = decideOn(deadlineDecider, h, { kind: 'CheckDeadlines', at: h.at, warningDays: WARN }, null);
      }
    } catch (e) {
      // a refusal is an answer; anything else thrown is a bug
      if (!(e instanceof DomainError)) throw e;
      continue;
    }
    const before = h.file;
    h.events.push(...added);
    for (const e of added) h.file = evolveCaseFile(h.file, e);
    if (check) checkInvariants(before, h.file!, added, h, maxDue);
  }
  return h;
}

describe('the procedure under random command sequences (fast-check)', () => {
  it('keeps its invariants whatever is tried, in whatever order', () => {
    fc.assert(fc.property(runArb, (steps) => {
      run(steps, true);
    }), { numRuns: 300 });
  });

  it('reaches the far steps of the procedure, so the invariants are tested there too', () => {
    // Guards the generator: a property that never reaches replies, appeals or conclusion proves nothing about them.
    const reached = new Set<string>();
    fc.assert(fc.property(runArb, (steps) => {
      for (const e of run(steps, false).events) reached.add(e.type);
    }), { numRuns: 500, seed: 20241001 });
    for (const type of [
      T.ReplyIssued, T.CompletionReportFiled, C.CaseAnswered, T.TaskReturned, T.HandlingExtended, C.DisputeDecided, C.AppealRequested,
      A.HearingRecorded, A.AppealDecided, C.CaseConcluded, C.RaisedAfterConclusion, C.TaskTransferred, C.DeadlineWarning, C.DeadlineOverdue,
      T.SupervisionAnswered, C.RoutedOut,
    ]) {
      expect(reached).toContain(type);
    }
  });
});
