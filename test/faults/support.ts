import Database from 'better-sqlite3';
import type { StoredEvent } from '@lianban/contracts';
import { foldCaseFile, type CaseFile } from '@lianban/domain';
import { SQLITE_EVENT_COLUMNS, storedEventOfRow, type SqliteEventRow } from '@lianban/eventstore';

/** A small seeded PRNG (mulberry32): the same seed gives the same kill moments. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of this run: FAULT_SEED to reproduce one, else a fresh one. */
export function faultSeed(): number {
  const given = process.env.FAULT_SEED;
  return given !== undefined ? Number(given) : Math.floor(Math.random() * 2 ** 31);
}

/**
 * Every event of an embedded store file, read directly (read-only) with better-sqlite3, in
 * position order: what is on disk, not what a process believes.
 */
export function readStoreFile(file: string): StoredEvent[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT ${SQLITE_EVENT_COLUMNS} FROM events ORDER BY position`).raw().all() as SqliteEventRow[]).map(storedEventOfRow);
  } finally {
    db.close();
  }
}

/**
 * What must hold of any store, whatever happened to the process: no event id twice, every
 * stream's revisions 0…n-1 without gap or repeat, positions strictly increasing. Answers the
 * violations (empty when sound).
 */
export function storeViolations(events: StoredEvent[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  const streams = new Map<string, number[]>();
  let last = 0;
  for (const e of events) {
    if (ids.has(e.id)) problems.push(`event id ${e.id} stored twice`);
    ids.add(e.id);
    if (e.position <= last) problems.push(`position ${e.position} after ${last}`);
    last = e.position;
    const revs = streams.get(e.streamId) ?? [];
    revs.push(e.revision);
    streams.set(e.streamId, revs);
  }
  for (const [stream, revs] of streams) {
    const sorted = [...revs].sort((a, b) => a - b);
    if (sorted.some((r, i) => r !== i)) problems.push(`stream ${stream} has revisions ${sorted.join(',')}`);
  }
  return problems;
}

/** A fresh replay: every case folded from the stored events by the domain's own CaseFile fold. */
export function foldAll(events: StoredEvent[]): Map<string, CaseFile> {
  const byCase = new Map<string, StoredEvent[]>();
  for (const e of events) {
    const list = byCase.get(e.caseId) ?? [];
    list.push(e);
    byCase.set(e.caseId, list);
  }
  const out = new Map<string, CaseFile>();
  for (const [caseId, list] of byCase) {
    const f = foldCaseFile(list);
    if (f) out.set(caseId, f);
  }
  return out;
}

/** What an agency's inbox (`?status=all`) must list, from a fresh replay: [caseId, task status, case step], sorted. */
export function expectedInbox(files: Map<string, CaseFile>, agencyId: string): [string, string, string][] {
  const out: [string, string, string][] = [];
  for (const f of files.values()) {
    const t = f.tasks.find((x) => x.agencyId === agencyId);
    if (t) out.push([f.caseId, t.status, f.step]);
  }
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}
