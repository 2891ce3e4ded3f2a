export { Registry, regionOfAgency, regionOfCode } from './registry';
export type { Moment } from './registry';
export { RegistryError } from './errors';
export type { RegistryErrorCode } from './errors';
export type {
  Agency,
  AgencyKind,
  AgencyView,
  CommonSuperior,
  DatedName,
  DeciderView,
  Department,
  Division,
  DivisionLevel,
  DivisionView,
  JointConference,
  RegistryData,
} from './model';
export {
  JOINT_CONFERENCE,
  REGISTRY_HORIZON,
  SEED_AGENCIES,
  SEED_DATA,
  SEED_DEPARTMENTS,
  SEED_DIVISIONS,
  YUBEI_ABOLISHED,
} from './seed';
