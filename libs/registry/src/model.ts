import type { Region } from '@lianban/contracts';

/**
 * The registry's records (DESIGN 4.4). Everything is effective-dated: a record is valid from
 * `validFrom` (inclusive) until `validTo` (exclusive). Dates are China-local days (YYYY-MM-DD):
 * a change "effective 2025-11-01" takes effect at 2025-11-01T00:00+08:00, the way Chinese
 * decisions take effect.
 */

export type DivisionLevel = 'province' | 'city' | 'district' | 'county';

/** One name and the day it took effect; the next entry's `from` ends it. */
export interface DatedName {
  from: string;
  name: string;
  /** the short form people write (渝北区人社局); defaults to `name` */
  shortName?: string;
}

export interface Division {
  /** 6-digit 行政区划代码 */
  code: string;
  /** oldest first; the first entry's `from` is the division's `validFrom` */
  names: readonly DatedName[];
  /**
   * Fixed for the life of the record: a division that moves under another parent gets a new
   * 行政区划代码, hence a new record. Absent only for provinces (and 直辖市).
   */
  parentCode?: string;
  level: DivisionLevel;
  validFrom: string;
  validTo?: string;
  /** where its territory and duties went when it ended (merge or abolition) */
  successorCode?: string;
}

export type AgencyKind = 'petition-bureau' | 'functional' | 'politics-law' | 'discipline';

/**
 * A department code, shared by the agencies of that department at every level. `sector` ties
 * together departments of one line of work that carry different codes at different levels
 * (水利局 slj, 水利厅 slt, 水务局 sw): the level above follows the sector when the code differs.
 */
export interface Department {
  code: string;
  sector: string;
  kind: AgencyKind;
  /** what the code stands for, for people reading the data */
  label: string;
}

export interface Agency {
  /** `<division code>-<department code>` */
  id: string;
  departmentCode: string;
  divisionCode: string;
  kind: AgencyKind;
  names: readonly DatedName[];
  validFrom: string;
  validTo?: string;
  /** who inherits its open tasks (Art. 24) when it ends */
  successorId?: string;
}

/** The body that settles disputes across provinces (DESIGN 4.2); it belongs to no division. */
export interface JointConference {
  kind: 'joint-conference';
  id: string;
  name: string;
}

export interface RegistryData {
  divisions: readonly Division[];
  departments: readonly Department[];
  agencies: readonly Agency[];
  jointConference: JointConference;
}

/** A division as of a moment: the name valid then. */
export interface DivisionView {
  code: string;
  name: string;
  level: DivisionLevel;
  parentCode?: string;
  region: Region;
  validFrom: string;
  validTo?: string;
  successorCode?: string;
}

/** An agency as of a moment: the name valid then (validity is told by `isActive`). */
export interface AgencyView {
  id: string;
  name: string;
  shortName: string;
  departmentCode: string;
  divisionCode: string;
  region: Region;
  kind: AgencyKind;
  validFrom: string;
  validTo?: string;
  successorId?: string;
}

/** Who decides a competence dispute (DESIGN 4.2). */
export type CommonSuperior =
  | {
      kind: 'division';
      /** the lowest division above (or shared by) every agency */
      divisionCode: string;
      /** that division's government, represented by its petition bureau */
      deciderId: string;
    }
  | { kind: 'joint-conference'; deciderId: string };

/** Anything that may decide a dispute: an agency, or the joint conference. */
export type DeciderView = AgencyView | JointConference;
