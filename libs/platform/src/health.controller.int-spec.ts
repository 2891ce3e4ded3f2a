import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'express';
import type { NewEvent } from '@lianban/contracts';
import { SqliteEventStore } from '@lianban/eventstore';
import type { MessageBus } from '@lianban/messaging';
import { heldWalFile, track, turns } from '@lianban/testing/held-wal';
import type { LianbanConfig } from './config';
import type { EventConsumers } from './consumers/event-consumers';
import type { CrossRegionLink } from './cross-region/cross-region.link';
import { HealthController } from './health.controller';
import type { OutboxRelay } from './relay/outbox-relay';

const quiet = { warn: () => undefined };

function event(): NewEvent {
  return {
    id: randomUUID(), type: 'lianban.test.noted.v1', caseId: 'c-1', causationId: null, region: 'cq', agencyId: null,
    actor: { id: 'u', role: 'clerk' }, occurredAt: '2026-01-05T02:00:00.000Z', hlc: '0', data: {},
  };
}

async function health(controller: HealthController): Promise<{ code: number; body: { status: string; problems?: string[] } }> {
  const answer = { code: 0, body: { status: '' } };
  const res = {
    status(code: number) {
      answer.code = code;
      return res;
    },
    json(body: { status: string }) {
      answer.body = body;
    },
  };
  await controller.health(res as unknown as Response);
  return answer;
}

describe('/health after a failed sync of the SQLite store', () => {
  it('says 503 unavailable, naming the store, from the failure on (while ServiceExit ends the process)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lianban-health-'));
    const wal = heldWalFile();
    const store = SqliteEventStore.open(join(dir, 'events.sqlite'), { logger: quiet, walFile: wal.file });
    const bus = { kind: 'memory', health: async () => ({ ok: true, subscriptions: [] }) } as unknown as MessageBus;
    const controller = new HealthController(
      store, bus, { region: 'cq', embedded: true } as LianbanConfig, { running: true } as unknown as OutboxRelay,
      { statuses: () => [], describe: () => [] } as unknown as EventConsumers, { statuses: () => [] } as unknown as CrossRegionLink,
    );
    try {
      await store.append('s-1', [event()], 'no-stream');
      expect(await health(controller)).toMatchObject({ code: 200, body: { status: 'ok' } });

      // two in one tick: their sync runs in the thread pool, where the test fails it
      const failed = track(store.append('s-2', [event()], 'no-stream'));
      const alongside = track(store.append('s-3', [event()], 'no-stream'));
      await turns();
      wal.fail(new Error('EIO'));
      await expect(failed.promise).rejects.toThrow('EIO');
      await expect(alongside.promise).rejects.toThrow('EIO');
      // no sync is asked for again: the answer comes from the store's failure itself
      expect(await health(controller)).toEqual({
        code: 503,
        body: expect.objectContaining({ status: 'unavailable', problems: [expect.stringMatching(/^store: event store: a sync of the WAL failed \(EIO\)/)] }),
      });
      expect(wal.held).toBe(0);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
