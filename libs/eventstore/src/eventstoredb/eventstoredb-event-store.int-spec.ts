import { createServer, type AddressInfo, type Socket } from 'node:net';
import { runEventStoreContract, type EventStoreUnderTest } from '@lianban/testing';
import { runImportContract } from '@lianban/testing/import-contract';
import type { EventStore } from '../port';
import { createEventStore } from '../factory';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

/**
 * The contract runs against a real EventStoreDB when EVENTSTORE_CONNECTION_STRING names one
 * (see libs/eventstore/README.md). Without it, the wiring tests below still run: they prove the
 * adapter fails loudly and quickly on a server that is not there, instead of hanging or passing.
 */
const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;
const quiet = { warn: () => undefined };

if (connectionString) {
  const server = `eventstoredb (${connectionString.replace(/\/\/[^@/?#]*@/, '//***@')})`;
  const openEsdb = async (): Promise<EventStoreUnderTest> => {
    const opened: EventStore[] = [];
    const openOne = async () => {
      const store = await EventStoreDbEventStore.connect(connectionString, { logger: quiet });
      opened.push(store);
      return store;
    };
    return {
      store: await openOne(),
      reopen: openOne,
      cleanup: async () => {
        for (const store of opened) await store.close();
      },
    };
  };
  runEventStoreContract(server, openEsdb, { uniqueEventIdsAcrossStreams: false, caseHeadEnforced: false, testTimeoutMs: 120_000 });
  runImportContract(server, openEsdb, { preservesPositions: false, atomic: false, testTimeoutMs: 120_000 });
}

describe('EventStoreDB adapter wiring', () => {
  it('rejects with a clear error when nothing listens at the address', async () => {
    const started = Date.now();
    await expect(
      createEventStore({ kind: 'eventstoredb', connectionString: 'esdb://127.0.0.1:1?tls=false', logger: quiet }),
    ).rejects.toThrow(/EventStoreDB at esdb:\/\/127\.0\.0\.1:1\?tls=false is unreachable/);
    // a bound, not a performance claim: "fails" must not mean "hangs until jest gives up"
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);

  it('gives up after its timeout when the server accepts connections but never answers', async () => {
    // a TCP listener that holds every connection silent: the gRPC handshake never completes
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      await expect(
        EventStoreDbEventStore.connect(`esdb://127.0.0.1:${port}?tls=false`, { timeoutMs: 1_500, logger: quiet }),
      ).rejects.toThrow(new RegExp(`EventStoreDB at esdb://127\\.0\\.0\\.1:${port}\\?tls=false is unreachable`));
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 30_000);

  it('does not leak credentials into the error', async () => {
    const error = await EventStoreDbEventStore.connect('esdb://admin:s3cret@127.0.0.1:1?tls=false', {
      logger: quiet,
    }).then(
      (store) => {
        void store.close();
        throw new Error('connected to a server that cannot exist');
      },
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toContain('***@127.0.0.1:1');
    expect(error.message).not.toContain('s3cret');
  }, 30_000);

  it('refuses an invalid connection string', async () => {
    await expect(EventStoreDbEventStore.connect('http://not-esdb', { logger: quiet })).rejects.toThrow(
      /connection string .* is invalid/,
    );
  });
});
