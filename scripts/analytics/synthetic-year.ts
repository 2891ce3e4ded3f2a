import type { Actor, Region } from '@lianban/contracts';
import {
  HybridLogicalClock,
  type AppealOutcome,
  type Channel,
  type DemandClass,
  type Rating,
  type ReplyOutcome,
} from '@lianban/domain';
import { Registry, type AgencyView } from '@lianban/registry';
import { Prng, uuidOf } from './prng';
import { CaseSimulator, type SimEvent } from './simulator';

/**
 * A synthetic year of petitions in 重庆 and 四川, reproducible from a seed. Every case is driven
 * through the real deciders of libs/domain (CaseSimulator), so the year obeys every rule of the
 * procedure: it is data a real deployment could have written, only faster.
 *
 * The mix, roughly: 70 % online channels (网上信访, 微信, 移动客户端); two thirds in 重庆, one third
 * in 四川; three in ten cases with co-handling agencies, a few across the provincial border; 6 %
 * routed out of the petition track (诉访分离); acknowledgements late in about one task in ten
 * and never made in a few; handling extended (Art. 34) in about 7 %, replies late in about 4 %;
 * a few tasks returned (退回) and reassigned; repeat petitions (Art. 19) on about 6 % of cases;
 * 85 % of answers rated, most of them 满意; dissatisfied petitioners asking for 复查, some of
 * them then for 复核 (with hearings) and conclusion (终结); and, in a year that spans it, the
 * abolition of 渝北区 on 2025-11-01 with its open tasks transferred to 北碚区 (Art. 24).
 * Nothing after the end of the year is written: cases registered late are still open.
 */
export interface SyntheticYearOptions {
  cases: number;
  seed: number;
  /** the calendar year, China time */
  year: number;
  /** case-number sequences already used, per `casenumber-<region>-<year>` stream: the next revision */
  nextCaseNumber?: (streamId: string) => number;
  /** resume the hybrid logical clock after the store's last stamp */
  lastHlc?: string | null;
}

export interface PetitionerRecord {
  petitionerId: string;
  name: string;
  phone: string;
}

export interface SyntheticYear {
  /** every event, in time order, with hlc stamps and the expected revision of its append */
  events: (SimEvent & { expectedRevision: number | 'no-stream' })[];
  /** the personal data to seal into each registration (its `petitioner.sealed` is empty until then) */
  petitioners: Map<string, PetitionerRecord>;
  cases: number;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const CN = 8 * HOUR;

const CHANNEL_WEIGHTS: Record<Channel, number> = { online: 34, wechat: 22, app: 14, letter: 9, visit: 11, phone: 8, video: 2 };
const DIVISION_WEIGHTS: Record<Region, Record<string, number>> = {
  cq: { '500112': 30, '500109': 18, '500110': 20, '500233': 14, '500000': 18 },
  sc: { '510100': 38, '511623': 34, '511600': 14, '510000': 14 },
};

interface Sector {
  sector: string;
  /** the departments of that line of work, tried in order in a division */
  departments: string[];
  categories: string[];
  subjects: string[];
}

const SECTORS: Record<string, Sector> = {
  labour: {
    sector: 'human-resources', departments: ['rsj'], categories: ['劳动保障/拖欠工资', '劳动保障/社会保险', '劳动保障/劳动合同'],
    subjects: ['施工单位拖欠农民工工资', '公司未依法缴纳社会保险', '解除劳动合同未支付经济补偿', '工伤认定久拖不决', '企业拖欠员工绩效工资'],
  },
  housing: {
    sector: 'housing', departments: ['zjw'], categories: ['城乡建设/房屋质量', '城乡建设/物业管理', '城乡建设/征地拆迁'],
    subjects: ['新建小区外墙瓷砖脱落', '物业公司服务不到位乱收费', '房屋漏水开发商推诿', '老旧小区改造施工扰民', '拆迁安置房迟迟未交付'],
  },
  water: {
    sector: 'water', departments: ['slj', 'sw', 'slt'], categories: ['水利/河道治理', '水利/农村供水', '水利/防汛'],
    subjects: ['河道采砂破坏堤岸', '农村饮水工程停水多日', '跨界河流污染影响灌溉', '山坪塘垮塌无人修复', '防洪堤年久失修'],
  },
  general: {
    sector: 'petition', departments: ['xfb', 'xfj'], categories: ['综合/政策咨询', '综合/其他'],
    subjects: ['咨询城乡居民医保缴费政策', '反映村务公开不及时', '建议增设公交线路', '反映噪声扰民', '咨询户籍迁移手续'],
  },
};
const SECTOR_WEIGHTS = { labour: 34, housing: 26, water: 20, general: 20 };
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴', '徐', '孙', '马', '胡', '朱', '郭', '何', '罗', '高', '林'];
const GIVEN = ['华', '明', '芳', '强', '丽', '军', '敏', '静', '伟', '勇', '霞', '平', '刚', '兰', '杰', '燕'];

/**
 * Moments are planned on a plain clock, then each day is pressed into 08:00–20:00 China time,
 * when offices work and most people write. The map is monotonic, so the order of the steps —
 * and so every rule the plan respects — survives it; deadlines (ends of days) keep their day.
 */
function workday(ms: number): number {
  const dayStart = Math.floor((ms + CN) / DAY) * DAY - CN;
  return dayStart + 8 * HOUR + Math.floor((ms - dayStart) / 2);
}
const iso = (ms: number) => new Date(workday(ms)).toISOString();
/** start of a China-local day */
const cnDay = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) - CN;

/** one step of a case, run in time order with every other step of the case */
interface Step {
  at: number;
  seq: number;
  run: () => void;
}

export function generateSyntheticYear(opts: SyntheticYearOptions, registry = new Registry()): SyntheticYear {
  const root = new Prng(opts.seed);
  const yearStart = cnDay(opts.year, 1, 1);
  const horizon = cnDay(opts.year + 1, 1, 1) - 1;
  const days = Math.round((horizon + 1 - yearStart) / DAY);

  // registration moments first, so case numbers follow registration order as intake gives them
  const regs: { i: number; at: number }[] = [];
  for (let i = 0; i < opts.cases; i++) {
    const r = root.fork(`reg:${i}`);
    let day: number;
    do day = r.int(0, days - 1);
    while (new Date(yearStart + day * DAY + CN).getUTCDay() % 6 === 0 && r.chance(0.65)); // fewer at weekends
    regs.push({ i, at: yearStart + day * DAY + r.between(0, DAY) });
  }
  regs.sort((a, b) => a.at - b.at || a.i - b.i);

  const petitioners = new Map<string, PetitionerRecord>();
  const counters = new Map<string, number>();
  const all: { e: SimEvent; c: number; k: number }[] = [];
  regs.forEach(({ i, at }, order) => {
    const events = simulateCase(root.fork(`case:${i}`), opts, i, at, horizon, registry, petitioners, counters);
    events.forEach((e, k) => all.push({ e, c: order, k }));
  });

  all.sort((a, b) => Date.parse(a.e.occurredAt) - Date.parse(b.e.occurredAt) || a.c - b.c || a.k - b.k);
  const clock = new HybridLogicalClock(opts.lastHlc ?? undefined);
  const revisions = new Map<string, number>();
  const events = all.map(({ e }) => {
    const last = revisions.get(e.streamId) ?? (e.streamId.startsWith('casenumber-') ? (opts.nextCaseNumber?.(e.streamId) ?? 0) - 1 : -1);
    revisions.set(e.streamId, last + 1);
    return { ...e, hlc: clock.tick(Date.parse(e.occurredAt)), expectedRevision: last < 0 ? ('no-stream' as const) : last };
  });
  return { events, petitioners, cases: opts.cases };
}

function simulateCase(
  r: Prng,
  opts: SyntheticYearOptions,
  index: number,
  regAt: number,
  horizon: number,
  registry: Registry,
  petitioners: Map<string, PetitionerRecord>,
  counters: Map<string, number>,
): SimEvent[] {
  const region: Region = r.chance(0.66) ? 'cq' : 'sc';
  const divisions = Object.fromEntries(
    Object.entries(DIVISION_WEIGHTS[region]).filter(([code]) => registry.isDivisionActive(code, iso(regAt))),
  ) as Record<string, number>;
  const regionCode = r.weighted(divisions);
  const sectorKey = r.weighted(SECTOR_WEIGHTS) as keyof typeof SECTORS;
  const sector = SECTORS[sectorKey];
  const channel = r.weighted(CHANNEL_WEIGHTS);
  const demandClass: DemandClass = r.weighted({ claim: 70, suggestion: 15, accusation: 15 });
  let n = 0;
  const caseId = uuidOf(`lianban:seed:${opts.seed}:case:${index}`);
  const sim = new CaseSimulator(caseId, region, () => uuidOf(`lianban:seed:${opts.seed}:case:${index}:event:${n++}`));
  const petitionerId = uuidOf(`lianban:seed:${opts.seed}:petitioner:${index}`);
  petitioners.set(petitionerId, {
    petitionerId, name: `${r.pick(SURNAMES)}某${r.pick(GIVEN)}`, phone: `1${r.pick(['39', '58', '77', '86'])}${String(r.int(0, 99_999_999)).padStart(8, '0')}`,
  });

  const bureau = registry.petitionBureauOf(regionCode, iso(regAt))?.id ?? `${regionCode}-xfb`;
  const clerk: Actor = { id: `seed-clerk@${bureau}`, role: 'clerk' };
  const coordinator: Actor = { id: `seed-coordinator@${bureau}`, role: 'coordinator' };
  const worker = (agencyId: string): Actor => ({ id: `seed-caseworker@${agencyId}`, role: 'caseworker' });
  const head = (agencyId: string): Actor => ({ id: `seed-head@${agencyId}`, role: 'agency-head' });
  const petitioner: Actor = { id: `petitioner:${petitionerId}`, role: 'petitioner' };
  const system = (name: string): Actor => ({ id: name, role: 'system' });

  const steps: Step[] = [];
  let seq = 0;
  const plan = (at: number, run: () => void) => steps.push({ at: Math.round(at), seq: seq++, run });

  // registration, with the case number intake's allocator would have given
  const year = new Date(regAt + CN).getUTCFullYear();
  const numberStream = `casenumber-${region}-${year}`;
  const number = (counters.get(numberStream) ?? opts.nextCaseNumber?.(numberStream) ?? 0) + 1;
  counters.set(numberStream, number);
  const subject = r.pick(sector.subjects);
  plan(regAt, () => {
    sim.raw(numberStream, 'lianban.casenumber.allocated.v1', { year }, iso(regAt), clerk);
    sim.onCase({
      kind: 'RegisterPetition', at: iso(regAt), caseNumber: `${region.toUpperCase()}-${year}-${String(number).padStart(6, '0')}`,
      channel, regionCode, subject, content: `${subject}，请求有关部门依法处理。（合成数据，第${index + 1}件）`, demandClass,
      petitioner: { petitionerId, sealed: '', anonymous: r.chance(0.03) },
    }, ['online', 'wechat', 'app'].includes(channel) ? petitioner : clerk);
  });

  const classifyAt = regAt + r.between(0.5 * HOUR, 30 * HOUR);
  if (r.chance(0.06)) {
    const route = r.pick(['litigation', 'arbitration', 'administrative-review'] as const);
    plan(classifyAt, () => sim.onCase({
      kind: 'ClassifyPetition', at: iso(classifyAt), demandClass: 'claim', category: sector.categories[0], route,
      guidance: '该诉求属于法定途径处理事项，请依法向有关机关提出。',
    }, coordinator));
    return run(steps, horizon);
  }
  plan(classifyAt, () => sim.onCase({ kind: 'ClassifyPetition', at: iso(classifyAt), demandClass, category: r.pick(sector.categories), route: 'petition' }, coordinator));

  const assignAt = classifyAt + (r.chance(0.03) ? r.between(15.5 * DAY, 22 * DAY) : r.between(1 * HOUR, 4 * DAY));
  const when = iso(assignAt);
  const lead = competentAgency(registry, regionCode, sector, when) ?? bureau;
  const co: string[] = [];
  if (r.chance(0.3)) {
    const candidates = [bureau, parentAgency(registry, regionCode, sector, when), crossBorderAgency(registry, region, sector, when)]
      .filter((a): a is string => !!a && a !== lead);
    const unique = [...new Set(candidates)];
    for (const a of unique.slice(0, r.int(1, 2))) if (a !== crossBorderAgency(registry, region, sector, when) || r.chance(0.3)) co.push(a);
  }
  plan(assignAt, () => sim.onCase({
    kind: 'AssignAgencies', at: when, mode: 'forward',
    agencies: [{ agencyId: lead, role: 'lead' }, ...co.map((agencyId) => ({ agencyId, role: 'co' as const }))],
  }, coordinator));

  // the lead: sometimes returned as not competent (Art. 23) and reassigned to the bureau
  const holder = new Map<string, string>([lead, ...co].map((a) => [a, a]));
  const act = (a: string) => holder.get(a)!;
  let theLead = lead;
  let leadFrom = assignAt;
  if (lead !== bureau && !co.includes(bureau) && r.chance(0.03)) {
    const returnAt = assignAt + r.between(2 * HOUR, 3 * DAY);
    const reassignAt = returnAt + r.between(2 * HOUR, 2 * DAY);
    plan(returnAt, () => sim.onTask(lead, { kind: 'ReturnTask', at: iso(returnAt), reason: '该事项不属于本机关职责范围' }, worker(lead)));
    plan(reassignAt, () => sim.onCase({ kind: 'AssignAgencies', at: iso(reassignAt), mode: 'forward', agencies: [{ agencyId: bureau, role: 'lead' }] }, coordinator));
    theLead = bureau;
    leadFrom = reassignAt;
    holder.set(bureau, bureau);
  }

  // Art. 24: an agency abolished while it holds an open task passes it to its successor
  for (const a of new Set([theLead, ...co])) {
    const view = registry.agency(a);
    if (!view?.validTo || !view.successorId) continue;
    const endsAt = Date.parse(`${view.validTo}T00:05:00+08:00`);
    if (endsAt <= assignAt || endsAt > horizon) continue;
    plan(endsAt, () => {
      if (sim.caseState().answer) return;
      const moved = sim.onCase({
        kind: 'TransferTasks', at: iso(endsAt), transfers: [{ fromAgencyId: a, toAgencyId: view.successorId!, effectiveFrom: view.validTo! }],
      }, system('coordinator/deadline-watch'));
      if (moved.length) holder.set(a, view.successorId!);
    });
  }

  // Art. 19: the same matter raised again while the case is open
  if (r.chance(0.06)) {
    const repeats = r.int(1, 2);
    for (let k = 0; k < repeats; k++) {
      const at = regAt + r.between(3 * DAY, 120 * DAY);
      const repeatChannel = r.weighted(CHANNEL_WEIGHTS);
      const level = r.chance(0.8) ? 'same' : 'higher';
      plan(at, () => {
        if (sim.caseState().answer) return;
        sim.onCase({
          kind: 'RecordRepeatPetition', at: iso(at), channel: repeatChannel, regionCode, subject, content: `${subject}（再次反映）`,
          matchedBy: 'phone', requestKey: null, level,
        }, petitioner);
      });
    }
  }

  const acceptance = (from: number): number | null => {
    const x = r.next();
    if (x < 0.02) return null;
    if (x < 0.08) return from + r.between(15.5 * DAY, 26 * DAY);
    return from + r.between(1 * HOUR, 12 * DAY);
  };

  // co-handlers: an opinion, or a release by the bureau
  let coDoneBy = leadFrom;
  let coPending = false;
  for (const a of co) {
    const acceptedAt = acceptance(assignAt);
    if (r.chance(0.05)) {
      const releaseAt = assignAt + r.between(2 * DAY, 20 * DAY);
      plan(releaseAt, () => sim.onCase({ kind: 'ReleaseCoHandler', at: iso(releaseAt), agencyId: act(a), reason: '经研究，该单位无需继续协办' }, coordinator));
      if (acceptedAt !== null && acceptedAt < releaseAt) plan(acceptedAt, () => sim.onTask(act(a), { kind: 'AcceptTask', at: iso(acceptedAt) }, worker(act(a))));
      coDoneBy = Math.max(coDoneBy, releaseAt);
      continue;
    }
    if (acceptedAt === null) {
      coPending = true;
      continue;
    }
    plan(acceptedAt, () => sim.onTask(act(a), { kind: 'AcceptTask', at: iso(acceptedAt) }, worker(act(a))));
    const opinionAt = acceptedAt + (r.chance(0.04) ? r.between(61 * DAY, 72 * DAY) : r.between(3 * DAY, 45 * DAY));
    plan(opinionAt, () => sim.onTask(act(a), { kind: 'SubmitOpinion', at: iso(opinionAt), text: '同意主办单位处理意见' }, worker(act(a))));
    coDoneBy = Math.max(coDoneBy, opinionAt);
  }

  const leadAccepted = acceptance(leadFrom);
  if (leadAccepted === null) return run(steps, horizon);
  plan(leadAccepted, () => sim.onTask(act(theLead), { kind: 'AcceptTask', at: iso(leadAccepted) }, worker(act(theLead))));
  // a co-handler that never accepts holds the reply up: the case stays open, past its limits
  if (coPending) return run(steps, horizon);

  let limit = leadAccepted + 60 * DAY;
  let earliest = Math.max(coDoneBy, leadAccepted + 5 * DAY) + HOUR;
  if (r.chance(0.07)) {
    const extendAt = leadAccepted + r.between(40 * DAY, 57 * DAY);
    const extendDays = r.int(10, 30);
    plan(extendAt, () => sim.onTask(act(theLead), {
      kind: 'ExtendHandlingLimit', at: iso(extendAt), days: extendDays, reason: '案情复杂需进一步调查核实', approvedBy: head(act(theLead)).id,
    }, head(act(theLead))));
    limit += extendDays * DAY;
    earliest = Math.max(earliest, extendAt + HOUR);
  }
  const neverReplies = r.chance(0.02);
  const late = r.chance(0.03);
  const replyAt = Math.max(earliest, late ? limit + r.between(1 * DAY, 20 * DAY) : earliest + r.between(0, Math.max(HOUR, limit - earliest - 2 * HOUR)));
  const actions = r.int(1, 3);
  for (let k = 0; k < actions; k++) {
    const at = leadAccepted + r.between(HOUR, Math.max(2 * HOUR, replyAt - leadAccepted - HOUR));
    const kind = r.pick(['investigation', 'site-visit', 'mediation', 'meeting', 'inspection'] as const);
    plan(at, () => sim.onTask(act(theLead), { kind: 'RecordHandlingAction', at: iso(at), action: kind, note: '开展调查核实，听取信访人意见' }, worker(act(theLead))));
  }
  if (neverReplies) return run(steps, horizon);
  const outcome: ReplyOutcome = r.weighted({ support: 45, explain: 40, 'not-support': 15 });
  const text = '经调查核实，已依法依规作出处理并答复信访人。';
  plan(replyAt, () => {
    const [reply] = sim.onTask(act(theLead), { kind: 'IssueReply', at: iso(replyAt), outcome, text }, worker(act(theLead)));
    // the coordinator's process manager turns the reply into "case answered"
    sim.onCase({ kind: 'RecordCaseAnswered', at: iso(replyAt), leadAgencyId: act(theLead), outcome, text, replyEventId: reply.id, repliedAt: iso(replyAt) },
      system('coordinator/case-answered'), reply.id);
  });

  let rating: Rating | null = null;
  if (r.chance(0.85)) {
    const rated: Rating = r.weighted({ satisfied: 70, 'basically-satisfied': 20, dissatisfied: 10 });
    const rateAt = replyAt + r.between(1 * DAY, 12 * DAY);
    plan(rateAt, () => sim.onCase({ kind: 'RateReply', at: iso(rateAt), rating: rated, comment: null }, petitioner));
    rating = rated;
  }
  if ((rating === 'dissatisfied' && r.chance(0.7)) || (rating === null && r.chance(0.05))) {
    appeal(r, sim, plan, registry, replyAt, () => act(theLead), petitioner, worker, system, opts.seed, index);
  }
  return run(steps, horizon);

  function run(all: Step[], until: number): SimEvent[] {
    all.sort((a, b) => a.at - b.at || a.seq - b.seq);
    for (const s of all) {
      if (workday(s.at) > until) break;
      s.run();
    }
    return sim.events;
  }
}

/** 复查 by the level above the lead, sometimes 复核 by the level above that, then 终结 */
function appeal(
  r: Prng, sim: CaseSimulator, plan: (at: number, run: () => void) => void, registry: Registry, repliedAt: number, leadOf: () => string,
  petitioner: Actor, worker: (a: string) => Actor, system: (n: string) => Actor, seed: number, index: number,
): void {
  const requestAt = repliedAt + r.between(2 * DAY, 28 * DAY);
  // the lead is known once the plan runs (a transfer may have changed it); the reviewer is the level above it
  const reviewer = registry.levelAbove(leadOf(), iso(requestAt))?.id;
  if (!reviewer) return;
  const reviewId = uuidOf(`lianban:seed:${seed}:case:${index}:review`);
  plan(requestAt, () => sim.onCase({ kind: 'RequestAppeal', at: iso(requestAt), appealId: reviewId, appealKind: 'review', reason: '对处理意见不服', reviewerAgencyId: reviewer }, petitioner));
  const decideAt = requestAt + (r.chance(0.1) ? r.between(31 * DAY, 40 * DAY) : r.between(5 * DAY, 28 * DAY));
  const outcome: AppealOutcome = r.weighted({ uphold: 70, revise: 20, overturn: 10 });
  plan(decideAt, () => sim.onAppeal(reviewer, { kind: 'DecideAppeal', at: iso(decideAt), appealId: reviewId, outcome, text: '经复查，原处理意见事实清楚，予以维持。' }, worker(reviewer)));
  if (outcome === 'overturn' || !r.chance(0.6)) return;
  const reRequestAt = decideAt + r.between(3 * DAY, 25 * DAY);
  const reReviewer = registry.levelAbove(reviewer, iso(reRequestAt))?.id;
  if (!reReviewer) return;
  const reReviewId = uuidOf(`lianban:seed:${seed}:case:${index}:re-review`);
  plan(reRequestAt, () => sim.onCase({ kind: 'RequestAppeal', at: iso(reRequestAt), appealId: reReviewId, appealKind: 're-review', reason: '对复查意见不服', reviewerAgencyId: reReviewer }, petitioner));
  let extra = 0;
  if (r.chance(0.25)) {
    const heldFrom = reRequestAt + r.between(5 * DAY, 15 * DAY);
    const hearingDays = r.int(1, 3);
    const heldTo = heldFrom + (hearingDays - 1) * DAY + 2 * HOUR;
    const recordAt = heldTo + HOUR;
    extra = hearingDays * DAY;
    plan(recordAt, () => sim.onAppeal(reReviewer, { kind: 'RecordHearing', at: iso(recordAt), appealId: reReviewId, heldFrom: iso(heldFrom), heldTo: iso(heldTo), summary: '组织听证，听取各方意见' }, worker(reReviewer)));
  }
  const reDecideAt = Math.max(reRequestAt + r.between(10 * DAY, 28 * DAY) + extra, reRequestAt + extra + 20 * DAY);
  plan(reDecideAt, () => {
    const [decision] = sim.onAppeal(reReviewer, { kind: 'DecideAppeal', at: iso(reDecideAt), appealId: reReviewId, outcome: 'uphold', text: '经复核，维持复查意见。' }, worker(reReviewer));
    sim.onCase({ kind: 'RecordCaseConcluded', at: iso(reDecideAt), appealId: reReviewId, decisionEventId: decision.id }, system('coordinator/case-concluded'), decision.id);
  });
}

/** the agency of that line of work in the division, else at the nearest level above, else none */
function competentAgency(registry: Registry, divisionCode: string, sector: Sector, at: string): string | null {
  for (let code: string | undefined = divisionCode; code; code = registry.division(code)?.parentCode) {
    for (const dep of sector.departments) {
      const id = `${code}-${dep}`;
      if (registry.isActive(id, at)) return id;
    }
  }
  return null;
}

function parentAgency(registry: Registry, divisionCode: string, sector: Sector, at: string): string | null {
  const parent = registry.division(divisionCode)?.parentCode;
  return parent ? competentAgency(registry, parent, sector, at) : null;
}

/** 川渝: the matching agency across the border (water runs both ways: 邻水 ↔ 渝北/北碚) */
function crossBorderAgency(registry: Registry, region: Region, sector: Sector, at: string): string | null {
  const other = region === 'cq' ? ['511623', '510000'] : ['500112', '500109', '500000'];
  for (const code of other) {
    for (const dep of sector.departments) {
      const id = `${code}-${dep}`;
      if (registry.isActive(id, at) && sector.sector !== 'petition') return id;
    }
  }
  return null;
}
