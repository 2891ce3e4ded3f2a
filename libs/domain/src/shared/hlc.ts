/**
 * Hybrid logical clock (Kulkarni et al. 2014). A stamp is the largest physical time seen
 * (ms) plus a counter that orders events within the same millisecond. Encoded as a
 * fixed-width string so that string order is causal order: `000001620086400000.00000`.
 *
 * Pure: the physical time is passed in (the command's time), never read here.
 */
export interface HlcStamp {
  physical: number;
  logical: number;
}

const PHYSICAL_WIDTH = 15;
const LOGICAL_WIDTH = 5;
const MAX_LOGICAL = 10 ** LOGICAL_WIDTH - 1;

/**
 * The counter has a fixed width so that string order stays stamp order. When it would overflow
 * (more than 99,999 events in one millisecond of physical time — e.g. a flood of commands all
 * dated at the same moment), the stamp moves one millisecond ahead instead: still after every
 * earlier stamp, and the physical part drifts by at most that millisecond.
 */
function bounded(s: HlcStamp): HlcStamp {
  return s.logical > MAX_LOGICAL ? { physical: s.physical + 1, logical: 0 } : s;
}

export function encodeHlc(s: HlcStamp): string {
  return `${String(s.physical).padStart(PHYSICAL_WIDTH, '0')}.${String(s.logical).padStart(LOGICAL_WIDTH, '0')}`;
}

export function decodeHlc(text: string): HlcStamp {
  const m = /^(\d{1,15})\.(\d{1,5})$/.exec(text);
  if (!m) throw new Error(`not an HLC stamp: ${text}`);
  return { physical: Number(m[1]), logical: Number(m[2]) };
}

export class HybridLogicalClock {
  private last: HlcStamp;

  constructor(initial: HlcStamp | string = { physical: 0, logical: 0 }) {
    this.last = typeof initial === 'string' ? decodeHlc(initial) : { ...initial };
  }

  /** stamp a local event happening at physical time `nowMs` */
  tick(nowMs: number): string {
    if (nowMs > this.last.physical) this.last = { physical: nowMs, logical: 0 };
    else this.last = bounded({ physical: this.last.physical, logical: this.last.logical + 1 });
    return encodeHlc(this.last);
  }

  /** advance past a stamp received from elsewhere, so whatever we stamp next comes after it */
  receive(remote: string, nowMs: number): string {
    const r = decodeHlc(remote);
    const physical = Math.max(this.last.physical, r.physical, nowMs);
    let logical: number;
    if (physical === this.last.physical && physical === r.physical) logical = Math.max(this.last.logical, r.logical) + 1;
    else if (physical === this.last.physical) logical = this.last.logical + 1;
    else if (physical === r.physical) logical = r.logical + 1;
    else logical = 0;
    this.last = bounded({ physical, logical });
    return encodeHlc(this.last);
  }

  current(): string {
    return encodeHlc(this.last);
  }
}
