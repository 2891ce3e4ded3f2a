import type { LianbanConfig } from '../config';

/**
 * With CROSS_REGION=on, a case registered in the other region is that region's to write: this
 * deployment holds a copy of its case stream and writes only its own agencies' tasks. Whatever
 * would append to the case stream (the case answer, the 终结) is then the home region's business,
 * and this region's reactions leave it alone instead of being refused (CASE_OF_OTHER_REGION).
 */
export function isCaseOfOtherRegion(config: Pick<LianbanConfig, 'crossRegion' | 'region'>, caseRegion: string): boolean {
  return config.crossRegion && caseRegion !== config.region;
}
