import type { LianbanConfig } from '../config';

/**
 * DESIGN 6 with two deployments: whether this deployment keeps — and so acts on — a record whose
 * home is `region` (a case: where it was registered; a task force: where it was formed). The
 * other region's joint cases are in this store as copies, to be read and shown; what reacts to
 * events or watches limits (the process managers, the deadline watch, 督办) acts only where the
 * record is kept, so a copy never draws a command that the runner would refuse. With
 * CROSS_REGION=off one deployment keeps every record, whatever region it names.
 */
export function keptHere(config: Pick<LianbanConfig, 'crossRegion' | 'region'>, region: string | null | undefined): boolean {
  return !config.crossRegion || region === config.region;
}
