import type { Region } from '@lianban/contracts';
import { RegistryError } from './errors';
import type {
  Agency,
  AgencyKind,
  AgencyView,
  CommonSuperior,
  DatedName,
  DeciderView,
  Department,
  Division,
  DivisionView,
  JointConference,
  RegistryData,
} from './model';
import { SEED_DATA } from './seed';

/**
 * The effective-dated registry of divisions and agencies (DESIGN 4.4). Pure: built from data
 * (the seed by default), and every answer that depends on time takes the moment as `asOf`.
 *
 * Moments: an ISO 8601 moment with an offset or Z, a Date, or a bare date YYYY-MM-DD meaning
 * the start of that day in China (00:00 +08:00), the same way record dates are read.
 *
 * Unknown ids: lookups (`agency`, `division`, `decider`) answer undefined and `isActive`
 * answers false. Every other question about an id or code the registry has never known throws
 * RegistryError UNKNOWN_AGENCY / UNKNOWN_DIVISION: that is a caller's bug, not an answer.
 * A well-formed question without an answer (the level above a province) returns undefined.
 *
 * Abolished divisions: questions asked with a division code and a moment
 * (`petitionBureauOf`, `politicsLawAgencyFor`, `disciplineAgencyFor`) follow the division's
 * successors to the one in force at that moment, so a matter from 渝北区 after 2025-11-01 goes
 * to 北碚区.
 */

export type Moment = string | Date;

const REGIONS: Record<string, Region> = { '50': 'cq', '51': 'sc' };
const CODE_RE = /^(\d{6})(?:-([a-z][a-z0-9]*))?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const CHINA_OFFSET = '+08:00';

/**
 * The region of an agency id or division code, from the first two digits of the code (50 → cq,
 * 51 → sc). Works for codes the registry does not hold, e.g. `AGENCY_ID` at start-up.
 */
export function regionOfCode(agencyIdOrDivisionCode: string): Region {
  const m = CODE_RE.exec(agencyIdOrDivisionCode);
  if (!m) {
    throw new RegistryError(
      'INVALID_CODE',
      `not a division code (6 digits) or agency id (<code>-<department>): ${JSON.stringify(agencyIdOrDivisionCode)}`,
    );
  }
  const region = REGIONS[m[1].slice(0, 2)];
  if (!region) throw new RegistryError('UNKNOWN_REGION', `no region for code ${m[1]}: Lianban serves 50 (cq) and 51 (sc)`);
  return region;
}

/**
 * `regionOfCode` for ids that may name no region (the joint conference, a claim from an outside
 * token): undefined instead of an error, so callers can compare it with a region as it is.
 */
export function regionOfAgency(agencyId: string): Region | undefined {
  const m = CODE_RE.exec(agencyId);
  return m ? REGIONS[m[1].slice(0, 2)] : undefined;
}

function dayStartMs(date: string): number | undefined {
  const m = DATE_RE.exec(date);
  if (!m) return undefined;
  const ms = Date.parse(`${date}T00:00:00${CHINA_OFFSET}`);
  // Date.parse rolls 02-30 over to 03-01; a real date keeps its day
  const local = new Date(ms + 8 * 3_600_000);
  if (Number.isNaN(ms) || local.getUTCDate() !== Number(m[3]) || local.getUTCMonth() + 1 !== Number(m[2])) return undefined;
  return ms;
}

function momentMs(asOf: Moment): number {
  if (asOf instanceof Date) {
    const ms = asOf.getTime();
    if (Number.isNaN(ms)) throw new RegistryError('INVALID_DATE', 'invalid Date');
    return ms;
  }
  if (typeof asOf === 'string') {
    const day = dayStartMs(asOf);
    if (day !== undefined) return day;
    if (INSTANT_RE.test(asOf)) {
      const ms = Date.parse(asOf);
      if (!Number.isNaN(ms)) return ms;
    }
  }
  throw new RegistryError('INVALID_DATE', `not an ISO 8601 date or moment with an offset: ${JSON.stringify(asOf)}`);
}

interface Span {
  fromMs: number;
  toMs: number;
}

interface NameRecord extends Span {
  name: string;
  shortName: string;
}

interface DivisionRecord extends Span {
  data: Division;
  names: NameRecord[];
}

interface AgencyRecord extends Span {
  data: Agency;
  department: Department;
  names: NameRecord[];
}

const covers = (span: Span, ms: number) => span.fromMs <= ms && ms < span.toMs;

function nameAt(names: NameRecord[], ms: number | undefined): NameRecord {
  if (ms === undefined) return names[names.length - 1];
  // before the first name (before the record existed) the first name is the best answer
  let found = names[0];
  for (const n of names) if (n.fromMs <= ms) found = n;
  return found;
}

/**
 * A successor must be in force on the day its predecessor ends, or open tasks would have no
 * holder. It follows that every successor ends later than its predecessor, so no chain of
 * successors can loop back.
 */
function checkSuccession(
  what: string,
  rec: Span,
  validTo: string | undefined,
  successorKey: string | undefined,
  successor: Span | undefined | '',
  invalid: (message: string) => never,
): void {
  if (successorKey === undefined) return;
  if (validTo === undefined) invalid(`${what}: only a record that ends has a successor`);
  if (!successor) return invalid(`${what}: successor ${successorKey} is not listed`);
  if (!covers(successor, rec.toMs)) invalid(`${what}: successor ${successorKey} is not in force on ${validTo}`);
}

export class Registry {
  private readonly divisionsByCode = new Map<string, DivisionRecord>();
  private readonly agenciesById = new Map<string, AgencyRecord>();
  private readonly agenciesByDivision = new Map<string, AgencyRecord[]>();
  private readonly joint: JointConference;

  constructor(data: RegistryData = SEED_DATA) {
    const invalid = (message: string): never => {
      throw new RegistryError('INVALID_DATA', message);
    };
    const dateMs = (what: string, date: string): number => dayStartMs(date) ?? invalid(`${what}: not a date: ${JSON.stringify(date)}`);
    const span = (what: string, validFrom: string, validTo?: string): Span => {
      const fromMs = dateMs(`${what} validFrom`, validFrom);
      const toMs = validTo === undefined ? Infinity : dateMs(`${what} validTo`, validTo);
      if (toMs <= fromMs) invalid(`${what}: validTo ${validTo} is not after validFrom ${validFrom}`);
      return { fromMs, toMs };
    };
    const names = (what: string, list: readonly DatedName[], validity: Span, validFrom: string): NameRecord[] => {
      if (list.length === 0) invalid(`${what}: has no name`);
      const out: NameRecord[] = [];
      list.forEach((n, i) => {
        const fromMs = dateMs(`${what} name ${n.name}`, n.from);
        if (i === 0 && n.from !== validFrom) invalid(`${what}: its first name must start on validFrom ${validFrom}`);
        if (i > 0 && fromMs <= out[i - 1].fromMs) invalid(`${what}: names are not in date order`);
        if (fromMs >= validity.toMs) invalid(`${what}: name ${n.name} starts after the record ends`);
        if (i > 0) out[i - 1].toMs = fromMs;
        out.push({ fromMs, toMs: validity.toMs, name: n.name, shortName: n.shortName ?? n.name });
      });
      return out;
    };
    const region = (what: string, code: string): Region => {
      try {
        return regionOfCode(code);
      } catch (e) {
        return invalid(`${what}: ${(e as Error).message}`);
      }
    };

    for (const d of data.divisions) {
      const what = `division ${d.code}`;
      if (!/^\d{6}$/.test(d.code)) invalid(`${what}: a division code has 6 digits`);
      if (this.divisionsByCode.has(d.code)) invalid(`${what}: listed twice`);
      region(what, d.code);
      const validity = span(what, d.validFrom, d.validTo);
      this.divisionsByCode.set(d.code, { ...validity, data: d, names: names(what, d.names, validity, d.validFrom) });
    }
    for (const rec of this.divisionsByCode.values()) {
      const d = rec.data;
      const what = `division ${d.code}`;
      if (d.level === 'province') {
        if (d.parentCode !== undefined) invalid(`${what}: a province has no parent`);
      } else {
        const parent = d.parentCode === undefined ? undefined : this.divisionsByCode.get(d.parentCode);
        if (!parent) invalid(`${what}: parent ${d.parentCode} is not listed`);
        else {
          if (region(what, parent.data.code) !== region(what, d.code)) invalid(`${what}: its parent is in another province`);
          if (rec.fromMs < parent.fromMs || rec.toMs > parent.toMs) invalid(`${what}: exists outside its parent's validity`);
        }
      }
      checkSuccession(what, rec, d.validTo, d.successorCode, d.successorCode && this.divisionsByCode.get(d.successorCode), invalid);
    }
    for (const rec of this.divisionsByCode.values()) {
      // a parent loop would make every walk up the hierarchy endless
      const seen = new Set<string>();
      for (let c: string | undefined = rec.data.code; c !== undefined; c = this.divisionsByCode.get(c)?.data.parentCode) {
        if (seen.has(c)) invalid(`division ${rec.data.code}: its parents form a loop`);
        seen.add(c);
      }
    }

    const departments = new Map<string, Department>();
    for (const dep of data.departments) {
      if (departments.has(dep.code)) invalid(`department ${dep.code}: listed twice`);
      departments.set(dep.code, dep);
    }

    for (const a of data.agencies) {
      const what = `agency ${a.id}`;
      if (a.id !== `${a.divisionCode}-${a.departmentCode}`) invalid(`${what}: the id must be <divisionCode>-<departmentCode>`);
      if (this.agenciesById.has(a.id)) invalid(`${what}: listed twice`);
      const department = departments.get(a.departmentCode) ?? invalid(`${what}: department ${a.departmentCode} is not listed`);
      if (department.kind !== a.kind) invalid(`${what}: kind ${a.kind} differs from its department's ${department.kind}`);
      const division = this.divisionsByCode.get(a.divisionCode) ?? invalid(`${what}: division ${a.divisionCode} is not listed`);
      const validity = span(what, a.validFrom, a.validTo);
      if (validity.fromMs < division.fromMs || validity.toMs > division.toMs) invalid(`${what}: exists outside its division's validity`);
      const rec: AgencyRecord = { ...validity, data: a, department, names: names(what, a.names, validity, a.validFrom) };
      this.agenciesById.set(a.id, rec);
      const list = this.agenciesByDivision.get(a.divisionCode) ?? [];
      list.push(rec);
      this.agenciesByDivision.set(a.divisionCode, list);
    }
    for (const list of this.agenciesByDivision.values()) list.sort((x, y) => (x.data.id < y.data.id ? -1 : 1));
    for (const rec of this.agenciesById.values()) {
      const a = rec.data;
      checkSuccession(`agency ${a.id}`, rec, a.validTo, a.successorId, a.successorId && this.agenciesById.get(a.successorId), invalid);
    }

    if (this.divisionsByCode.has(data.jointConference.id) || this.agenciesById.has(data.jointConference.id)) {
      invalid(`joint conference ${data.jointConference.id}: its id is taken`);
    }
    this.joint = data.jointConference;
  }

  /** The body that decides disputes across provinces (川渝信访工作联席会议). */
  get jointConference(): JointConference {
    return this.joint;
  }

  // ---- lookups ----------------------------------------------------------------------------

  /**
   * An agency with the name valid at `asOf` (without `asOf`, its latest name), or undefined if
   * the id is unknown. It is returned even when not in force at `asOf`: see `isActive`.
   */
  agency(id: string, asOf?: Moment): AgencyView | undefined {
    const rec = this.agenciesById.get(id);
    return rec && this.agencyView(rec, asOf === undefined ? undefined : momentMs(asOf));
  }

  /** The agencies in force at `asOf`, by id. */
  agencies(asOf: Moment): AgencyView[] {
    const ms = momentMs(asOf);
    return [...this.agenciesById.values()]
      .filter((r) => covers(r, ms))
      .sort((x, y) => (x.data.id < y.data.id ? -1 : 1))
      .map((r) => this.agencyView(r, ms));
  }

  /** Whether the agency exists and is in force at `asOf`; false for an unknown id. */
  isActive(id: string, asOf: Moment): boolean {
    const ms = momentMs(asOf);
    const rec = this.agenciesById.get(id);
    return rec !== undefined && covers(rec, ms);
  }

  /** A division with the name valid at `asOf` (latest without it), or undefined if unknown. */
  division(code: string, asOf?: Moment): DivisionView | undefined {
    const rec = this.divisionsByCode.get(code);
    return rec && this.divisionView(rec, asOf === undefined ? undefined : momentMs(asOf));
  }

  /** The divisions in force at `asOf`, by code. */
  divisions(asOf: Moment): DivisionView[] {
    const ms = momentMs(asOf);
    return [...this.divisionsByCode.values()]
      .filter((r) => covers(r, ms))
      .sort((x, y) => (x.data.code < y.data.code ? -1 : 1))
      .map((r) => this.divisionView(r, ms));
  }

  /** Whether the division exists and is in force at `asOf`; false for an unknown code. */
  isDivisionActive(code: string, asOf: Moment): boolean {
    const rec = this.divisionsByCode.get(code);
    return rec !== undefined && covers(rec, momentMs(asOf));
  }

  /** An agency or the joint conference, by id; undefined if neither. */
  decider(id: string, asOf?: Moment): DeciderView | undefined {
    return id === this.joint.id ? this.joint : this.agency(id, asOf);
  }

  /** See `regionOfCode`: syntactic, so it also answers for ids the registry does not hold. */
  regionOf(agencyIdOrDivisionCode: string): Region {
    return regionOfCode(agencyIdOrDivisionCode);
  }

  /**
   * The division directly above (500112 → 500000: 重庆 has no city level), or undefined for a
   * province. Throws UNKNOWN_DIVISION for an unknown code.
   */
  parentDivision(code: string, asOf?: Moment): DivisionView | undefined {
    const parentCode = this.divisionRecord(code).data.parentCode;
    return parentCode === undefined ? undefined : this.division(parentCode, asOf);
  }

  // ---- succession -------------------------------------------------------------------------

  /**
   * The id of the agency holding `agencyId`'s duties at `asOf`: itself while in force, else the
   * first successor in force along its chain ('500112-rsj' at 2026-01-01 → '500109-rsj').
   * Undefined before the agency existed, or when the chain ends without one in force.
   */
  successorAt(agencyId: string, asOf: Moment): string | undefined {
    return this.holderAt(this.agencyRecord(agencyId), momentMs(asOf))?.data.id;
  }

  // ---- who handles what -------------------------------------------------------------------

  /** The petition bureau (信访办 / 信访局) of the division in force at `asOf` for `divisionCode`. */
  petitionBureauOf(divisionCode: string, asOf: Moment): AgencyView | undefined {
    const ms = momentMs(asOf);
    const division = this.divisionAt(this.divisionRecord(divisionCode), ms);
    const bureau = division && this.activeOfKind(division.data.code, 'petition-bureau', ms);
    return bureau && this.agencyView(bureau, ms);
  }

  /**
   * The agency one division level up that is in force at `asOf` (for 复查 / 复核, Art. 35–36),
   * chosen by this rule, first match wins:
   *   1. the same department code (500112-rsj → 500000-rsj);
   *   2. the same sector, when the line of work changes its code between levels
   *      (511623-sw 水务局 → 511600-slj 水利局; 511600-slj → 510000-slt 水利厅);
   *   3. the petition bureau of the parent division.
   * An agency no longer in force is first replaced by its successor at `asOf`. Undefined for a
   * province-level agency (national bodies are not in the registry) or when the parent division
   * has none of the three.
   */
  levelAbove(agencyId: string, asOf: Moment): AgencyView | undefined {
    const ms = momentMs(asOf);
    const original = this.agencyRecord(agencyId);
    const holder = this.holderAt(original, ms) ?? original;
    const parentCode = this.divisionRecord(holder.data.divisionCode).data.parentCode;
    if (parentCode === undefined) return undefined;
    const parent = this.divisionAt(this.divisionRecord(parentCode), ms);
    if (!parent) return undefined;
    const candidates = this.activeIn(parent.data.code, ms);
    const found =
      candidates.find((a) => a.data.departmentCode === holder.data.departmentCode) ??
      candidates.find((a) => a.department.sector === holder.department.sector) ??
      candidates.find((a) => a.data.kind === 'petition-bureau');
    return found && this.agencyView(found, ms);
  }

  /**
   * Who decides when these agencies dispute competence (Art. 24, DESIGN 4.2):
   * - agencies in different provinces: the joint conference (no common superior exists);
   * - otherwise the lowest division that contains them all (for agencies of one division, that
   *   division), represented by its petition bureau. Should that division have no petition bureau
   *   in force, the nearest one above it decides and `divisionCode` names its division.
   * Agencies no longer in force are replaced by their successors at `asOf`; one with no
   * successor in force throws INACTIVE_AGENCY.
   */
  commonSuperior(agencyIds: readonly string[], asOf: Moment): CommonSuperior {
    const ms = momentMs(asOf);
    if (agencyIds.length === 0) throw new RegistryError('INVALID_ARGUMENT', 'commonSuperior needs at least one agency');
    const holders = agencyIds.map((id) => {
      const holder = this.holderAt(this.agencyRecord(id), ms);
      if (!holder) throw new RegistryError('INACTIVE_AGENCY', `${id} has no agency in force at ${new Date(ms).toISOString()}`);
      return holder;
    });
    if (new Set(holders.map((h) => regionOfCode(h.data.divisionCode))).size > 1) {
      return { kind: 'joint-conference', deciderId: this.joint.id };
    }
    const chains = holders.map((h) => this.ancestry(h.data.divisionCode));
    const shared = chains[0].filter((code) => chains.every((chain) => chain.includes(code)));
    for (const code of shared) {
      const bureau = this.activeOfKind(code, 'petition-bureau', ms);
      if (bureau) return { kind: 'division', divisionCode: code, deciderId: bureau.data.id };
    }
    throw new RegistryError('NO_DECIDER', `no petition bureau in force above ${agencyIds.join(', ')}`);
  }

  /** The 政法委 for matters of that division (涉法涉诉, Art. 28): its own, else the nearest above. */
  politicsLawAgencyFor(divisionCode: string, asOf: Moment): AgencyView | undefined {
    return this.nearestOfKind(divisionCode, 'politics-law', momentMs(asOf));
  }

  /** The 纪委监委 for matters of that division (纪检监察): its own, else the nearest above. */
  disciplineAgencyFor(divisionCode: string, asOf: Moment): AgencyView | undefined {
    return this.nearestOfKind(divisionCode, 'discipline', momentMs(asOf));
  }

  // ---- internals --------------------------------------------------------------------------

  private agencyRecord(id: string): AgencyRecord {
    const rec = this.agenciesById.get(id);
    if (!rec) throw new RegistryError('UNKNOWN_AGENCY', `unknown agency: ${JSON.stringify(id)}`);
    return rec;
  }

  private divisionRecord(code: string): DivisionRecord {
    const rec = this.divisionsByCode.get(code);
    if (!rec) throw new RegistryError('UNKNOWN_DIVISION', `unknown division: ${JSON.stringify(code)}`);
    return rec;
  }

  /** follows successors until one is in force at ms (see checkSuccession: chains cannot loop) */
  private holderAt(rec: AgencyRecord, ms: number): AgencyRecord | undefined {
    for (let cur: AgencyRecord | undefined = rec; cur; ) {
      if (covers(cur, ms)) return cur;
      if (ms < cur.fromMs || cur.data.successorId === undefined) return undefined;
      cur = this.agenciesById.get(cur.data.successorId);
    }
    return undefined;
  }

  private divisionAt(rec: DivisionRecord, ms: number): DivisionRecord | undefined {
    for (let cur: DivisionRecord | undefined = rec; cur; ) {
      if (covers(cur, ms)) return cur;
      if (ms < cur.fromMs || cur.data.successorCode === undefined) return undefined;
      cur = this.divisionsByCode.get(cur.data.successorCode);
    }
    return undefined;
  }

  /** the code itself, then its parents up to the province */
  private ancestry(code: string): string[] {
    const out: string[] = [];
    for (let c: string | undefined = code; c !== undefined; c = this.divisionsByCode.get(c)?.data.parentCode) out.push(c);
    return out;
  }

  private activeIn(divisionCode: string, ms: number): AgencyRecord[] {
    return (this.agenciesByDivision.get(divisionCode) ?? []).filter((a) => covers(a, ms));
  }

  private activeOfKind(divisionCode: string, kind: AgencyKind, ms: number): AgencyRecord | undefined {
    return this.activeIn(divisionCode, ms).find((a) => a.data.kind === kind);
  }

  private nearestOfKind(divisionCode: string, kind: AgencyKind, ms: number): AgencyView | undefined {
    let division = this.divisionAt(this.divisionRecord(divisionCode), ms);
    while (division) {
      const found = this.activeOfKind(division.data.code, kind, ms);
      if (found) return this.agencyView(found, ms);
      const parentCode = division.data.parentCode;
      division = parentCode === undefined ? undefined : this.divisionAt(this.divisionRecord(parentCode), ms);
    }
    return undefined;
  }

  private agencyView(rec: AgencyRecord, ms: number | undefined): AgencyView {
    const a = rec.data;
    const n = nameAt(rec.names, ms);
    return {
      id: a.id,
      name: n.name,
      shortName: n.shortName,
      departmentCode: a.departmentCode,
      divisionCode: a.divisionCode,
      region: regionOfCode(a.divisionCode),
      kind: a.kind,
      validFrom: a.validFrom,
      ...(a.validTo !== undefined ? { validTo: a.validTo } : {}),
      ...(a.successorId !== undefined ? { successorId: a.successorId } : {}),
    };
  }

  private divisionView(rec: DivisionRecord, ms: number | undefined): DivisionView {
    const d = rec.data;
    return {
      code: d.code,
      name: nameAt(rec.names, ms).name,
      level: d.level,
      ...(d.parentCode !== undefined ? { parentCode: d.parentCode } : {}),
      region: regionOfCode(d.code),
      validFrom: d.validFrom,
      ...(d.validTo !== undefined ? { validTo: d.validTo } : {}),
      ...(d.successorCode !== undefined ? { successorCode: d.successorCode } : {}),
    };
  }
}
