import type { AppealOutcome } from '../shared/vocabulary';

interface Timed {
  at: string;
}

export interface RecordHearing extends Timed {
  kind: 'RecordHearing';
  appealId: string;
  heldFrom: string;
  heldTo: string;
  summary: string;
}

export interface DecideAppeal extends Timed {
  kind: 'DecideAppeal';
  appealId: string;
  outcome: AppealOutcome;
  text: string;
}

export type AppealCommand = RecordHearing | DecideAppeal;
